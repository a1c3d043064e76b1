#pragma once
#include "devices/Device.h"
#include "devices/PropertyTable.h"
#include "devices/sim/SimAxis.h"

#include <atomic>

namespace acquila::devices {

class DriverParams;

/**
 * "sim.motor": one simulated axis named after the device. Parameters: unit,
 * min, max, velocity (units/s, 0 = instant), settle_s, start, timeout_s,
 * exclusive. Executor thread only, except stop().
 */
class SimMotor final : public Actuator {
public:
    /** Throws DeviceError for bad parameters. `ctx.world` may be null. */
    SimMotor(const model::DeviceSpec& spec, const LabContext& ctx);

    model::DeviceDescription describe() const override;
    void setProperty(const QString& id, const QVariant& value) override;
    void stop() override { stopRequested_.store(true); }
    double timeoutS() const override { return timeoutS_; }
    Checkpoint moveTo(int axis, double position, const CancelToken& token) override;
    double position(int axis) const override;

private:
    SimMotor(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& params);
    void checkAxis(int axis) const;

    PropertyTable props_;
    SimAxis axis_;
    double settleS_ = 0;
    double timeoutS_ = 10;
    bool exclusive_ = false;
    std::atomic<bool> stopRequested_{
        false};  // set by stop() from any thread, cleared when a move starts
};

}  // namespace acquila::devices
