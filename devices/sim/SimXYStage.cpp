// "sim.xy_stage": two axes "<name>.x" and "<name>.y". Parameters as sim.motor; min, max,
// velocity and start take one number for both axes or a list [x, y]. stop() may come from
// any thread.
#include "devices/DriverKit.h"
#include "devices/sim/SimAxis.h"

#include <algorithm>

namespace acquila::devices {
namespace {

class SimXYStage final : public ActuatorDriver {
public:
    SimXYStage(const model::DeviceSpec& spec, const LabContext& ctx) : ActuatorDriver(spec) {
        const DriverParams& p = params();
        const QString unit = p.string("unit");
        const auto mins = p.numbers("min", 2), maxs = p.numbers("max", 2);
        const auto velocities = p.numbers("velocity", 2), starts = p.numbers("start", 2);
        axes_.reserve(2);
        for (size_t i = 0; i < 2; ++i) {
            // An explicit start must lie within the limits; the implicit 0 is clamped into them.
            const double start = p.has("start") ? starts[i] : std::clamp(0.0, mins[i], maxs[i]);
            axes_.emplace_back(name() + QLatin1Char('.') + QLatin1String(kSuffix[i]), unit, mins[i], maxs[i],
                               velocities[i], start, ctx.world);
        }
        for (size_t i = 0; i < 2; ++i) {
            const QString s = QLatin1String(kSuffix[i]), S = s.toUpper();
            SimAxis* a = &axes_[i];
            property(QStringLiteral("velocity_") + s, model::PropertyType::Double, [a] { return a->velocity(); },
                     [a](const QVariant& v) { a->setVelocity(v.toDouble()); })
                .label(S + QStringLiteral(" velocity")).unit(unit + QStringLiteral("/s")).range(0, kInf);
            property(QStringLiteral("min_") + s, model::PropertyType::Double, [a] { return a->min(); }, {})
                .label(S + QStringLiteral(" lower limit")).unit(unit).readOnly();
            property(QStringLiteral("max_") + s, model::PropertyType::Double, [a] { return a->max(); }, {})
                .label(S + QStringLiteral(" upper limit")).unit(unit).readOnly();
        }
        property("settle_s", &settleS_).label(QStringLiteral("Settle time")).unit(QStringLiteral("s"));
        property(QStringLiteral("unit"), model::PropertyType::String, [unit] { return unit; }, {})
            .label(QStringLiteral("Unit")).readOnly();
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = QStringLiteral("Simulated XY stage (%1)").arg(axes_[0].unit());
        for (const SimAxis& a : axes_) {
            d.axes.push_back(a.decl());
            d.positions.push_back(a.position());
        }
    }

    void stop() override { stopRequested_.store(true); }

    Checkpoint moveTo(int index, double position, const CancelToken& token) override {
        SimAxis& a = axes_[axis(index)];
        stopRequested_.store(false);
        return a.move(position, settleS_, token, stopRequested_);
    }

    double position(int index) const override { return axes_[axis(index)].position(); }

private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();
    static constexpr const char* kSuffix[] = {"x", "y"};

    size_t axis(int index) const {
        if (index < 0 || index > 1)
            throw DeviceError(QStringLiteral("%1: no axis %2 (the stage has axes 0 = x and 1 = y)").arg(name()).arg(index).toStdString());
        return size_t(index);
    }

    std::vector<SimAxis> axes_;  // x, y; never resized after construction (properties point into it)
    double settleS_ = 0;
    std::atomic<bool> stopRequested_{false};  // set by stop() from any thread, cleared when a move starts
};

}  // namespace

ACQUILA_REGISTER_DRIVER("sim.xy_stage", SimXYStage);

}  // namespace acquila::devices
