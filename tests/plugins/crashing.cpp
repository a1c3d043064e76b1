// A well-formed plugin whose detector crashes its worker (SIGSEGV) at point 3: only that
// worker goes down; the run fails naming the device and the point, with points 0..2 kept.
#include "devices/Plugin.h"

#include <csignal>
#include <cstring>

ACQUILA_PLUGIN("crashing", "1.0")

namespace {
using namespace acquila;
using namespace acquila::devices;

class Crashing final : public DetectorDriver {
public:
    Crashing(const model::DeviceSpec& spec, const LabContext&) : DetectorDriver(spec) {}
    void describeDevice(model::DeviceDescription& d) const override {
        d.outputs.push_back({name(), QString(), model::DType::Float64, {}, {}});
    }
    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken&) override {
        if (ctx.index == 3) std::raise(SIGSEGV);
        const double v = double(ctx.index);
        std::memcpy(out[0].data, &v, sizeof v);
        return Checkpoint::Continue;
    }
};
}  // namespace

ACQUILA_REGISTER_DRIVER("crashing.detector", Crashing);
