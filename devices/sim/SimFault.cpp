// "sim.fault": a 0D detector (one float64 output named after the device) that misbehaves on
// purpose at point `at_point` (-1 = never), for testing the run engine. Modes: none, crash
// (std::abort: the process dies), hang (never returns, ignores cancellation), throw
// (DeviceError), malformed (reports 3 bytes written instead of 8), slow (200 ms cooperative
// wait), wrong_shape (reports a point of two values for its scalar output); at any point:
// hang_open (opening the device never returns: a lab parameter), hang_set (every later
// property set never returns). mode and at_point are both parameters and properties.
#include "devices/DriverKit.h"
#include "devices/sim/SimNoise.h"

#include <cstdlib>
#include <cstring>
#include <thread>

namespace acquila::devices {
namespace {

/** An uncooperative driver: deaf to the token and to stop(). Only killing the process ends it. */
[[noreturn]] void hangForever() {
    for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

class SimFault final : public DetectorDriver {
public:
    SimFault(const model::DeviceSpec& spec, const LabContext& ctx)
        : DetectorDriver(spec), seed_(ctx.seed), nameHash_(SimNoise::nameHash(spec.name)) {
        // The lab declaration lists the modes in the order of Mode.
        modes_ = model::findDriverDecl(QStringLiteral("sim.fault"))->find(QStringLiteral("mode"))->allowed;
        mode_ = Mode(modes_.indexOf(params().string("mode")));
        if (mode_ == Mode::HangOpen) hangForever();
        property(QStringLiteral("mode"), model::PropertyType::Enum, [this] { return modes_.at(int(mode_)); },
                 [this](const QVariant& v) { mode_ = Mode(modes_.indexOf(v.toString())); })
            .label(QStringLiteral("Failure mode")).allowed(modes_);
        property("at_point", &atPoint_).label(QStringLiteral("Fail at point (-1 = never)"));
    }

    void setProperty(const QString& id, const QVariant& value) override {
        if (mode_ == Mode::HangSet) hangForever();
        DetectorDriver::setProperty(id, value);
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = QStringLiteral("Fault injection device");
        d.outputs.push_back({name(), QStringLiteral("a.u."), model::DType::Float64, {}, {}});
    }

    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        if (ctx.index == atPoint_) {
            switch (mode_) {
                case Mode::None:
                case Mode::HangOpen:
                case Mode::HangSet:
                    break;
                case Mode::Crash:
                    std::abort();
                case Mode::Hang:
                    hangForever();
                case Mode::Throw:
                    throw DeviceError(QStringLiteral("%1: injected failure at point %2").arg(name()).arg(ctx.index).toStdString());
                case Mode::Malformed:
                    out[0].written = 3;
                    return Checkpoint::Continue;
                case Mode::WrongShape:
                    // Claims a point of shape [2] for an output declared scalar.
                    out[0].written = 2 * qint64(sizeof(double));
                    return Checkpoint::Continue;
                case Mode::Slow:
                    if (const Checkpoint c = token.sleepFor(std::chrono::milliseconds(200)); c != Checkpoint::Continue) return c;
                    break;
            }
        }
        const double value = double(ctx.index) + SimNoise::unit(SimNoise::key(seed_, nameHash_, ctx.index));
        std::memcpy(out[0].data, &value, sizeof value);
        return Checkpoint::Continue;
    }

private:
    enum class Mode : uint8_t { None, Crash, Hang, Throw, Malformed, Slow, WrongShape, HangOpen, HangSet };

    QStringList modes_;
    Mode mode_ = Mode::None;
    qint64 atPoint_ = -1;
    quint64 seed_;
    quint64 nameHash_;
};

}  // namespace

ACQUILA_REGISTER_DRIVER("sim.fault", SimFault);

}  // namespace acquila::devices
