// "sim.camera": a 2D detector, one uint16 output named after the device, shape [height,
// width] (row-major), axis labels "y", "x". A Gaussian spot on a background with Poisson
// noise seeded from (seed, device, point index). Without "axes" the spot circles the centre,
// one turn every orbit_points points; with axes [ax, ay] it sits at the image centre plus
// pixels_per_unit * position. read() does not allocate. Its cooler holds the sensor at -20 °C
// within 0.05 °C (a 30 s oscillation from the moment it opened): `sensor_temp`, read-only and
// monitored, the live readback the devices dock shows while no run is active.
#include "devices/sim/SimWorld.h"
#include "devices/DriverKit.h"
#include "devices/sim/SimNoise.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

namespace acquila::devices {
namespace {

class SimCamera final : public DetectorDriver {
public:
    SimCamera(const model::DeviceSpec& spec, const LabContext& ctx)
        : DetectorDriver(spec), seed_(ctx.seed), nameHash_(SimNoise::nameHash(spec.name)), world_(ctx.world) {
        const QString px = QStringLiteral("px"), counts = QStringLiteral("counts");
        property("width", &width_).label(QStringLiteral("Width")).readOnly();
        property("height", &height_).label(QStringLiteral("Height")).readOnly();
        property("spot_sigma", &sigma_).label(QStringLiteral("Spot size (sigma)")).unit(px);
        property("amplitude", &amplitude_).label(QStringLiteral("Spot height")).unit(counts);
        property("background", &background_).label(QStringLiteral("Background")).unit(counts);
        axes_ = params().strings("axes");
        property(QStringLiteral("axes"), model::PropertyType::String, [this] { return axes_.join(QLatin1String(", ")); }, {})
            .label(QStringLiteral("Axes moving the spot")).readOnly();
        property("pixels_per_unit", &pixelsPerUnit_).label(QStringLiteral("Pixels per axis unit")).unit(px);
        property("orbit_points", &orbitPoints_).label(QStringLiteral("Points per orbit"));
        property(QStringLiteral("sensor_temp"), model::PropertyType::Double, [this] { return sensorTemperature(); }, {})
            .label(QStringLiteral("Sensor temperature")).unit(QStringLiteral("°C")).readOnly().monitored();
        gx_.resize(size_t(width_));
        gy_.resize(size_t(height_));
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = QStringLiteral("Simulated camera, %1 x %2 pixels").arg(width_).arg(height_);
        d.outputs.push_back({name(), QStringLiteral("counts"), model::DType::UInt16, {height_, width_}, {QStringLiteral("y"), QStringLiteral("x")}});
    }

    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        if (ctx.exposureS > 0)
            if (const Checkpoint c = token.sleepFor(std::chrono::duration<double>(ctx.exposureS)); c != Checkpoint::Continue)
                return c;
        const auto [sx, sy] = spotCentre(ctx.index);
        // The spot is separable, so w + h exponentials make the whole frame.
        const double inv = 1.0 / (2.0 * sigma_ * sigma_);
        for (qint64 c = 0; c < width_; ++c) gx_[size_t(c)] = std::exp(-(double(c) - sx) * (double(c) - sx) * inv);
        for (qint64 r = 0; r < height_; ++r) gy_[size_t(r)] = amplitude_ * std::exp(-(double(r) - sy) * (double(r) - sy) * inv);
        SimNoise::Stream rng{SimNoise::key(seed_, nameHash_, ctx.index)};
        char* data = out[0].data;  // may be unaligned for uint16: store with memcpy
        for (qint64 r = 0; r < height_; ++r) {
            const double rowFactor = gy_[size_t(r)];
            for (qint64 c = 0; c < width_; ++c) {
                const double mean = background_ + rowFactor * gx_[size_t(c)];
                const auto v = uint16_t(std::min(rng.poisson(mean), 65535.0));
                std::memcpy(data + size_t(r * width_ + c) * 2, &v, 2);
            }
        }
        return Checkpoint::Continue;
    }

private:
    double sensorTemperature() const {
        const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - opened_).count();
        // Read to a thousandth of a degree, as a sensor reports it.
        return std::round((-20.0 + 0.05 * std::sin(6.283185307179586 * t / 30.0)) * 1000.0) / 1000.0;
    }

    /** Spot centre (x, y) in pixels at point `index` with the current positions. */
    std::pair<double, double> spotCentre(qint64 index) {
        if (!resolved_) {
            if (world_ && !axes_.isEmpty())
                for (int i = 0; i < 2; ++i) slots_[i] = world_->slot(axes_[i]);
            resolved_ = true;
        }
        const double cx = double(width_ - 1) / 2.0;
        const double cy = double(height_ - 1) / 2.0;
        if (!axes_.isEmpty()) {
            const double x = slots_[0] >= 0 ? world_->positionAt(slots_[0]) : 0.0;
            const double y = slots_[1] >= 0 ? world_->positionAt(slots_[1]) : 0.0;
            return {cx + pixelsPerUnit_ * x, cy + pixelsPerUnit_ * y};
        }
        const double radius = double(std::min(width_, height_)) / 4.0;
        const double angle = 6.283185307179586 * double(index % orbitPoints_) / double(orbitPoints_);
        return {cx + radius * std::cos(angle), cy + radius * std::sin(angle)};
    }

    qint64 width_ = 160;
    qint64 height_ = 120;
    double sigma_ = 6;
    double amplitude_ = 2000;
    double background_ = 100;
    QStringList axes_;  // empty or [x axis, y axis]
    double pixelsPerUnit_ = 1;
    qint64 orbitPoints_ = 50;
    int slots_[2] = {-1, -1};  // SimWorld slots of axes_, resolved on first read
    bool resolved_ = false;
    std::vector<double> gx_;  // per column: Gaussian factor of the current frame (scratch, reused)
    std::vector<double> gy_;  // per row, scaled by amplitude
    quint64 seed_;
    quint64 nameHash_;
    SimWorld* world_;  // not owned; may be null
    std::chrono::steady_clock::time_point opened_ = std::chrono::steady_clock::now();
};

}  // namespace

ACQUILA_REGISTER_DRIVER("sim.camera", SimCamera);

}  // namespace acquila::devices
