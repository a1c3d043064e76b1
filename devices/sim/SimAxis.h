#pragma once
#include "devices/Device.h"

#include <QString>
#include <atomic>

namespace acquila::devices {

/**
 * One simulated motion axis: limits, velocity and the current position, which
 * it publishes to the SimWorld so simulated detectors can read it. Owned by a
 * motor or stage driver; executor thread only.
 */
class SimAxis {
public:
    SimAxis(QString fullName, QString unit, double min, double max, double velocity, double start,
            SimWorld* world);

    /**
     * Moves to `target` at the axis velocity (0 = instantly), then waits
     * `settleS` seconds, all cooperatively. Throws DeviceError when the target
     * is outside the limits. If the token or `stopFlag` interrupts the motion,
     * the axis stays where it got to and the checkpoint is returned.
     */
    Checkpoint move(double target, double settleS, const CancelToken& token,
                    const std::atomic<bool>& stopFlag);

    model::AxisDecl decl() const { return {name_, unit_, min_, max_}; }
    const QString& name() const { return name_; }
    const QString& unit() const { return unit_; }
    double min() const { return min_; }
    double max() const { return max_; }
    double position() const { return position_; }
    double velocity() const { return velocity_; }
    void setVelocity(double v) { velocity_ = v; }

private:
    void publish(double value);

    QString name_;
    QString unit_;
    double min_;
    double max_;
    double velocity_;  // units per second; 0 = instant
    double position_;
    SimWorld* world_;  // may be null (a device used on its own); not owned
    int slot_ = -1;    // this axis's slot in world_
};

/**
 * Sleeps `seconds` cooperatively: returns the token's checkpoint, or Abort
 * as soon as `stopFlag` is set (a device's stop() hook). Executor thread.
 */
Checkpoint interruptibleSleep(double seconds, const CancelToken& token,
                              const std::atomic<bool>& stopFlag);

}  // namespace acquila::devices
