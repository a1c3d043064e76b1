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

/** Snapshot of a run's progress, published by the manager. A value type. */
struct RunProgress {
    quint64 runId = 0;
    QString planName;
    RunState state = RunState::Idle;
    RunStatus status = RunStatus::None;
    QString reason;      // failure or stop reason, human readable
    qint64 total = 0;    // points in the plan
    qint64 done = 0;     // points delivered
    double elapsedS = 0;
    QString filePath;    // HDF5 file of the run, when storage is on
    int queued = 0;      // plans waiting after this one
    int inFlight = 0;    // jobs dispatched and not yet ended (0 once a pause has settled)
};

}  // namespace acquila::core
