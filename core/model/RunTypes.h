#pragma once
#include <QDateTime>
#include <QString>
#include <QVariantMap>
#include <cstdint>

namespace acquila::core {

/** Run-control states (DESIGN §4). */
enum class RunState : uint8_t { Idle, Starting, Running, Paused, Stopping, Aborting, Finished };
/** How a run ended. `Interrupted` is written by storage when the app vanished. */
enum class RunStatus : uint8_t { None, Completed, Stopped, Aborted, Failed, Interrupted };

const char* runStateName(RunState s);
const char* runStatusName(RunStatus s);

}  // namespace acquila::core
