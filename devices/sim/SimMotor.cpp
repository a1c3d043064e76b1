// "sim.motor": one simulated axis named after the device, moving at `velocity` (units/s,
// 0 = instant), then settling for `settle_s`. stop() may come from any thread.
#include "devices/DriverKit.h"
#include "devices/sim/SimAxis.h"

#include <algorithm>

namespace acquila::devices {
namespace {

class SimMotor final : public ActuatorDriver {
public:
    SimMotor(const model::DeviceSpec& spec, const LabContext& ctx)
        : ActuatorDriver(spec), axis_(makeAxis(spec.name, ctx)) {
        const QString u = axis_.unit();
        property(QStringLiteral("velocity"), model::PropertyType::Double, [this] { return axis_.velocity(); },
                 [this](const QVariant& v) { axis_.setVelocity(v.toDouble()); })
            .label(QStringLiteral("Velocity")).unit(u + QStringLiteral("/s")).range(0, kInf);
        property("settle_s", &settleS_).label(QStringLiteral("Settle time")).unit(QStringLiteral("s"));
        property(QStringLiteral("min"), model::PropertyType::Double, [this] { return axis_.min(); }, {})
            .label(QStringLiteral("Lower limit")).unit(u).readOnly();
        property(QStringLiteral("max"), model::PropertyType::Double, [this] { return axis_.max(); }, {})
            .label(QStringLiteral("Upper limit")).unit(u).readOnly();
        property(QStringLiteral("unit"), model::PropertyType::String, [u] { return u; }, {})
            .label(QStringLiteral("Unit")).readOnly();
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = QStringLiteral("Simulated motor (%1)").arg(axis_.unit());
        d.axes.push_back(axis_.decl());
        d.positions.push_back(axis_.position());
    }

    void stop() override { stopRequested_.store(true); }

    Checkpoint moveTo(int axis, double position, const CancelToken& token) override {
        checkAxis(axis);
        stopRequested_.store(false);
        return axis_.move(position, settleS_, token, stopRequested_);
    }

    double position(int axis) const override {
        checkAxis(axis);
        return axis_.position();
    }

private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();

    SimAxis makeAxis(const QString& name, const LabContext& ctx) const {
        const DriverParams& p = params();
        const double min = p.number("min"), max = p.number("max");
        return SimAxis(name, p.string("unit"), min, max, p.number("velocity"), p.number("start", std::clamp(0.0, min, max)), ctx.world);
    }
    void checkAxis(int axis) const {
        if (axis != 0)
            throw DeviceError(QStringLiteral("%1: no axis %2 (the motor has one axis)").arg(name()).arg(axis).toStdString());
    }

    SimAxis axis_;
    double settleS_ = 0;
    std::atomic<bool> stopRequested_{false};  // set by stop() from any thread, cleared when a move starts
};

}  // namespace

ACQUILA_REGISTER_DRIVER("sim.motor", SimMotor);

}  // namespace acquila::devices
