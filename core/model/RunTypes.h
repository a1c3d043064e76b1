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
/**
 * How hard a worker is asked to stop its queued and running jobs. `Stop` ends
 * them at the next point boundary (pause, stop, drain); `Abort` also stops
 * motion at once. On the wire the level is the integer value.
 */
enum class CancelLevel : uint8_t { None = 0, Stop = 1, Abort = 2 };

const char* runStateName(RunState s);
const char* runStatusName(RunStatus s);
const char* cancelLevelName(CancelLevel l);

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

/** State of the storage worker, for the status bar. A value type. */
struct StorageStatus {
    QString filePath;          // file being written (final name), empty when idle
    double queueFill = 0;      // 0..1, fill of the bounded queue towards the storage worker
    double bytesPerSecond = 0; // recent write rate
    qint64 freeBytes = -1;     // free space of the data directory, -1 when unknown
    bool lowDisk = false;      // free space below a few minutes of data at the current rate
    QString error;             // last storage error, if any
};

}  // namespace acquila::core
