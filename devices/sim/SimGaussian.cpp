#include "devices/sim/SimGaussian.h"

#include "devices/DriverParams.h"
#include "devices/sim/SimNoise.h"

#include <cmath>
#include <cstring>

namespace acquila::devices {

SimGaussian::SimGaussian(const model::DeviceSpec& spec, const LabContext& ctx)
    : SimGaussian(spec, ctx, DriverParams(spec)) {}

SimGaussian::SimGaussian(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& p)
    : Detector(spec.name),
      seed_(ctx.seed),
      nameHash_(SimNoise::nameHash(spec.name)),
      world_(ctx.world) {
    axisNames_ = p.strings("axes");
    const qsizetype n = axisNames_.size();
    center_ = p.numbers("center", n);
    width_ = p.numbers("width", n);
    amplitude_ = p.number("amplitude");
    background_ = p.number("background");
    noise_ = p.number("noise");
    timeoutS_ = p.timeoutS();
    exclusive_ = p.exclusive();

    for (double w : width_) invTwoW2_.push_back(1.0 / (2.0 * w * w));
    slots_.assign(static_cast<size_t>(n), -1);

    for (qsizetype i = 0; i < n; ++i) {
        props_.addDouble(QStringLiteral("center.") + axisNames_[i],
                         QStringLiteral("Centre on ") + axisNames_[i], {}, -PropertyTable::kInf,
                         PropertyTable::kInf, center_[static_cast<size_t>(i)]);
        props_.addDouble(QStringLiteral("width.") + axisNames_[i],
                         QStringLiteral("Width on ") + axisNames_[i], {}, 1e-12,
                         PropertyTable::kInf, width_[static_cast<size_t>(i)]);
    }
    props_.addDouble(QStringLiteral("amplitude"), QStringLiteral("Amplitude"),
                     QStringLiteral("counts"), -PropertyTable::kInf, PropertyTable::kInf,
                     amplitude_);
    props_.addDouble(QStringLiteral("background"), QStringLiteral("Background"),
                     QStringLiteral("counts"), -PropertyTable::kInf, PropertyTable::kInf,
                     background_);
    props_.addDouble(QStringLiteral("noise"), QStringLiteral("Noise (std dev)"),
                     QStringLiteral("counts"), 0, PropertyTable::kInf, noise_);
    props_.addString(QStringLiteral("axes"), QStringLiteral("Axes"),
                     axisNames_.join(QLatin1String(", ")), true);
    props_.addTimeout(timeoutS_);
}

model::DeviceDescription SimGaussian::describe() const {
    model::DeviceDescription d;
    d.name = name();
    d.driver = QStringLiteral("sim.gaussian");
    d.kind = model::DeviceKind::Detector;
    d.concurrency = exclusive_ ? model::Concurrency::Exclusive : model::Concurrency::Replicable;
    d.summary = axisNames_.isEmpty()
                    ? QStringLiteral("Simulated detector (constant signal plus noise)")
                    : QStringLiteral("Simulated Gaussian peak over %1")
                          .arg(axisNames_.join(QLatin1String(", ")));
    d.properties = props_.decls();
    for (qsizetype i = 0; i < axisNames_.size(); ++i) {
        d.values.insert(QStringLiteral("center.") + axisNames_[i], center_[static_cast<size_t>(i)]);
        d.values.insert(QStringLiteral("width.") + axisNames_[i], width_[static_cast<size_t>(i)]);
    }
    d.values.insert(QStringLiteral("amplitude"), amplitude_);
    d.values.insert(QStringLiteral("background"), background_);
    d.values.insert(QStringLiteral("noise"), noise_);
    d.values.insert(QStringLiteral("axes"), axisNames_.join(QLatin1String(", ")));
    d.values.insert(QStringLiteral("timeout_s"), timeoutS_);
    d.outputs.push_back({name(), QStringLiteral("counts"), model::DType::Float64, {}, {}});
    return d;
}

void SimGaussian::setProperty(const QString& id, const QVariant& value) {
    props_.validate(name(), id, value);
    const double v = value.toDouble();
    if (id == QLatin1String("amplitude"))
        amplitude_ = v;
    else if (id == QLatin1String("background"))
        background_ = v;
    else if (id == QLatin1String("noise"))
        noise_ = v;
    else if (id == QLatin1String("timeout_s"))
        timeoutS_ = v;
    for (qsizetype i = 0; i < axisNames_.size(); ++i) {
        const auto k = static_cast<size_t>(i);
        if (id == QStringLiteral("center.") + axisNames_[i]) center_[k] = v;
        if (id == QStringLiteral("width.") + axisNames_[i]) {
            width_[k] = v;
            invTwoW2_[k] = 1.0 / (2.0 * v * v);
        }
    }
}

void SimGaussian::resolveAxes() {
    if (world_)
        for (qsizetype i = 0; i < axisNames_.size(); ++i)
            slots_[static_cast<size_t>(i)] = world_->slot(axisNames_[i]);
    resolved_ = true;
}

double SimGaussian::idealValue() {
    if (!resolved_) resolveAxes();
    double exponent = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
        const double x = slots_[i] >= 0 ? world_->positionAt(slots_[i]) : 0.0;
        const double dx = x - center_[i];
        exponent += dx * dx * invTwoW2_[i];
    }
    return background_ + amplitude_ * std::exp(-exponent);
}

Checkpoint SimGaussian::read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                             const CancelToken& token) {
    if (out.empty() || out[0].capacity < static_cast<qint64>(sizeof(double)))
        throw DeviceError(QStringLiteral("%1: output buffer too small").arg(name()).toStdString());
    if (ctx.exposureS > 0) {
        const Checkpoint c = token.sleepFor(std::chrono::duration<double>(ctx.exposureS));
        if (c != Checkpoint::Continue) return c;
    }
    double value = idealValue();
    if (noise_ > 0) value += noise_ * SimNoise::normal(SimNoise::key(seed_, nameHash_, ctx.index));
    std::memcpy(out[0].data, &value, sizeof value);
    return Checkpoint::Continue;
}

}  // namespace acquila::devices
