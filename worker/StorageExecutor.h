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
    bool handle(const core::Message& m) override;
    int idleIntervalMs() const override { return 100; }
    void onIdle() override;
    void onShutdown(bool connectionLost) override { connectionLost_.store(connectionLost); }

private:
    void open(const core::StoreOpen& request);
    void openFailed(const QString& error);
    void append(const core::Message& m);
    void finish(const core::StoreFinish& request);
    void reportError(const QString& message);
    /** A status report of the file and queue; restarts the rate measurement. */
    core::StoreStatus status(core::StoreStatus::Op op);
    void send(const core::StoreStatus& s);
    QString uniquePath(const QString& dir, const QString& name, quint64 runId) const;

    Connection& conn_;
    QString dataDirectory_;
    double flushIntervalS_ = 0.5;
    std::unique_ptr<core::NexusWriter> writer_;
    core::CellMap cellMap_;
    quint64 runId_ = 0;
    QString path_;
    bool failed_ = false;          // the file refused data: later batches are dropped, finish() still records status
    qint64 processed_ = 0;         // result messages handled, acknowledged to the manager for backpressure
    qint64 bytesWritten_ = 0;
    qint64 bytesAtLastStatus_ = 0;
    QElapsedTimer sinceStatus_;
    std::atomic<bool> connectionLost_{false};  // set by the reader thread when the app vanished
};

}  // namespace acquila::worker
