// "sim.gaussian": a 0D detector (one float64 output named after the device, unit "counts")
// whose signal is a Gaussian peak over axis positions read from the SimWorld plus seeded noise:
//   background + amplitude * exp(-sum((x - c)^2 / (2 w^2))) + noise * N(0, 1).
// The noise depends only on (lab seed, device name, point index). read() performs no
// allocation and no lookup once the axes are resolved.
#include "devices/sim/SimWorld.h"
#include "devices/DriverKit.h"
#include "devices/sim/SimNoise.h"

#include <cmath>
#include <cstring>

namespace acquila::devices {
namespace {

class SimGaussian final : public DetectorDriver {
public:
    SimGaussian(const model::DeviceSpec& spec, const LabContext& ctx)
        : DetectorDriver(spec), seed_(ctx.seed), nameHash_(SimNoise::nameHash(spec.name)), world_(ctx.world) {
        axisNames_ = params().strings("axes");
        const qsizetype n = axisNames_.size();
        center_ = params().numbers("center", n);
        width_ = params().numbers("width", n);
        for (double w : width_) invTwoW2_.push_back(1.0 / (2.0 * w * w));
        slots_.assign(size_t(n), -1);
        for (qsizetype i = 0; i < n; ++i) {
            const auto k = size_t(i);
            property(QStringLiteral("center.") + axisNames_[i], model::PropertyType::Double,
                     [this, k] { return center_[k]; }, [this, k](const QVariant& v) { center_[k] = v.toDouble(); })
                .label(QStringLiteral("Centre on ") + axisNames_[i]);
            property(QStringLiteral("width.") + axisNames_[i], model::PropertyType::Double,
                     [this, k] { return width_[k]; },
                     [this, k](const QVariant& v) {
                         width_[k] = v.toDouble();
                         invTwoW2_[k] = 1.0 / (2.0 * width_[k] * width_[k]);
                     })
                .label(QStringLiteral("Width on ") + axisNames_[i]).range(1e-12, kInf);
        }
        property("amplitude", &amplitude_).label(QStringLiteral("Amplitude")).unit(QStringLiteral("counts"));
        property("background", &background_).label(QStringLiteral("Background")).unit(QStringLiteral("counts"));
        property("noise", &noise_).label(QStringLiteral("Noise (std dev)")).unit(QStringLiteral("counts"));
        property(QStringLiteral("axes"), model::PropertyType::String,
                 [this] { return axisNames_.join(QLatin1String(", ")); }, {})
            .label(QStringLiteral("Axes")).readOnly();
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = axisNames_.isEmpty() ? QStringLiteral("Simulated detector (constant signal plus noise)")
                                         : QStringLiteral("Simulated Gaussian peak over %1").arg(axisNames_.join(QLatin1String(", ")));
        d.outputs.push_back({name(), QStringLiteral("counts"), model::DType::Float64, {}, {}});
    }

    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        if (ctx.exposureS > 0)
            if (const Checkpoint c = token.sleepFor(std::chrono::duration<double>(ctx.exposureS)); c != Checkpoint::Continue)
                return c;
        if (!resolved_) resolveAxes();
        double exponent = 0;
        for (size_t i = 0; i < slots_.size(); ++i) {
            const double dx = (slots_[i] >= 0 ? world_->positionAt(slots_[i]) : 0.0) - center_[i];
            exponent += dx * dx * invTwoW2_[i];
        }
        double value = background_ + amplitude_ * std::exp(-exponent);
        if (noise_ > 0) value += noise_ * SimNoise::normal(SimNoise::key(seed_, nameHash_, ctx.index));
        std::memcpy(out[0].data, &value, sizeof value);
        return Checkpoint::Continue;
    }

private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();

    void resolveAxes() {
        if (world_)
            for (qsizetype i = 0; i < axisNames_.size(); ++i) slots_[size_t(i)] = world_->slot(axisNames_[i]);
        resolved_ = true;
    }

    QStringList axisNames_;
    std::vector<double> center_;    // per axis, axis units
    std::vector<double> invTwoW2_;  // per axis, 1 / (2 width^2), cached for read()
    std::vector<double> width_;     // per axis, axis units
    std::vector<int> slots_;        // per axis, SimWorld slot; resolved on first read
    bool resolved_ = false;
    double amplitude_ = 1000;
    double background_ = 0;
    double noise_ = 0;
    quint64 seed_;
    quint64 nameHash_;
    SimWorld* world_;  // not owned; may be null
};

}  // namespace

ACQUILA_REGISTER_DRIVER("sim.gaussian", SimGaussian);

}  // namespace acquila::devices
