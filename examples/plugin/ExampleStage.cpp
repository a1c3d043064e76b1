// "example.stage": a one-axis translation stage that moves at "velocity" (mm/s) between
// "min" and "max". A move takes distance / velocity, interruptible by an abort at any time
// (the stage then stops where it is), and reads back where it stopped.
#include <devices/DriverKit.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>

namespace {
using namespace acquila;
using namespace acquila::devices;

class ExampleStage final : public ActuatorDriver {
public:
    ExampleStage(const model::DeviceSpec& spec, const LabContext&) : ActuatorDriver(spec) {
        min_ = params().number("min");
        max_ = params().number("max");
        property("velocity", &velocity_).label(QStringLiteral("Velocity")).unit(QStringLiteral("mm/s"));
    }

    void describeDevice(model::DeviceDescription& d) const override {
        d.summary = QStringLiteral("Example stage, %1 mm/s").arg(velocity_);
        d.axes.push_back({name(), QStringLiteral("mm"), min_, max_});
        d.positions.push_back(position_);
    }

    Checkpoint moveTo(int, double target, const CancelToken& token) override {
        if (target < min_ || target > max_)
            throw DeviceError(QStringLiteral("%1: %2 mm is outside [%3, %4] mm").arg(name()).arg(target).arg(min_).arg(max_).toStdString());
        using Clock = std::chrono::steady_clock;
        const double from = position_;
        const auto t0 = Clock::now();
        const double seconds = velocity_ > 0 ? std::abs(target - from) / velocity_ : 0.0;
        const Checkpoint c = token.sleepFor(std::chrono::duration<double>(seconds));
        const double done = seconds > 0 ? std::min(1.0, std::chrono::duration<double>(Clock::now() - t0).count() / seconds) : 1.0;
        position_ = c == Checkpoint::Continue ? target : from + (target - from) * done;  // an abort stops it on the way
        return c;
    }

    double position(int) const override { return position_; }

private:
    double min_ = 0, max_ = 100;
    double velocity_ = 50;
    double position_ = 0;
};

}  // namespace

ACQUILA_REGISTER_DRIVER("example.stage", ExampleStage,
                        model::param::number("min", 0),
                        model::param::number("max", 100),
                        model::param::number("velocity", 50, 0, 1e4));
