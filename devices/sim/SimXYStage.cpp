#include "devices/sim/SimXYStage.h"

#include "devices/DriverParams.h"

#include <algorithm>

namespace acquila::devices {

namespace {
const char* const kAxisSuffix[] = {"x", "y"};
}

SimXYStage::SimXYStage(const model::DeviceSpec& spec, const LabContext& ctx)
    : SimXYStage(spec, ctx, DriverParams(spec)) {}

SimXYStage::SimXYStage(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& p)
    : Actuator(spec.name) {
    const QString unit = p.string("unit");
    const auto mins = p.numbers("min", 2);
    const auto maxs = p.numbers("max", 2);
    const auto velocities = p.numbers("velocity", 2);
    const auto starts = p.numbers("start", 2);
    settleS_ = p.number("settle_s");
    timeoutS_ = p.timeoutS();
    exclusive_ = p.exclusive();

    axes_.reserve(2);
    for (size_t i = 0; i < 2; ++i) {
        // An explicit start must lie within the limits; the implicit 0 is clamped into them.
        const double start = p.has("start") ? starts[i] : std::clamp(0.0, mins[i], maxs[i]);
        axes_.emplace_back(name() + QLatin1Char('.') + QLatin1String(kAxisSuffix[i]), unit, mins[i],
                           maxs[i], velocities[i], start, ctx.world);
    }

    for (size_t i = 0; i < 2; ++i) {
        const QString s = QLatin1String(kAxisSuffix[i]);
        const QString S = s.toUpper();
        props_.addDouble(QStringLiteral("velocity_") + s, S + QStringLiteral(" velocity"),
                         unit + QStringLiteral("/s"), 0, PropertyTable::kInf, velocities[i]);
        props_.addDouble(QStringLiteral("min_") + s, S + QStringLiteral(" lower limit"), unit,
                         -PropertyTable::kInf, PropertyTable::kInf, mins[i], true);
        props_.addDouble(QStringLiteral("max_") + s, S + QStringLiteral(" upper limit"), unit,
                         -PropertyTable::kInf, PropertyTable::kInf, maxs[i], true);
    }
    props_.addDouble(QStringLiteral("settle_s"), QStringLiteral("Settle time"), QStringLiteral("s"),
                     0, 3600, settleS_);
    props_.addString(QStringLiteral("unit"), QStringLiteral("Unit"), unit, true);
    props_.addTimeout(timeoutS_);
}

model::DeviceDescription SimXYStage::describe() const {
    model::DeviceDescription d;
    d.name = name();
    d.driver = QStringLiteral("sim.xy_stage");
    d.kind = model::DeviceKind::Actuator;
    d.concurrency = exclusive_ ? model::Concurrency::Exclusive : model::Concurrency::Replicable;
    d.summary = QStringLiteral("Simulated XY stage (%1)").arg(axes_[0].unit());
    d.properties = props_.decls();
    for (size_t i = 0; i < 2; ++i) {
        const QString s = QLatin1String(kAxisSuffix[i]);
        d.values.insert(QStringLiteral("velocity_") + s, axes_[i].velocity());
        d.values.insert(QStringLiteral("min_") + s, axes_[i].min());
        d.values.insert(QStringLiteral("max_") + s, axes_[i].max());
        d.axes.push_back(axes_[i].decl());
        d.positions.push_back(axes_[i].position());
    }
    d.values.insert(QStringLiteral("settle_s"), settleS_);
    d.values.insert(QStringLiteral("unit"), axes_[0].unit());
    d.values.insert(QStringLiteral("timeout_s"), timeoutS_);
    return d;
}

void SimXYStage::setProperty(const QString& id, const QVariant& value) {
    props_.validate(name(), id, value);
    const double v = value.toDouble();
    if (id == QLatin1String("velocity_x"))
        axes_[0].setVelocity(v);
    else if (id == QLatin1String("velocity_y"))
        axes_[1].setVelocity(v);
    else if (id == QLatin1String("settle_s"))
        settleS_ = v;
    else if (id == QLatin1String("timeout_s"))
        timeoutS_ = v;
}

SimAxis& SimXYStage::axis(int index) {
    return const_cast<SimAxis&>(std::as_const(*this).axis(index));
}

const SimAxis& SimXYStage::axis(int index) const {
    if (index < 0 || index > 1)
        throw DeviceError(QStringLiteral("%1: no axis %2 (the stage has axes 0 = x and 1 = y)")
                              .arg(name())
                              .arg(index)
                              .toStdString());
    return axes_[static_cast<size_t>(index)];
}

Checkpoint SimXYStage::moveTo(int index, double position, const CancelToken& token) {
    SimAxis& a = axis(index);
    stopRequested_.store(false);
    return a.move(position, settleS_, token, stopRequested_);
}

double SimXYStage::position(int index) const {
    return axis(index).position();
}

}  // namespace acquila::devices
