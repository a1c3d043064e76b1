#pragma once
#include "core/engine/EngineCommand.h"
#include "core/engine/EngineConfig.h"
#include "core/engine/EngineEvents.h"
#include "core/engine/ResultSink.h"
#include "core/engine/RunLifecycle.h"
#include "core/engine/RunSetup.h"
#include "core/engine/Scheduler.h"
#include "core/model/DeviceDescription.h"
#include "core/plan/Plan.h"
#include "core/protocol/Frame.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <vector>

class QTimer;

namespace acquila::engine {

class StorageLink;
class WorkerPool;

/**
 * The manager (docs/architecture.md, "Threads and ownership"): run queue,
 * routing between the workers, the run's lifecycle and the storage link.
 * Lives in its own QThread with its own event loop and never does work
 * itself: no device code, no HDF5, no blocking waits. Every public method
 * must be called on the manager thread (Engine queues calls there).
 * Private to the engine: the window and the commands use Engine.
 */
class Manager : public EngineEvents {
    Q_OBJECT
public:
    explicit Manager(EngineConfig config);
    ~Manager() override;

    /** Spawns the workers; `sinks` receive every result batch, in arrival order. Manager thread. */
    void start(std::vector<std::shared_ptr<ResultSink>> sinks);
    /** Carries out one command of the application. */
    void handle(const EngineCommand& command);

private:
    /** The active run. */
    struct Run {
        quint64 id = 0;
        plan::Plan plan;
        RunLifecycle life;
        RunSetup setup;
        QCborMap layout;        // the file layout (RunLayout::toCbor), when the engine writes files
        std::unique_ptr<Scheduler> sched;
        std::set<int> opening;  // open sent, reply pending
        std::set<int> opened;   // may receive jobs
        std::set<int> closing;  // close sent, reply pending
        std::set<int> killed;   // killed by the watchdog or abort; death is expected
        std::set<qint64> retried;  // points measured again after crashing their worker (retry_after_crash)
        QElapsedTimer clock;
        QDateTime startTime;
    };
    void enqueue(quint64 runId, const plan::Plan& plan);
    void dequeue(quint64 runId);
    void shutdown();

    // Set now (ManagerSetNow.cpp): a property set or an axis moved outside a run, and the monitors.
    /** One set-now request in flight: sent to every worker that has the device, each answers once. */
    struct SetRequest {
        quint64 id = 0;        // the engine's request id
        QString target;        // as named: "motor" or "camera.spot_sigma"
        QString device;        // the device
        QString property;      // empty for a move of axis `target`
        QVariant value;        // typed, checked against the declaration
        QString valueText;     // the value with its unit, for messages
        model::PropertyType type = model::PropertyType::Double;  // for the value read back
        QString unit;
        bool exclusive = false;  // the device lives in worker 0 only
        std::set<int> asked;     // every worker sent the request
        std::set<int> waiting;   // those that have not answered yet
        std::set<int> applied;   // those that answered without an error
        QStringList errors;
        QVariant readback;       // from the lowest worker that applied it
        int readbackFrom = -1;
    };
    void setNow(const command::SetNow& c);
    void onApplyReply(int worker, const protocol::Message& m);
    void onMonitor(int worker, const protocol::Message& m);
    /** Sends the values set now (and the property sets still pending) to a worker that just connected. */
    void replaySetNow(int worker);
    /** A worker died or was killed: the requests waiting for it fail with `reason`. */
    void setNowWorkerLost(int worker, const QString& reason);
    void expireSetNow(quint64 key);
    void finishSetNow(quint64 key);
    void failSetNowAll(const QString& reason);

    // Messages from the workers.
    void onConnected(int worker);
    void onMessage(int worker, protocol::Message&& m);
    void onDied(int worker, const QString& reason);
    bool retryAfterCrash(qint64 point, const QString& what);
    void onDescribe(int worker, const protocol::Message& m);
    void onResult(int worker, const protocol::Message& m);
    void onError(int worker, const protocol::Message& m);
    void onOpenReply(int worker, const protocol::Message& m);
    void onCloseReply(int worker, const protocol::Message& m);
    void onStoreStatus(int worker, const protocol::Message& m);
    void protocolError(int worker, const QString& error);

    // The run: each event goes through the lifecycle, which says what to do.
    void startNext();
    void beginRun(quint64 runId, const plan::Plan& plan);
    void openOn(int worker);
    void openStorage();
    RunTransition raise(RunEvent e, const QString& reason = QString(), qint64 point = RunLifecycle::kNoBoundary);
    void fail(RunEvent e, const QString& reason, qint64 point = RunLifecycle::kNoBoundary);
    void advance();
    void pump();
    void cancelInFlight(model::CancelLevel level);
    void closeWorkers();
    void finishFile();
    void killBusy();
    void report();
    void armTimer(RunPhase phase);
    void onTimeout();
    void watchdog();
    void timeOutInRun(int worker, const QString& what, qint64 point);
    void publish();
    QString deviceNameOf(int labIndex) const;
    bool eligible(int worker) const;
    void log(int level, const QString& text, const QString& source = QStringLiteral("engine"));

    EngineConfig config_;
    WorkerPool* pool_ = nullptr;
    std::unique_ptr<StorageLink> storage_;
    std::vector<std::shared_ptr<ResultSink>> sinks_;
    std::vector<model::DeviceDescription> devices_;        // as described by worker 0 (which opens every device)
    std::map<int, bool> configured_;                // worker -> configure reply received
    std::deque<std::pair<quint64, plan::Plan>> queue_;    // runs waiting to start
    std::unique_ptr<Run> run_;                      // the active run, if any
    BatchList pendingBatches_;                      // coalesced for the GUI
    QTimer* coalesceTimer_ = nullptr;
    QTimer* watchdogTimer_ = nullptr;
    QTimer* phaseTimer_ = nullptr;                  // the deadline of the run's current phase
    quint64 nextRequestId_ = 1;
    std::set<int> timedOut_;      // workers the watchdog killed, until their successor connects
    QStringList hungOpening_;     // devices that hung while opening: later workers skip them
    bool workersDirty_ = false;  // worker status changed since the last publish()
    std::map<quint64, SetRequest> pendingSets_;  // set-now requests by message id; no run starts while one is pending
    /** A property set now: replayed, in order, to every worker that (re)connects and opens the device. */
    struct SetNowValue {
        QString device;
        QString property;
        QVariant value;
        bool exclusive = false;  // worker 0 only
    };
    std::vector<SetNowValue> setNowValues_;
    bool shuttingDown_ = false;
};

}  // namespace acquila::engine
