#include "devices/sim/SimWorld.h"
#include "devices/sim/SimAxis.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace acquila::devices {

namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}
}  // namespace

Checkpoint interruptibleSleep(double seconds, const CancelToken& token,
                              const std::atomic<bool>& stopFlag) {
    const auto t0 = Clock::now();
    for (;;) {
        if (stopFlag.load(std::memory_order_relaxed)) return Checkpoint::Abort;
        const double left = seconds - secondsSince(t0);
        if (left <= 0) return Checkpoint::Continue;
        const Checkpoint c = token.sleepFor(std::chrono::duration<double>(std::min(left, 0.005)));
        if (c != Checkpoint::Continue) return c;
    }
}

SimAxis::SimAxis(QString fullName, QString unit, double min, double max, double velocity,
                 double start, SimWorld* world)
    : name_(std::move(fullName)),
      unit_(std::move(unit)),
      min_(min),
      max_(max),
      velocity_(velocity),
      position_(start),
      world_(world) {
    if (world_) {
        slot_ = world_->slot(name_, start);
        world_->setPositionAt(slot_, start);
    }
}

void SimAxis::publish(double value) {
    position_ = value;
    if (world_) world_->setPositionAt(slot_, value);
}

Checkpoint SimAxis::move(double target, double settleS, const CancelToken& token,
                         const std::atomic<bool>& stopFlag) {
    if (!std::isfinite(target))
        throw DeviceError(QStringLiteral("%1: position %2 is not a finite number")
                              .arg(name_)
                              .arg(target)
                              .toStdString());
    if (target < min_ || target > max_)
        throw DeviceError(QStringLiteral("%1: position %2 %3 is outside the limits [%4, %5] %3")
                              .arg(name_)
                              .arg(target)
                              .arg(unit_)
                              .arg(min_)
                              .arg(max_)
                              .toStdString());
    const double from = position_;
    const double distance = std::abs(target - from);
    if (velocity_ > 0 && distance > 0) {
        const auto t0 = Clock::now();
        const Checkpoint c = interruptibleSleep(distance / velocity_, token, stopFlag);
        if (c != Checkpoint::Continue) {
            // Interrupted mid-travel: stop where the axis would be by now, as a real stage does.
            const double travelled = std::min(distance, velocity_ * secondsSince(t0));
            publish(from + std::copysign(travelled, target - from));
            return c;
        }
    }
    publish(target);
    if (settleS > 0) return interruptibleSleep(settleS, token, stopFlag);
    return Checkpoint::Continue;
}

}  // namespace acquila::devices
