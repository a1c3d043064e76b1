#pragma once
#include "devices/Device.h"
#include "devices/PropertyTable.h"
#include "devices/sim/SimAxis.h"

#include <atomic>
#include <vector>

namespace acquila::devices {

class DriverParams;

/**
 * "sim.xy_stage": two axes "<name>.x" and "<name>.y". Parameters as
 * sim.motor; min, max, velocity and start take one number for both axes or a
 * list [x, y]. Executor thread only, except stop().
 */
class SimXYStage final : public Actuator {
public:
    /** Throws DeviceError for bad parameters. `ctx.world` may be null. */
    SimXYStage(const model::DeviceSpec& spec, const LabContext& ctx);

    model::DeviceDescription describe() const override;
    void setProperty(const QString& id, const QVariant& value) override;
    void stop() override { stopRequested_.store(true); }
    double timeoutS() const override { return timeoutS_; }
    Checkpoint moveTo(int axis, double position, const CancelToken& token) override;
    double position(int axis) const override;

private:
    SimXYStage(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& params);
    SimAxis& axis(int index);
    const SimAxis& axis(int index) const;

    PropertyTable props_;
    std::vector<SimAxis> axes_;  // x, y
    double settleS_ = 0;
    double timeoutS_ = 10;
    bool exclusive_ = false;
    std::atomic<bool> stopRequested_{
        false};  // set by stop() from any thread, cleared when a move starts
};

}  // namespace acquila::devices
