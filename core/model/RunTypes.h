#pragma once
#include <QDateTime>
#include <QString>
#include <QVariantMap>
#include <cstdint>

namespace acquila::model {

/** Run-control states (docs/architecture.md, "Run lifecycle"). */
enum class RunState : uint8_t { Idle, Starting, Running, Paused, Stopping, Aborting, Finished };
/** How a run ended. `Interrupted` is written by storage when the app vanished. */
enum class RunStatus : uint8_t { None, Completed, Stopped, Aborted, Failed, Interrupted };
/**
 * How hard a worker is asked to stop its queued and running jobs. `Stop` ends
 * them at the next point boundary (pause, stop, drain); `Abort` also stops
 * motion at once. On the wire the level is the integer value.
 */
enum class CancelLevel : uint8_t { None = 0, Stop = 1, Abort = 2 };

const char* runStateName(RunState s);
const char* runStatusName(RunStatus s);
const char* cancelLevelName(CancelLevel l);

}  // namespace acquila::model
