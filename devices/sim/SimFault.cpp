#include "devices/sim/SimFault.h"

#include "devices/DriverParams.h"
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
}  // namespace

QStringList SimFault::modeNames() {
    // The declaration lists the modes in the order of Mode.
    return model::findDriverDecl(QStringLiteral("sim.fault"))->find(QStringLiteral("mode"))->allowed;
}

SimFault::SimFault(const model::DeviceSpec& spec, const LabContext& ctx)
    : SimFault(spec, ctx, DriverParams(spec)) {}

SimFault::SimFault(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& p)
    : Detector(spec.name), seed_(ctx.seed), nameHash_(SimNoise::nameHash(spec.name)) {
    const QStringList modes = modeNames();
    mode_ = static_cast<Mode>(modes.indexOf(p.string("mode")));
    atPoint_ = p.integer("at_point");
    timeoutS_ = p.timeoutS();
    exclusive_ = p.exclusive();
    if (mode_ == Mode::HangOpen) hangForever();
    props_.addEnum(QStringLiteral("mode"), QStringLiteral("Failure mode"), modes,
                   QStringLiteral("none"));
    props_.addInt(QStringLiteral("at_point"), QStringLiteral("Fail at point (-1 = never)"), -1,
                  std::numeric_limits<qint32>::max(), -1);
    props_.addTimeout(timeoutS_);
}

model::DeviceDescription SimFault::describe() const {
    model::DeviceDescription d;
    d.name = name();
    d.driver = QStringLiteral("sim.fault");
    d.kind = model::DeviceKind::Detector;
    d.concurrency = exclusive_ ? model::Concurrency::Exclusive : model::Concurrency::Replicable;
    d.summary = QStringLiteral("Fault injection device");
    d.properties = props_.decls();
    d.values.insert(QStringLiteral("mode"), modeNames().at(static_cast<int>(mode_)));
    d.values.insert(QStringLiteral("at_point"), atPoint_);
    d.values.insert(QStringLiteral("timeout_s"), timeoutS_);
    d.outputs.push_back({name(), QStringLiteral("a.u."), model::DType::Float64, {}, {}});
    return d;
}

void SimFault::setProperty(const QString& id, const QVariant& value) {
    if (mode_ == Mode::HangSet) hangForever();
    props_.validate(name(), id, value);
    if (id == QLatin1String("mode"))
        mode_ = static_cast<Mode>(modeNames().indexOf(value.toString()));
    else if (id == QLatin1String("at_point"))
        atPoint_ = value.toLongLong();
    else if (id == QLatin1String("timeout_s"))
        timeoutS_ = value.toDouble();
}

Checkpoint SimFault::read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                          const CancelToken& token) {
    if (out.empty() || out[0].capacity < static_cast<qint64>(sizeof(double)))
        throw DeviceError(QStringLiteral("%1: output buffer too small").arg(name()).toStdString());
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
                throw DeviceError(QStringLiteral("%1: injected failure at point %2")
                                      .arg(name())
                                      .arg(ctx.index)
                                      .toStdString());
            case Mode::Malformed:
                out[0].written = 3;
                return Checkpoint::Continue;
            case Mode::WrongShape:
                // Claims a point of shape [2] for an output declared scalar.
                out[0].written = 2 * static_cast<qint64>(sizeof(double));
                return Checkpoint::Continue;
            case Mode::Slow: {
                const Checkpoint c = token.sleepFor(std::chrono::milliseconds(200));
                if (c != Checkpoint::Continue) return c;
                break;
            }
        }
    }
    const double value =
        static_cast<double>(ctx.index) + SimNoise::unit(SimNoise::key(seed_, nameHash_, ctx.index));
    std::memcpy(out[0].data, &value, sizeof value);
    return Checkpoint::Continue;
}

}  // namespace acquila::devices
