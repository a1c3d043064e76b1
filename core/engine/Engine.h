#pragma once
#include "core/engine/EngineCommand.h"
#include "core/engine/EngineConfig.h"
#include "core/engine/EngineEvents.h"
#include "core/engine/ResultSink.h"
#include "core/plan/Plan.h"

#include <QObject>
#include <atomic>
#include <memory>

class QThread;

namespace acquila::engine {

class Manager;

/**
 * The application's handle on the engine: owns the manager thread and
 * forwards commands to it without blocking. Create, use and destroy it on
 * one thread (the GUI thread or the headless command's main thread); its
 * signals arrive on that thread, queued, carrying values only. The GUI and
 * `acquila run` both drive runs through this class.
 *
 * Results and log lines reach this thread through bounded mailboxes, never one
 * queued event each: however far behind this thread is, at most one delivery
 * of each is pending. Above `kResultBacklogBytes` of undelivered results,
 * batches are dropped for display only (the file is written by the storage
 * worker and never affected) and a log line says how many points were skipped;
 * log lines are limited to `kLogLinesPerSecond` and `kLogBacklogLines`, with a
 * "N log lines dropped" line in their place.
 */
class Engine : public EngineEvents {
    Q_OBJECT
public:
    static constexpr qint64 kResultBacklogBytes = 256LL << 20;
    static constexpr qint64 kLogBacklogLines = 2000;
    static constexpr qint64 kLogLinesPerSecond = 1000;
    /** How long the destructor waits for a shutdown nobody asked for, then for the manager thread. */
    static constexpr int kExitShutdownWaitMs = 3000;
    static constexpr int kExitThreadWaitMs = 2000;

    explicit Engine(EngineConfig config, QObject* parent = nullptr);
    /**
     * Shuts the manager and workers down if that has not happened, waiting at most
     * kExitShutdownWaitMs, then ends the manager thread (which kills workers still
     * running), waiting at most kExitThreadWaitMs.
     */
    ~Engine() override;

    /** Adds a result sink; only before start(). Sinks are called on the manager thread. */
    void addSink(std::shared_ptr<ResultSink> sink);
    /** Starts the manager thread and spawns the workers. */
    void start();
    /** Queues a plan; returns its run id. Validation happens when the run starts. */
    quint64 enqueue(const plan::Plan& plan);
    void dequeue(quint64 runId);
    void pause();
    void resume();
    void stop();
    void abort();
    /**
     * Sets a property ("camera.spot_sigma") or moves an axis ("motor", "stage.x") now, outside a
     * run, in every worker that has the device; `value` is typed, or text parsed following the
     * property's declared type. Refused while a run is active. Returns the request id;
     * setNowFinished() reports the outcome, with the value read back or an error naming the
     * device and the property. Never waits.
     */
    quint64 setNow(const QString& target, const QVariant& value);
    /** setNow() for an axis: the devices dock's "move to". */
    quint64 moveAxis(const QString& axis, double position);
    /** Aborts any run, ends the workers and emits shutDown(). */
    void shutdown();

    const EngineConfig& config() const { return config_; }
    /** Last device descriptions received (empty until the first worker described its devices). */
    const std::vector<model::DeviceDescription>& devices() const { return devices_; }
    bool isShutDown() const { return shutDown_; }

private:
    struct Outbox;

    /** Queues a command to the manager thread; never waits. */
    void send(EngineCommand command);
    /** Routes the manager's results and log lines through the outbox. */
    void connectOutbox();
    void deliverResults();
    void deliverLog();

    EngineConfig config_;
    QThread* thread_ = nullptr;
    Manager* manager_ = nullptr;  // lives in thread_; deleted there when it finishes
    std::shared_ptr<Outbox> outbox_;  // shared with the manager thread, which may outlive this object
    std::vector<std::shared_ptr<ResultSink>> sinks_;  // handed to the manager at start()
    std::vector<model::DeviceDescription> devices_;
    std::atomic<quint64> nextRunId_{1};
    quint64 nextSetNowId_ = 1;
    bool started_ = false;
    bool shutDown_ = false;
};

}  // namespace acquila::engine
