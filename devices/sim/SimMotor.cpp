#include "devices/sim/SimMotor.h"

#include "devices/DriverParams.h"

#include <algorithm>

namespace acquila::devices {

namespace {
SimAxis makeAxis(const model::DeviceSpec& spec, const LabContext& ctx, const DriverParams& p) {
    const QString unit = p.string("unit");
    const double min = p.number("min");
    const double max = p.number("max");
    const double velocity = p.number("velocity");
    const double start = p.number("start", std::clamp(0.0, min, max));
    return SimAxis(spec.name, unit, min, max, velocity, start, ctx.world);
}
}  // namespace

SimMotor::SimMotor(const model::DeviceSpec& spec, const LabContext& ctx)
    : SimMotor(spec, ctx, DriverParams(spec)) {}

SimMotor::SimMotor(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& p)
    : Actuator(spec.name), axis_(makeAxis(spec, ctx, p)) {
    settleS_ = p.number("settle_s");
    timeoutS_ = p.timeoutS();
    exclusive_ = p.exclusive();

    const QString u = axis_.unit();
    props_.addDouble(QStringLiteral("velocity"), QStringLiteral("Velocity"),
                     u + QStringLiteral("/s"), 0, PropertyTable::kInf, axis_.velocity());
    props_.addDouble(QStringLiteral("settle_s"), QStringLiteral("Settle time"), QStringLiteral("s"),
                     0, 3600, settleS_);
    props_.addDouble(QStringLiteral("min"), QStringLiteral("Lower limit"), u, -PropertyTable::kInf,
                     PropertyTable::kInf, axis_.min(), true);
    props_.addDouble(QStringLiteral("max"), QStringLiteral("Upper limit"), u, -PropertyTable::kInf,
                     PropertyTable::kInf, axis_.max(), true);
    props_.addString(QStringLiteral("unit"), QStringLiteral("Unit"), u, true);
    props_.addTimeout(timeoutS_);
}

model::DeviceDescription SimMotor::describe() const {
    model::DeviceDescription d;
    d.name = name();
    d.driver = QStringLiteral("sim.motor");
    d.kind = model::DeviceKind::Actuator;
    d.concurrency = exclusive_ ? model::Concurrency::Exclusive : model::Concurrency::Replicable;
    d.summary = QStringLiteral("Simulated motor (%1)").arg(axis_.unit());
    d.properties = props_.decls();
    d.values.insert(QStringLiteral("velocity"), axis_.velocity());
    d.values.insert(QStringLiteral("settle_s"), settleS_);
    d.values.insert(QStringLiteral("min"), axis_.min());
    d.values.insert(QStringLiteral("max"), axis_.max());
    d.values.insert(QStringLiteral("unit"), axis_.unit());
    d.values.insert(QStringLiteral("timeout_s"), timeoutS_);
    d.axes.push_back(axis_.decl());
    d.positions.push_back(axis_.position());
    return d;
}

void SimMotor::setProperty(const QString& id, const QVariant& value) {
    props_.validate(name(), id, value);
    const double v = value.toDouble();
    if (id == QLatin1String("velocity"))
        axis_.setVelocity(v);
    else if (id == QLatin1String("settle_s"))
        settleS_ = v;
    else if (id == QLatin1String("timeout_s"))
        timeoutS_ = v;
}

void SimMotor::checkAxis(int axis) const {
    if (axis != 0)
        throw DeviceError(QStringLiteral("%1: no axis %2 (the motor has one axis)")
                              .arg(name())
                              .arg(axis)
                              .toStdString());
}

Checkpoint SimMotor::moveTo(int axis, double position, const CancelToken& token) {
    checkAxis(axis);
    stopRequested_.store(false);
    return axis_.move(position, settleS_, token, stopRequested_);
}

double SimMotor::position(int axis) const {
    checkAxis(axis);
    return axis_.position();
}

}  // namespace acquila::devices
