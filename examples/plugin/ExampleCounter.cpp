// "example.counter": a photon counter. Each point counts for the plan's exposure (or the
// "gate_s" property when the plan gives none) at "rate_hz" plus dark counts, with Poisson
// noise that depends only on the point index, so a scan can be repeated exactly.
#include <devices/DriverKit.h>

#include <cmath>
#include <cstring>

namespace {
using namespace acquila;
using namespace acquila::devices;

class ExampleCounter final : public DetectorDriver {
public:
    ExampleCounter(const model::DeviceSpec& spec, const LabContext&) : DetectorDriver(spec) {
        property("rate_hz", &rateHz_).label(QStringLiteral("Count rate")).unit(QStringLiteral("Hz"));
        property("dark_hz", &darkHz_).label(QStringLiteral("Dark count rate")).unit(QStringLiteral("Hz"));
        property("gate_s", &gateS_).label(QStringLiteral("Gate when the plan sets no exposure")).unit(QStringLiteral("s"));
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = QStringLiteral("Example photon counter, %1 Hz").arg(rateHz_);
        d.outputs.push_back({name(), QStringLiteral("counts"), model::DType::Float64, {}, {}});
    }

    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        const double gate = ctx.exposureS > 0 ? ctx.exposureS : gateS_;
        // Counting takes the gate time; the token ends it early on abort.
        if (const Checkpoint c = token.sleepFor(std::chrono::duration<double>(gate)); c != Checkpoint::Continue) return c;
        const double mean = (rateHz_ + darkHz_) * gate;
        const double counts = std::max(0.0, std::round(mean + std::sqrt(mean) * noise(ctx.index)));
        std::memcpy(out[0].data, &counts, sizeof counts);
        return Checkpoint::Continue;
    }

private:
    /** A repeatable, roughly normal number for point `i`. */
    static double noise(qint64 i) {
        uint64_t x = static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ull;
        double sum = 0;
        for (int k = 0; k < 4; ++k) {
            x ^= x >> 31, x *= 0xBF58476D1CE4E5B9ull, x ^= x >> 29;
            sum += double(x >> 11) / double(1ull << 53);
        }
        return (sum - 2.0) * std::sqrt(3.0);
    }

    double rateHz_ = 1000;
    double darkHz_ = 5;
    double gateS_ = 0.001;
};

}  // namespace

ACQUILA_REGISTER_DRIVER("example.counter", ExampleCounter,
                        model::param::number("rate_hz", 1000, 0, 1e9),
                        model::param::number("dark_hz", 5, 0, 1e6),
                        model::param::number("gate_s", 0.001, 0, 60));
