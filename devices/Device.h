#pragma once
#include "core/model/RunTypes.h"
#include "core/model/DeviceDescription.h"
#include "core/model/LabConfig.h"

#include <QString>
#include <QVariant>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace acquila::devices {

/** Outcome of a cancellation checkpoint. */
enum class Checkpoint : uint8_t { Continue, Stop, Abort, Timeout };

/**
 * Cancellation and deadline shared between the worker's reader thread (which
 * requests) and the executor thread (which checks). Blocking device
 * operations call check() or sleepFor() at least every 10 ms.
 */
class CancelToken {
public:
    /** Called by the reader thread: Stop at the next point boundary, Abort now. A request never lowers the level. */
    void request(model::CancelLevel cancel) {
        const int level = static_cast<int>(cancel);
        int cur = level_.load();
        while (cur < level && !level_.compare_exchange_weak(cur, level)) {
        }
    }
    void reset() { level_.store(0); }
    /** Arms the per-operation deadline (executor thread only). */
    void setDeadline(std::chrono::steady_clock::time_point t) { deadline_ = t; }
    void clearDeadline() { deadline_ = std::chrono::steady_clock::time_point::max(); }
    bool stopRequested() const { return level_.load(std::memory_order_relaxed) >= 1; }
    bool abortRequested() const { return level_.load(std::memory_order_relaxed) >= 2; }
    /** Abort and the deadline interrupt an operation; stop waits for the point boundary. */
    Checkpoint check() const {
        if (abortRequested()) return Checkpoint::Abort;
        if (std::chrono::steady_clock::now() > deadline_) return Checkpoint::Timeout;
        return Checkpoint::Continue;
    }
    /** Sleeps `d`, waking every <= 10 ms to check(); returns the first non-Continue result. */
    Checkpoint sleepFor(std::chrono::duration<double> d) const;

private:
    std::atomic<int> level_{0};  // guards nothing else; 0 run, 1 stop, 2 abort (only grows until reset)
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();  // executor thread only
};

class SimWorld;  // devices/sim/SimWorld.h

/** What a driver gets when it is created. */
struct LabContext {
    quint64 seed = 1;
    SimWorld* world = nullptr;  // the simulated lab's shared state; owned by the worker, outlives every device
};

/** Output buffer handed to Detector::read; a device that writes a different size sets `written`. */
struct OutputBuffer {
    char* data = nullptr;
    qint64 capacity = 0;    // bytes expected (the declared bytesPerPoint)
    qint64 written = -1;    // -1 = capacity was written
};

/** What a detector knows about the point it measures. */
struct PointContext {
    qint64 index = 0;        // point index in the run
    double exposureS = 0;    // from the plan
    /** Outputs already measured at this point, for compute devices. */
    struct Input { const model::OutputDecl* decl; const char* data; };
    std::vector<std::pair<QString, Input>> inputs;
    const Input* input(const QString& name) const {
        for (const auto& [n, in] : inputs)
            if (n == name) return &in;
        return nullptr;
    }
};

/** Thrown by drivers for a failure; the message names what went wrong. */
struct DeviceError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class Actuator;
class Detector;

/**
 * A device driver instance, owned by one worker and used only by its
 * executor thread, except stop(), which the reader thread may call to abort.
 */
class Device {
public:
    virtual ~Device() = default;
    /** Current description: declarations plus current property values and positions. */
    virtual model::DeviceDescription describe() const = 0;
    /** Sets a property; throws DeviceError (naming the property) if the value is rejected. */
    virtual void setProperty(const QString& id, const QVariant& value) = 0;
    /** Abort hook: interrupt motion or acquisition now. Any thread. */
    virtual void stop() {}
    /** Per-operation timeout in seconds (the "timeout_s" parameter). */
    virtual double timeoutS() const { return 10.0; }
    virtual Actuator* asActuator() { return nullptr; }
    virtual Detector* asDetector() { return nullptr; }
    const QString& name() const { return name_; }

protected:
    explicit Device(QString name) : name_(std::move(name)) {}

private:
    QString name_;
};

/** Something with positions: motor, stage, voltage source. */
class Actuator : public Device {
public:
    Actuator* asActuator() override { return this; }
    /** Moves axis `axis` (index into describe().axes) and waits until settled. Throws DeviceError. */
    virtual Checkpoint moveTo(int axis, double position, const CancelToken& token) = 0;
    virtual double position(int axis) const = 0;

protected:
    using Device::Device;
};

/** Something that measures: one or more outputs per point (also compute devices). */
class Detector : public Device {
public:
    Detector* asDetector() override { return this; }
    /** Measures one point into `out` (one buffer per declared output). Throws DeviceError. */
    virtual Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken& token) = 0;

protected:
    using Device::Device;
};

/** Creates a driver from its spec; throws DeviceError for unknown drivers or bad parameters. */
std::unique_ptr<Device> createDevice(const model::DeviceSpec& spec, const LabContext& ctx);
/** Names of every driver createDevice knows. */
QStringList driverNames();

}  // namespace acquila::devices
