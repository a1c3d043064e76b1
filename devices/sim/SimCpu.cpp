// "sim.cpu": a 0D detector standing in for an expensive simulation. Each read() keeps a core
// busy for cost_us microseconds (checking the token at least every millisecond) and returns a
// value that depends only on (seed, device, point index), never on how fast the machine is.
// One float64 output named after the device, unit "a.u.".
#include "devices/DriverKit.h"
#include "devices/sim/SimNoise.h"

#include <chrono>
#include <cstring>

namespace acquila::devices {
namespace {

// Written after every burst of work so the compiler cannot drop the loop.
std::atomic<uint64_t> g_sink{0};

class SimCpu final : public DetectorDriver {
public:
    SimCpu(const model::DeviceSpec& spec, const LabContext& ctx)
        : DetectorDriver(spec), seed_(ctx.seed), nameHash_(SimNoise::nameHash(spec.name)) {
        property("cost_us", &costUs_).label(QStringLiteral("CPU cost per point")).unit(QStringLiteral("µs"));
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = QStringLiteral("Simulated computation, %1 µs of CPU per point").arg(costUs_);
        d.outputs.push_back({name(), QStringLiteral("a.u."), model::DType::Float64, {}, {}});
    }

    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        using Clock = std::chrono::steady_clock;
        const auto end = Clock::now() + std::chrono::microseconds(costUs_);
        uint64_t state = SimNoise::key(seed_, nameHash_, ctx.index);
        // Bursts of a few microseconds keep the clock reads cheap and the token checks frequent.
        while (Clock::now() < end) {
            for (int i = 0; i < 256; ++i) state = SimNoise::mix(state);
            if (const Checkpoint c = token.check(); c != Checkpoint::Continue) return c;
        }
        g_sink.store(state, std::memory_order_relaxed);
        const double value = 1000.0 * SimNoise::unit(SimNoise::mix(SimNoise::key(seed_, nameHash_, ctx.index, 1)));
        std::memcpy(out[0].data, &value, sizeof value);
        return Checkpoint::Continue;
    }

private:
    qint64 costUs_ = 1000;
    quint64 seed_;
    quint64 nameHash_;
};

}  // namespace

ACQUILA_REGISTER_DRIVER("sim.cpu", SimCpu);

}  // namespace acquila::devices
