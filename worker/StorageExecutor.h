#pragma once
#include "worker/Executor.h"

#include "core/protocol/Messages.h"
#include "core/storage/NexusWriter.h"
#include "core/storage/RunLayout.h"

#include <QElapsedTimer>
#include <atomic>
#include <memory>

namespace acquila::worker {

class Connection;

/**
 * The storage role (docs/architecture.md, "Processes and threads" and "Storage"): owns the HDF5 file of the running scan.
 * The manager sends `store` commands (open, log, flush, finish) and forwards
 * every `result` batch; this role places them in the file, flushes at most
 * every flush interval, and reports progress, free disk space and errors as
 * `store_status`. Every HDF5 call happens on the executor thread. If the app
 * vanishes, the file is closed with status "interrupted".
 */
class StorageExecutor : public Executor {
public:
    explicit StorageExecutor(Connection& connection);
    ~StorageExecutor() override;
    bool handle(const protocol::Message& m) override;
    int idleIntervalMs() const override { return 100; }
    void onIdle() override;
    void onShutdown(bool connectionLost) override { connectionLost_.store(connectionLost); }

private:
    void open(const protocol::StoreOpen& request);
    void openFailed(const QString& error);
    void append(const protocol::Message& m);
    void finish(const protocol::StoreFinish& request);
    void seal(const protocol::StoreSeal& request);
    void reportError(const QString& message);
    /** A status report of the file and queue; restarts the rate measurement. */
    protocol::StoreStatus status(protocol::StoreStatus::Op op);
    void send(const protocol::StoreStatus& s);
    QString uniquePath(const QString& dir, const QString& name, quint64 runId) const;

    Connection& conn_;
    QString dataDirectory_;
    QString fileDirectory_;        // directory of the current run's file
    double flushIntervalS_ = 0.5;
    std::unique_ptr<storage::NexusWriter> writer_;
    storage::CellMap cellMap_;
    quint64 runId_ = 0;
    QString path_;                 // the run's file: its final name while open, then where it actually is
    QString lastError_;            // the write error that closed the file
    bool failed_ = false;          // the file refused data: later batches are dropped, finish() still records status
    qint64 processed_ = 0;         // result messages handled, acknowledged to the manager for backpressure
    qint64 bytesWritten_ = 0;
    qint64 bytesAtLastStatus_ = 0;
    QElapsedTimer sinceStatus_;
    std::atomic<bool> connectionLost_{false};  // set by the reader thread when the app vanished
};

}  // namespace acquila::worker
