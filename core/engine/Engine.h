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
 */
class Engine : public EngineEvents {
    Q_OBJECT
public:
    explicit Engine(EngineConfig config, QObject* parent = nullptr);
    /** Shuts the manager and workers down if that has not happened; waits at most ~10 s. */
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
    void moveAxis(const QString& axis, double position);
    /** Aborts any run, ends the workers and emits shutDown(). */
    void shutdown();

    const EngineConfig& config() const { return config_; }
    /** Last device descriptions received (empty until the first worker described its devices). */
    const std::vector<model::DeviceDescription>& devices() const { return devices_; }
    bool isShutDown() const { return shutDown_; }

private:
    /** Queues a command to the manager thread; never waits. */
    void send(EngineCommand command);

    EngineConfig config_;
    QThread* thread_ = nullptr;
    Manager* manager_ = nullptr;  // lives in thread_; deleted there when it finishes
    std::vector<std::shared_ptr<ResultSink>> sinks_;  // handed to the manager at start()
    std::vector<model::DeviceDescription> devices_;
    std::atomic<quint64> nextRunId_{1};
    bool started_ = false;
    bool shutDown_ = false;
};

}  // namespace acquila::engine
