#include "devices/sim/SimCpu.h"

#include "devices/DriverParams.h"
#include "devices/sim/SimNoise.h"

#include <chrono>
#include <cstring>

namespace acquila::devices {

namespace {
constexpr qint64 kMaxCostUs = 60'000'000;
// Written after every burst of work so the compiler cannot drop the loop.
std::atomic<uint64_t> g_sink{0};
}  // namespace

SimCpu::SimCpu(const model::DeviceSpec& spec, const LabContext& ctx)
    : SimCpu(spec, ctx, DriverParams(spec)) {}

SimCpu::SimCpu(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& p)
    : Detector(spec.name), seed_(ctx.seed), nameHash_(SimNoise::nameHash(spec.name)) {
    costUs_ = p.integer("cost_us");
    timeoutS_ = p.timeoutS();
    exclusive_ = p.exclusive();
    props_.addInt(QStringLiteral("cost_us"), QStringLiteral("CPU cost per point (µs)"), 0,
                  kMaxCostUs, costUs_);
    props_.addTimeout(timeoutS_);
}

model::DeviceDescription SimCpu::describe() const {
    model::DeviceDescription d;
    d.name = name();
    d.driver = QStringLiteral("sim.cpu");
    d.kind = model::DeviceKind::Detector;
    d.concurrency = exclusive_ ? model::Concurrency::Exclusive : model::Concurrency::Replicable;
    d.summary = QStringLiteral("Simulated computation, %1 µs of CPU per point").arg(costUs_);
    d.properties = props_.decls();
    d.values.insert(QStringLiteral("cost_us"), costUs_);
    d.values.insert(QStringLiteral("timeout_s"), timeoutS_);
    d.outputs.push_back({name(), QStringLiteral("a.u."), model::DType::Float64, {}, {}});
    return d;
}

void SimCpu::setProperty(const QString& id, const QVariant& value) {
    props_.validate(name(), id, value);
    if (id == QLatin1String("cost_us"))
        costUs_ = value.toLongLong();
    else if (id == QLatin1String("timeout_s"))
        timeoutS_ = value.toDouble();
}

Checkpoint SimCpu::read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                        const CancelToken& token) {
    if (out.empty() || out[0].capacity < static_cast<qint64>(sizeof(double)))
        throw DeviceError(QStringLiteral("%1: output buffer too small").arg(name()).toStdString());
    using Clock = std::chrono::steady_clock;
    const auto end = Clock::now() + std::chrono::microseconds(costUs_);
    uint64_t state = SimNoise::key(seed_, nameHash_, ctx.index);
    // Bursts of a few microseconds keep the clock reads cheap and the token checks frequent.
    while (Clock::now() < end) {
        for (int i = 0; i < 256; ++i) state = SimNoise::mix(state);
        const Checkpoint c = token.check();
        if (c != Checkpoint::Continue) return c;
    }
    g_sink.store(state, std::memory_order_relaxed);
    const double value =
        1000.0 * SimNoise::unit(SimNoise::mix(SimNoise::key(seed_, nameHash_, ctx.index, 1)));
    std::memcpy(out[0].data, &value, sizeof value);
    return Checkpoint::Continue;
}

}  // namespace acquila::devices
