#include "core/engine/EngineTypes.h"

namespace acquila::engine {

const char* workerStateName(WorkerState s) {
    static constexpr const char* kNames[] = {"starting", "ready", "crashed", "stopped"};
    return kNames[static_cast<size_t>(s)];
}

void registerEngineTypes() {
    qRegisterMetaType<std::vector<model::DeviceDescription>>();
    qRegisterMetaType<RunProgress>();
    qRegisterMetaType<BatchListPtr>();
    qRegisterMetaType<std::vector<WorkerStatus>>();
    qRegisterMetaType<LogEntry>();
    qRegisterMetaType<StorageStatus>();
    qRegisterMetaType<SetNowResult>();
    qRegisterMetaType<MonitorValues>();
}

}  // namespace acquila::engine
