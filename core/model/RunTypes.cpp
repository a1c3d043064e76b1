#include "core/model/RunTypes.h"

namespace acquila::model {

const char* runStateName(RunState s) {
    static constexpr const char* kNames[] = {"idle", "starting", "running", "paused", "stopping", "aborting", "finished"};
    return kNames[static_cast<size_t>(s)];
}

const char* runStatusName(RunStatus s) {
    static constexpr const char* kNames[] = {"", "completed", "stopped", "aborted", "failed", "interrupted"};
    return kNames[static_cast<size_t>(s)];
}

const char* cancelLevelName(CancelLevel l) {
    static constexpr const char* kNames[] = {"none", "stop", "abort"};
    return kNames[static_cast<size_t>(l)];
}

}  // namespace acquila::model
