#pragma once
#include "core/engine/EngineConfig.h"
#include "core/engine/ResultSink.h"
#include "core/engine/Scheduler.h"
#include "core/engine/WorkerPool.h"
#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"
#include "core/model/RunTypes.h"
#include "core/plan/Plan.h"
#include "core/plan/PointGenerator.h"

#include <QElapsedTimer>
#include <QObject>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <vector>

class QTimer;

namespace acquila::core {

/** A log line from a worker or the engine, for the log panel. */
struct LogEntry {
    QDateTime time;
    int level = 2;   // spdlog level: 0 trace .. 5 critical
    QString source;  // "engine", "worker 1", ...
    QString text;
};

using BatchList = std::vector<ResultBatchPtr>;
using BatchListPtr = std::shared_ptr<const BatchList>;

/**
 * The manager (DESIGN §1, §4): run queue, scan scheduler, worker pool and
 * routing. Lives in its own QThread with its own event loop and never does
 * work itself: no device code, no HDF5, no blocking waits. Every public
 * method must be called on the manager thread (Engine queues calls there).
 */
class Manager : public QObject {
    Q_OBJECT
public:
    explicit Manager(EngineConfig config, QObject* parent = nullptr);
    ~Manager() override;

    void addSink(std::shared_ptr<ResultSink> sink);
    void start();
    void enqueue(quint64 runId, const Plan& plan);
    void pause();
    void resume();
    void stop();
    void abort();
    /** Moves an axis outside of a run (device panel's "move to"). */
    void moveAxis(const QString& axis, double position);
    /** Removes a queued (not yet started) run. */
    void dequeue(quint64 runId);
    void shutdown();

signals:
    void devicesChanged(const std::vector<acquila::core::DeviceDescription>& devices);
    void progressChanged(const acquila::core::RunProgress& progress);
    void resultsReady(const acquila::core::BatchListPtr& batches);
    void runFinished(const acquila::core::RunProgress& progress);
    void workersChanged(const std::vector<acquila::core::WorkerStatus>& workers);
    void logged(const acquila::core::LogEntry& entry);
    void storageChanged(const acquila::core::StorageStatus& status);
    void poolFailed(const QString& error);
    void shutDown();

private:
    struct Run;
    void onConnected(int worker);
    void onMessage(int worker, Message&& m);
    void onDied(int worker, const QString& reason);
    void onDescribe(int worker, const Message& m);
    void onResult(int worker, const Message& m);
    void onError(int worker, const Message& m);
    void onOpenReply(int worker, const Message& m);
    void onCloseReply(int worker, const Message& m);
    void onStoreStatus(const Message& m);
    void openStorage();
    void forwardToStorage(const Message& m, const ResultBatch& batch);
    bool storageBacklogged() const;
    void completeRun();

    void startNext();
    void beginRun(quint64 runId, const Plan& plan);
    void openOn(int worker);
    void pump();
    void cancelInFlight(int level);
    void drain(RunStatus status, const QString& reason, qint64 boundary);
    void maybeAdvance();
    void closeRun();
    void finishRun();
    void fail(const QString& reason, qint64 point);
    void watchdog();
    void setState(RunState s);
    void publish();
    void armTransitionTimeout(int ms, const QString& what);
    QString deviceNameOf(int labIndex) const;
    bool eligible(int worker) const;
    void log(int level, const QString& text, const QString& source = QStringLiteral("engine"));

    EngineConfig config_;
    WorkerPool* pool_ = nullptr;
    std::vector<std::shared_ptr<ResultSink>> sinks_;
    std::vector<DeviceDescription> devices_;        // as described by worker 0 (which opens every device)
    std::map<int, bool> configured_;                // worker -> configure reply received
    std::deque<std::pair<quint64, Plan>> queue_;    // runs waiting to start
    std::unique_ptr<Run> run_;                      // the active run, if any
    BatchList pendingBatches_;                      // coalesced for the GUI
    QTimer* coalesceTimer_ = nullptr;
    QTimer* watchdogTimer_ = nullptr;
    QTimer* transitionTimer_ = nullptr;
    StorageStatus storage_;                         // last storage report, for the status bar
    quint64 nextRequestId_ = 1;
    bool workersDirty_ = false;  // worker status changed since the last publish()
    bool shuttingDown_ = false;
};

}  // namespace acquila::core

Q_DECLARE_METATYPE(acquila::core::LogEntry)
