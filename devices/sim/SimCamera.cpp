#include "devices/sim/SimCamera.h"

#include "devices/DriverParams.h"
#include "devices/sim/SimNoise.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace acquila::devices {

SimCamera::SimCamera(const model::DeviceSpec& spec, const LabContext& ctx)
    : SimCamera(spec, ctx, DriverParams(spec)) {}

SimCamera::SimCamera(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& p)
    : Detector(spec.name),
      seed_(ctx.seed),
      nameHash_(SimNoise::nameHash(spec.name)),
      world_(ctx.world) {
    width_ = static_cast<int>(p.integer("width"));
    height_ = static_cast<int>(p.integer("height"));
    sigma_ = p.number("spot_sigma");
    amplitude_ = p.number("amplitude");
    background_ = p.number("background");
    axes_ = p.strings("axes");
    pixelsPerUnit_ = p.number("pixels_per_unit");
    orbitPoints_ = static_cast<int>(p.integer("orbit_points"));
    timeoutS_ = p.timeoutS();
    exclusive_ = p.exclusive();
    gx_.resize(static_cast<size_t>(width_));
    gy_.resize(static_cast<size_t>(height_));

    const double inf = PropertyTable::kInf;
    props_.addInt(QStringLiteral("width"), QStringLiteral("Width"), 1, 8192, width_, true);
    props_.addInt(QStringLiteral("height"), QStringLiteral("Height"), 1, 8192, height_, true);
    props_.addDouble(QStringLiteral("spot_sigma"), QStringLiteral("Spot size (sigma)"),
                     QStringLiteral("px"), 0.1, 1e4, sigma_);
    props_.addDouble(QStringLiteral("amplitude"), QStringLiteral("Spot height"),
                     QStringLiteral("counts"), 0, 65535, amplitude_);
    props_.addDouble(QStringLiteral("background"), QStringLiteral("Background"),
                     QStringLiteral("counts"), 0, 65535, background_);
    props_.addString(QStringLiteral("axes"), QStringLiteral("Axes moving the spot"),
                     axes_.join(QLatin1String(", ")), true);
    props_.addDouble(QStringLiteral("pixels_per_unit"), QStringLiteral("Pixels per axis unit"),
                     QStringLiteral("px"), -inf, inf, pixelsPerUnit_);
    props_.addInt(QStringLiteral("orbit_points"), QStringLiteral("Points per orbit"), 1, 1 << 30,
                  orbitPoints_);
    props_.addTimeout(timeoutS_);
}

model::DeviceDescription SimCamera::describe() const {
    model::DeviceDescription d;
    d.name = name();
    d.driver = QStringLiteral("sim.camera");
    d.kind = model::DeviceKind::Detector;
    d.concurrency = exclusive_ ? model::Concurrency::Exclusive : model::Concurrency::Replicable;
    d.summary = QStringLiteral("Simulated camera, %1 x %2 pixels").arg(width_).arg(height_);
    d.properties = props_.decls();
    d.values.insert(QStringLiteral("width"), width_);
    d.values.insert(QStringLiteral("height"), height_);
    d.values.insert(QStringLiteral("spot_sigma"), sigma_);
    d.values.insert(QStringLiteral("amplitude"), amplitude_);
    d.values.insert(QStringLiteral("background"), background_);
    d.values.insert(QStringLiteral("axes"), axes_.join(QLatin1String(", ")));
    d.values.insert(QStringLiteral("pixels_per_unit"), pixelsPerUnit_);
    d.values.insert(QStringLiteral("orbit_points"), orbitPoints_);
    d.values.insert(QStringLiteral("timeout_s"), timeoutS_);
    d.outputs.push_back({name(), QStringLiteral("counts"), model::DType::UInt16, {height_, width_}, {QStringLiteral("y"), QStringLiteral("x")}});
    return d;
}

void SimCamera::setProperty(const QString& id, const QVariant& value) {
    props_.validate(name(), id, value);
    const double v = value.toDouble();
    if (id == QLatin1String("spot_sigma"))
        sigma_ = v;
    else if (id == QLatin1String("amplitude"))
        amplitude_ = v;
    else if (id == QLatin1String("background"))
        background_ = v;
    else if (id == QLatin1String("pixels_per_unit"))
        pixelsPerUnit_ = v;
    else if (id == QLatin1String("orbit_points"))
        orbitPoints_ = static_cast<int>(v);
    else if (id == QLatin1String("timeout_s"))
        timeoutS_ = v;
}

std::pair<double, double> SimCamera::spotCentre(qint64 index) {
    if (!resolved_) {
        if (world_ && !axes_.isEmpty())
            for (int i = 0; i < 2; ++i) slots_[i] = world_->slot(axes_[i]);
        resolved_ = true;
    }
    const double cx = (width_ - 1) / 2.0;
    const double cy = (height_ - 1) / 2.0;
    if (!axes_.isEmpty()) {
        const double x = slots_[0] >= 0 ? world_->positionAt(slots_[0]) : 0.0;
        const double y = slots_[1] >= 0 ? world_->positionAt(slots_[1]) : 0.0;
        return {cx + pixelsPerUnit_ * x, cy + pixelsPerUnit_ * y};
    }
    const double radius = std::min(width_, height_) / 4.0;
    const double angle =
        6.283185307179586 * static_cast<double>(index % orbitPoints_) / orbitPoints_;
    return {cx + radius * std::cos(angle), cy + radius * std::sin(angle)};
}

Checkpoint SimCamera::read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                           const CancelToken& token) {
    const qint64 bytes = static_cast<qint64>(width_) * height_ * 2;
    if (out.empty() || out[0].capacity < bytes)
        throw DeviceError(QStringLiteral("%1: output buffer too small").arg(name()).toStdString());
    if (ctx.exposureS > 0) {
        const Checkpoint c = token.sleepFor(std::chrono::duration<double>(ctx.exposureS));
        if (c != Checkpoint::Continue) return c;
    }
    const auto [sx, sy] = spotCentre(ctx.index);
    // The spot is separable, so w + h exponentials make the whole frame.
    const double inv = 1.0 / (2.0 * sigma_ * sigma_);
    for (int c = 0; c < width_; ++c)
        gx_[static_cast<size_t>(c)] = std::exp(-(c - sx) * (c - sx) * inv);
    for (int r = 0; r < height_; ++r)
        gy_[static_cast<size_t>(r)] = amplitude_ * std::exp(-(r - sy) * (r - sy) * inv);

    SimNoise::Stream rng{SimNoise::key(seed_, nameHash_, ctx.index)};
    char* data = out[0].data;  // may be unaligned for uint16: store with memcpy
    for (int r = 0; r < height_; ++r) {
        const double rowFactor = gy_[static_cast<size_t>(r)];
        for (int c = 0; c < width_; ++c) {
            const double mean = background_ + rowFactor * gx_[static_cast<size_t>(c)];
            const auto v = static_cast<uint16_t>(std::min(rng.poisson(mean), 65535.0));
            std::memcpy(data + (static_cast<size_t>(r) * width_ + c) * 2, &v, 2);
        }
    }
    return Checkpoint::Continue;
}

}  // namespace acquila::devices
