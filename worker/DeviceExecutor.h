#pragma once
#include "devices/Device.h"
#include "devices/sim/SimWorld.h"
#include "worker/Executor.h"
#include "worker/PointLoop.h"

#include "core/model/ResultBatch.h"
#include "core/plan/Plan.h"
#include "core/plan/PointGenerator.h"
#include "core/protocol/BlackBox.h"

#include <QHash>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace acquila::worker {

class Connection;

/**
 * The device role: opens the lab's devices, runs the points of jobs and
 * streams results back in packed arrays, sets properties and moves axes
 * outside runs ("set now"), and, in worker 0, polls the monitored values
 * while no run is open. Every device call happens on the executor thread;
 * the reader thread only raises cancel flags and calls the devices' stop()
 * hooks on abort.
 */
class DeviceExecutor : public Executor {
public:
    DeviceExecutor(Connection& connection, protocol::BlackBox* blackBox);
    ~DeviceExecutor() override;

    bool handle(const protocol::Message& m) override;
    void onJobQueued(quint64 jobId) override;
    void onCancel(model::CancelLevel level) override;
    /** Every 5 ms: points measured before a device call that hangs leave before the worker is killed. */
    int tickIntervalMs() const override { return 5; }
    void onTick() override;
    /** Time until the next monitor poll; never while a run is open or when this worker does not monitor. */
    int idleIntervalMs() const override;
    /** Polls the monitored values when due and sends them (`monitor`). Executor thread. */
    void onIdle() override;

private:
    struct Dev {
        std::unique_ptr<devices::Device> device;
        int labIndex = -1;
    };
    struct Restore {
        devices::Device* device;
        QString property;
        QVariant value;
    };
    struct RunContext : RunBindings {
        quint64 id = 0;
        plan::Plan plan;
        std::vector<double> origin;
        std::vector<Restore> restores;
    };

    void configure(const protocol::Message& m);
    /** Loads the driver plugins of the standard directories and the lab's (docs/architecture.md, "Driver plugins"). */
    void loadPlugins();
    /** The lab's problems by device, now that every plugin's parameters are known. */
    QHash<QString, QStringList> labProblems() const;
    /** Why no driver `driver` is here: the plugins that failed, those that loaded, where they were looked for. */
    QString missingDriver(const QString& driver) const;
    void describe(quint64 replyTo);
    void open(const protocol::Message& m);
    void close(const protocol::Message& m);
    void move(const protocol::Message& m);
    void setProperty(const protocol::Message& m);
    /** Reads the axis positions and monitored properties of every device that has some, each under the black box. */
    void pollMonitors();
    void runJob(const protocol::Message& m);
    void setActiveLoop(PointLoop* loop);
    QString openRun(quint64 runId, const QString& planJson, const std::vector<double>& origin);
    Dev* findDevice(const QString& name);
    int labIndexOf(const devices::Device* device) const;
    /** Sets the run's changed properties back, each announced in the black box; returns what failed. */
    QStringList restoreProperties(RunContext& r);
    /** A move outside the point loop (manual, return to start), under the device's timeout and the watchdog. */
    devices::Checkpoint moveWithDeadline(devices::Actuator* actuator, int axis, double position, int labIndex);
    void sendResult(quint64 job, qint64 first, qint64 count, const std::vector<QByteArray>& buffers, bool final, double seconds);
    void sendError(quint64 job, qint64 point, int labIndex, const char* op, const QString& message);

    Connection& conn_;
    std::unique_ptr<protocol::BlackBox> ownBox_;  // when no shared memory was given (tests)
    protocol::BlackBox* box_;                     // the worker's shared-memory black box, or ownBox_
    model::LabConfig lab_;
    devices::SimWorld world_;       // executor thread only
    std::vector<Dev> devices_;      // built once by configure(), then only read
    std::vector<model::DeviceDescription> unavailable_;  // the lab's devices this worker could not open, and why
    std::atomic<bool> configured_{false};  // publishes devices_ to the reader thread (stop hooks)
    std::vector<QString> openErrors_;
    bool exclusive_ = false;              // this worker opens the exclusive devices (worker 0): it polls the monitors
    std::vector<size_t> monitoredDevices_;  // indices into devices_ with axes or monitored properties (from describe())
    std::chrono::steady_clock::time_point nextMonitor_{};  // when the next monitor poll is due
    std::optional<RunContext> run_;
    devices::CancelToken token_;            // the running job's token; reader thread requests, executor checks
    std::atomic<quint64> lastQueuedJob_{0};  // highest job id the reader thread has seen
    std::atomic<quint64> cancelledUpTo_{0};  // jobs with ids <= this are cancelled
    std::atomic<model::CancelLevel> cancelLevel_{model::CancelLevel::None};
    std::atomic<quint64> runningJob_{0};     // job on the executor thread, 0 when none
    std::mutex loopMutex_;                   // guards loop_ between the executor and onTick()
    PointLoop* loop_ = nullptr;              // the running job's loop, for onTick()
};

}  // namespace acquila::worker
