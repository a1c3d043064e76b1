#pragma once
#include "core/model/LabConfig.h"

#include <QString>
#include <QStringList>
#include <optional>

namespace acquila::engine {

/** Everything the engine needs to start. A value type. */
struct EngineConfig {
    QString workerExe;               // path of acquila-worker
    int workers = 0;                 // device workers; 0 = number of logical cores
    model::LabConfig lab;
    bool storage = false;            // start a storage worker and write HDF5 files
    QString dataDirectory;           // where run files go (storage only)
    double flushIntervalS = 0.5;     // storage flush cadence
    std::optional<qint64> diskReserveBytes;  // a run stops ("disk almost full") below this + the drain; unset: max(1 GiB, 1 % of the disk)
    double diskDrainS = 5;           // seconds of data at the fastest rate kept free for stopping
    int graceMs = 1000;              // cooperative cancel, then kill
    int startTimeoutMs = 30000;      // Starting -> failed
    int drainTimeoutMs = 30000;      // Stopping without progress -> abort
    int closeTimeoutMs = 10000;      // waiting for workers to close a run
    int coalesceMs = 16;             // GUI batches at most ~60 times a second
    int heartbeatMs = 500;
    int heartbeatTimeoutMs = 5000;
    int maxInFlightPerWorker = 3;
    qint64 storageQueueBytes = 256ll << 20;  // results sent to the storage worker and not yet written; above it no job is handed out
    QStringList workerArgs;          // extra arguments for every worker (tests)
};

}  // namespace acquila::engine
