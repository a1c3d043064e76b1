#include "devices/Device.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace acquila::devices {

Checkpoint CancelToken::sleepFor(std::chrono::duration<double> d) const {
    using Clock = std::chrono::steady_clock;
    // Wake well inside the 10 ms budget so oversleeping by the scheduler still honours it.
    constexpr auto kSlice = std::chrono::milliseconds(5);
    // A year is "forever" here; clamping keeps the time_point arithmetic from overflowing.
    const double seconds = std::isfinite(d.count()) ? std::clamp(d.count(), 0.0, 3.15e7) : 3.15e7;
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(seconds));
    for (;;) {
        const Checkpoint c = check();
        if (c != Checkpoint::Continue) return c;
        const auto now = Clock::now();
        if (now >= end) return Checkpoint::Continue;
        std::this_thread::sleep_for(std::min<Clock::duration>(end - now, kSlice));
    }
}

}  // namespace acquila::devices
