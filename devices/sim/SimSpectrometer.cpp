#include "devices/sim/SimSpectrometer.h"

#include "devices/DriverParams.h"
#include "devices/sim/SimNoise.h"

#include <cmath>
#include <cstring>

namespace acquila::devices {

SimSpectrometer::SimSpectrometer(const model::DeviceSpec& spec, const LabContext& ctx)
    : SimSpectrometer(spec, ctx, DriverParams(spec)) {}

SimSpectrometer::SimSpectrometer(const model::DeviceSpec& spec, const LabContext& ctx,
                                 DriverParams&& p)
    : Detector(spec.name),
      seed_(ctx.seed),
      nameHash_(SimNoise::nameHash(spec.name)),
      world_(ctx.world) {
    pixels_ = static_cast<int>(p.integer("pixels"));
    wlMin_ = p.number("wl_min");
    wlMax_ = p.number("wl_max");
    axis_ = p.string("axis");
    peakNm_ = p.number("peak_nm", (wlMin_ + wlMax_) / 2);
    shiftPerUnit_ = p.number("shift_per_unit");
    stepNm_ = p.number("step_nm");
    widthNm_ = p.number("width_nm");
    amplitude_ = p.number("amplitude");
    background_ = p.number("background");
    noise_ = p.number("noise");
    timeoutS_ = p.timeoutS();
    exclusive_ = p.exclusive();

    const double inf = PropertyTable::kInf;
    const QString nm = QStringLiteral("nm");
    props_.addInt(QStringLiteral("pixels"), QStringLiteral("Pixels"), 2, 1 << 20, pixels_, true);
    props_.addDouble(QStringLiteral("wl_min"), QStringLiteral("First wavelength"), nm, -inf, inf,
                     wlMin_, true);
    props_.addDouble(QStringLiteral("wl_max"), QStringLiteral("Last wavelength"), nm, -inf, inf,
                     wlMax_, true);
    props_.addString(QStringLiteral("axis"), QStringLiteral("Axis moving the line"), axis_, true);
    props_.addDouble(QStringLiteral("peak_nm"), QStringLiteral("Line position"), nm, -inf, inf,
                     peakNm_);
    props_.addDouble(QStringLiteral("shift_per_unit"), QStringLiteral("Shift per axis unit"), nm,
                     -inf, inf, shiftPerUnit_);
    props_.addDouble(QStringLiteral("step_nm"), QStringLiteral("Drift per point"), nm, -inf, inf,
                     stepNm_);
    props_.addDouble(QStringLiteral("width_nm"), QStringLiteral("Line width"), nm, 1e-9, inf,
                     widthNm_);
    props_.addDouble(QStringLiteral("amplitude"), QStringLiteral("Amplitude"),
                     QStringLiteral("counts"), -inf, inf, amplitude_);
    props_.addDouble(QStringLiteral("background"), QStringLiteral("Background"),
                     QStringLiteral("counts"), -inf, inf, background_);
    props_.addDouble(QStringLiteral("noise"), QStringLiteral("Noise (std dev)"),
                     QStringLiteral("counts"), 0, inf, noise_);
    props_.addTimeout(timeoutS_);
}

model::DeviceDescription SimSpectrometer::describe() const {
    model::DeviceDescription d;
    d.name = name();
    d.driver = QStringLiteral("sim.spectrometer");
    d.kind = model::DeviceKind::Detector;
    d.concurrency = exclusive_ ? model::Concurrency::Exclusive : model::Concurrency::Replicable;
    d.summary = QStringLiteral("Simulated spectrometer, %1 pixels over %2–%3 nm")
                    .arg(pixels_)
                    .arg(wlMin_)
                    .arg(wlMax_);
    d.properties = props_.decls();
    d.values.insert(QStringLiteral("pixels"), pixels_);
    d.values.insert(QStringLiteral("wl_min"), wlMin_);
    d.values.insert(QStringLiteral("wl_max"), wlMax_);
    d.values.insert(QStringLiteral("axis"), axis_);
    d.values.insert(QStringLiteral("peak_nm"), peakNm_);
    d.values.insert(QStringLiteral("shift_per_unit"), shiftPerUnit_);
    d.values.insert(QStringLiteral("step_nm"), stepNm_);
    d.values.insert(QStringLiteral("width_nm"), widthNm_);
    d.values.insert(QStringLiteral("amplitude"), amplitude_);
    d.values.insert(QStringLiteral("background"), background_);
    d.values.insert(QStringLiteral("noise"), noise_);
    d.values.insert(QStringLiteral("timeout_s"), timeoutS_);
    d.outputs.push_back({name(), QStringLiteral("counts"), model::DType::Float64, {pixels_}, {QStringLiteral("wavelength")}});
    return d;
}

void SimSpectrometer::setProperty(const QString& id, const QVariant& value) {
    props_.validate(name(), id, value);
    const double v = value.toDouble();
    if (id == QLatin1String("peak_nm"))
        peakNm_ = v;
    else if (id == QLatin1String("shift_per_unit"))
        shiftPerUnit_ = v;
    else if (id == QLatin1String("step_nm"))
        stepNm_ = v;
    else if (id == QLatin1String("width_nm"))
        widthNm_ = v;
    else if (id == QLatin1String("amplitude"))
        amplitude_ = v;
    else if (id == QLatin1String("background"))
        background_ = v;
    else if (id == QLatin1String("noise"))
        noise_ = v;
    else if (id == QLatin1String("timeout_s"))
        timeoutS_ = v;
}

double SimSpectrometer::peakPosition(qint64 index) {
    if (!resolved_) {
        if (world_ && !axis_.isEmpty()) slot_ = world_->slot(axis_);
        resolved_ = true;
    }
    if (!axis_.isEmpty())
        return peakNm_ + shiftPerUnit_ * (slot_ >= 0 ? world_->positionAt(slot_) : 0.0);
    // Drift through the whole range and wrap, so long runs keep the line visible.
    const double range = wlMax_ - wlMin_;
    const double offset = std::fmod(peakNm_ - wlMin_ + stepNm_ * static_cast<double>(index), range);
    return wlMin_ + (offset < 0 ? offset + range : offset);
}

Checkpoint SimSpectrometer::read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                                 const CancelToken& token) {
    if (out.empty() || out[0].capacity < static_cast<qint64>(pixels_) * 8)
        throw DeviceError(QStringLiteral("%1: output buffer too small").arg(name()).toStdString());
    if (ctx.exposureS > 0) {
        const Checkpoint c = token.sleepFor(std::chrono::duration<double>(ctx.exposureS));
        if (c != Checkpoint::Continue) return c;
    }
    const double centre = peakPosition(ctx.index);
    const double step = (wlMax_ - wlMin_) / (pixels_ - 1);
    const double inv = 1.0 / (2.0 * widthNm_ * widthNm_);
    // Beyond 6 widths the line is below 1e-8 of its height: skip the exp there.
    const double reach = 6.0 * widthNm_;
    SimNoise::Stream rng{SimNoise::key(seed_, nameHash_, ctx.index)};
    char* data = out[0].data;  // the buffer need not be 8-byte aligned: store with memcpy
    for (int i = 0; i < pixels_; ++i) {
        const double dx = wlMin_ + step * i - centre;
        double v = background_;
        if (std::abs(dx) < reach) v += amplitude_ * std::exp(-dx * dx * inv);
        if (noise_ > 0) v += noise_ * rng.fastNormal();
        std::memcpy(data + static_cast<size_t>(i) * sizeof v, &v, sizeof v);
    }
    return Checkpoint::Continue;
}

}  // namespace acquila::devices
