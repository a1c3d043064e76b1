#pragma once
#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"
#include "core/model/RunTypes.h"

#include <QDateTime>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QVariant>
#include <memory>
#include <vector>

/**
 * The engine's public value types: everything the window and the headless
 * commands receive from the engine (docs/architecture.md, "Threads and
 * ownership"). The engine's internals (Manager, WorkerPool) stay private.
 */
namespace acquila::engine {

/** Snapshot of a run's progress, published by the manager. A value type. */
struct RunProgress {
    quint64 runId = 0;
    QString planName;
    model::RunState state = model::RunState::Idle;
    model::RunStatus status = model::RunStatus::None;
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
    qint64 backlogBytes = 0;   // result data sent to the storage worker and not yet written
    double bytesPerSecond = 0; // recent write rate
    qint64 freeBytes = -1;     // free space of the data directory, -1 when unknown
    bool lowDisk = false;      // free space below a few minutes of data at the current rate
    QString error;             // last storage error, if any
};

enum class WorkerState : uint8_t { Starting, Ready, Dead, Stopped };
const char* workerStateName(WorkerState s);

/** Status of one worker process, for the status bar. A value type. */
struct WorkerStatus {
    int id = 0;
    QString role;  // "device" or "storage"
    WorkerState state = WorkerState::Starting;
    bool busy = false;
    qint64 pid = 0;
    int restarts = 0;
    QString lastError;
};

/** A log line from a worker or the engine, for the log panel. */
struct LogEntry {
    QDateTime time;
    int level = 2;   // spdlog level: 0 trace .. 5 critical
    QString source;  // "engine", "worker 1", ...
    QString text;
};

/**
 * The outcome of Engine::setNow: a property set or an axis moved outside a run, in every
 * worker that has the device (docs/architecture.md, "Devices and workers"). A value type.
 */
struct SetNowResult {
    /** Done; Invalid: the request itself is wrong (unknown name, bad value, read-only, out of range);
        Busy: a run is active; Failed: a device or worker failed, or did not answer in time. */
    enum class Outcome : uint8_t { Done, Invalid, Busy, Failed };
    quint64 id = 0;        // Engine::setNow's return value
    QString target;        // as named: "motor", "stage.x", "camera.spot_sigma"
    Outcome outcome = Outcome::Done;
    QVariant value;        // read back from the device afterwards (Done)
    QString text;          // that value with its unit, "12.5 mm" (Done)
    QString error;         // what went wrong, naming the device and the property or axis (otherwise empty)
    bool ok() const { return outcome == Outcome::Done; }
};

/** Live readbacks of the monitored values (axis positions, properties declared monitored) while no run is active. */
struct MonitorValues {
    QMap<QString, double> positions;        // full axis name -> position
    QMap<QString, QVariantMap> properties;  // device -> property id -> value
};

/** Result batches coalesced for the window, shared, never copied. */
using BatchList = std::vector<model::ResultBatchPtr>;
using BatchListPtr = std::shared_ptr<const BatchList>;

/** Registers the types above for queued signals. Idempotent. */
void registerEngineTypes();

}  // namespace acquila::engine

Q_DECLARE_METATYPE(acquila::engine::LogEntry)
