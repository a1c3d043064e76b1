#pragma once
#include "core/engine/EngineTypes.h"
#include "core/model/DeviceDescription.h"
#include "core/protocol/Messages.h"

#include <deque>
#include <optional>
#include <vector>

namespace acquila::engine {

class WorkerPool;

/**
 * The manager's side of the storage worker for one run at a time
 * (docs/architecture.md, "Storage"): the file's state, the results sent and
 * not yet acknowledged, and the bounded queue that slows acquisition down
 * when the disk falls behind. Manager thread only; sends through the pool.
 */
class StorageLink {
public:
    enum class State : uint8_t { Off, Opening, Open, Finishing, Closed };
    /** What a store status message means for the run. */
    enum class Outcome : uint8_t { None, Opened, OpenFailed, WriteFailed, Finished, FinishFailed };

    /** `queueBytes`: the bound on data sent and not yet written (backpressure). */
    StorageLink(WorkerPool& pool, quint64& nextRequestId, qint64 queueBytes);

    /** A new run: Opening when the engine writes files, Off otherwise. */
    void begin(quint64 runId, bool enabled);
    State state() const { return state_; }
    bool isOpen() const { return state_ == State::Open; }
    /** The worker holds a run file it has not closed yet (open or finishing). */
    bool holdsFile() const { return (state_ == State::Open || state_ == State::Finishing) && !filePath_.isEmpty(); }
    const QString& filePath() const { return filePath_; }
    /** The storage worker is connected and configured: the open request may go now. */
    bool workerReady() const;

    void open(const protocol::StoreOpen& request);
    /** Forwards one result frame body unchanged; `bytes` is its data size, for the queue bound. */
    void forward(const QByteArray& body, qint64 bytes);
    void log(int level, const QString& text);
    void flush();
    /** Asks the worker to write the run's status and end snapshots; false if no file is open. */
    bool finish(model::RunStatus status, const QString& reason, const std::vector<model::DeviceDescription>& devices);
    /**
     * The worker died or did not answer: the link gives the file up (filePath() then names
     * the ".part", which keeps status "running"). finish() then has the next storage worker
     * seal it (protocol::StoreSeal): status, reason and end time written, renamed.
     */
    void lost();
    /** Sends the seal of a file left by a dead worker once the new storage worker is ready. */
    void sealIfReady();
    /** A ".part" left by a dead worker and not sealed (yet): it keeps status "running". */
    const QString& unsealed() const { return orphan_; }
    /** Why the seal failed, when it did. */
    const QString& sealError() const { return sealError_; }

    /** True while more than the queue bound is sent and not yet written. */
    bool backlogged() const;
    /** What a `store_status` message from the storage worker means for the run. */
    Outcome onStatus(const protocol::StoreStatus& s);
    /** For the status bar. */
    const StorageStatus& status() const { return status_; }
    /**
     * Free space on the file's disk is below the reserve plus the data sent and not
     * yet written plus `drainS` seconds at the fastest write rate of the run.
     * `reserve` unset: the larger of 1 GiB and 1 % of the disk.
     */
    bool diskAlmostFull(std::optional<qint64> reserve, double drainS) const;
    qint64 reserveBytes(std::optional<qint64> configured) const;

private:
    WorkerPool& pool_;
    quint64& nextId_;
    quint64 runId_ = 0;
    State state_ = State::Off;
    QString filePath_;
    bool pathFinal_ = false;                         // the worker said where it left the file
    QString orphan_;                                 // a ".part" left by a dead worker, until sealed
    protocol::StoreSeal seal_;
    bool sealSent_ = false;
    QString sealError_;
    double peakRate_ = 0;                            // bytes/s, fastest of the run
    qint64 diskBytes_ = -1;                          // size of the file's disk
    qint64 sent_ = 0;                                // result messages forwarded
    std::deque<std::pair<qint64, qint64>> inFlight_;  // (message number, bytes) not yet acknowledged
    qint64 inFlightBytes_ = 0;
    qint64 queueBytes_;
    StorageStatus status_;
};

}  // namespace acquila::engine
