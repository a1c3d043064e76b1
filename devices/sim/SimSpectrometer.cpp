// "sim.spectrometer": a 1D detector, one float64 output named after the device, shape
// [pixels], axis label "wavelength", unit "counts". A Gaussian line over a linear wavelength
// scale; its centre is
//   peak_nm + shift_per_unit * position(axis)           when "axis" is set, or
//   peak_nm + step_nm * index (wrapped into the range)  otherwise,
// plus noise seeded from (seed, device, point index).
#include "devices/sim/SimWorld.h"
#include "devices/DriverKit.h"
#include "devices/sim/SimNoise.h"

#include <cmath>
#include <cstring>

namespace acquila::devices {
namespace {

class SimSpectrometer final : public DetectorDriver {
public:
    SimSpectrometer(const model::DeviceSpec& spec, const LabContext& ctx)
        : DetectorDriver(spec), seed_(ctx.seed), nameHash_(SimNoise::nameHash(spec.name)), world_(ctx.world) {
        const QString nm = QStringLiteral("nm"), counts = QStringLiteral("counts");
        property("pixels", &pixels_).label(QStringLiteral("Pixels")).readOnly();
        property("wl_min", &wlMin_).label(QStringLiteral("First wavelength")).unit(nm).readOnly();
        property("wl_max", &wlMax_).label(QStringLiteral("Last wavelength")).unit(nm).readOnly();
        property("axis", &axis_).label(QStringLiteral("Axis moving the line")).readOnly();
        // Unset, the line starts in the middle of the range (not at the declared 600 nm).
        peakNm_ = params().number("peak_nm", (wlMin_ + wlMax_) / 2);
        property(QStringLiteral("peak_nm"), model::PropertyType::Double, [this] { return peakNm_; },
                 [this](const QVariant& v) { peakNm_ = v.toDouble(); })
            .label(QStringLiteral("Line position")).unit(nm);
        property("shift_per_unit", &shiftPerUnit_).label(QStringLiteral("Shift per axis unit")).unit(nm);
        property("step_nm", &stepNm_).label(QStringLiteral("Drift per point")).unit(nm);
        property("width_nm", &widthNm_).label(QStringLiteral("Line width")).unit(nm);
        property("amplitude", &amplitude_).label(QStringLiteral("Amplitude")).unit(counts);
        property("background", &background_).label(QStringLiteral("Background")).unit(counts);
        property("noise", &noise_).label(QStringLiteral("Noise (std dev)")).unit(counts);
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = QStringLiteral("Simulated spectrometer, %1 pixels over %2–%3 nm").arg(pixels_).arg(wlMin_).arg(wlMax_);
        d.outputs.push_back({name(), QStringLiteral("counts"), model::DType::Float64, {pixels_}, {QStringLiteral("wavelength")}});
    }

    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        if (ctx.exposureS > 0)
            if (const Checkpoint c = token.sleepFor(std::chrono::duration<double>(ctx.exposureS)); c != Checkpoint::Continue)
                return c;
        const double centre = peakPosition(ctx.index);
        const double step = (wlMax_ - wlMin_) / double(pixels_ - 1);
        const double inv = 1.0 / (2.0 * widthNm_ * widthNm_);
        // Beyond 6 widths the line is below 1e-8 of its height: skip the exp there.
        const double reach = 6.0 * widthNm_;
        SimNoise::Stream rng{SimNoise::key(seed_, nameHash_, ctx.index)};
        char* data = out[0].data;  // the buffer need not be 8-byte aligned: store with memcpy
        for (qint64 i = 0; i < pixels_; ++i) {
            const double dx = wlMin_ + step * double(i) - centre;
            double v = background_;
            if (std::abs(dx) < reach) v += amplitude_ * std::exp(-dx * dx * inv);
            if (noise_ > 0) v += noise_ * rng.fastNormal();
            std::memcpy(data + size_t(i) * sizeof v, &v, sizeof v);
        }
        return Checkpoint::Continue;
    }

private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();

    /** Where the line is at point `index` with the current positions, in nm. */
    double peakPosition(qint64 index) {
        if (!resolved_) {
            if (world_ && !axis_.isEmpty()) slot_ = world_->slot(axis_);
            resolved_ = true;
        }
        if (!axis_.isEmpty()) return peakNm_ + shiftPerUnit_ * (slot_ >= 0 ? world_->positionAt(slot_) : 0.0);
        // Drift through the whole range and wrap, so long runs keep the line visible.
        const double range = wlMax_ - wlMin_;
        const double offset = std::fmod(peakNm_ - wlMin_ + stepNm_ * double(index), range);
        return wlMin_ + (offset < 0 ? offset + range : offset);
    }

    qint64 pixels_ = 512;
    double wlMin_ = 400;
    double wlMax_ = 800;
    QString axis_;  // empty: the line drifts with the point index
    double peakNm_ = 600;
    double shiftPerUnit_ = 1;
    double stepNm_ = 0.5;
    double widthNm_ = 8;
    double amplitude_ = 1000;
    double background_ = 20;
    double noise_ = 3;
    int slot_ = -1;  // SimWorld slot of axis_, resolved on first read
    bool resolved_ = false;
    quint64 seed_;
    quint64 nameHash_;
    SimWorld* world_;  // not owned; may be null
};

}  // namespace

ACQUILA_REGISTER_DRIVER("sim.spectrometer", SimSpectrometer);

}  // namespace acquila::devices
