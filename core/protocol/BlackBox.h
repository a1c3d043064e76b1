#pragma once
#include <QString>
#include <atomic>
#include <cstdint>
#include <ctime>

namespace acquila::protocol {

/** What a worker's executor is doing right now, for post-mortems of crashes and hangs. */
enum class BlackBoxOp : int32_t { Idle = 0, Move = 1, Read = 2, Settle = 3, Open = 4, Close = 5, Property = 6, Monitor = 7 };
const char* blackBoxOpName(BlackBoxOp op);

/**
 * A page of shared memory (a mapped file in the private socket directory)
 * that the worker's executor thread writes before every device operation
 * and the manager reads: after a crash it names the device, operation and
 * point that killed the worker; while running it reveals an operation that
 * exceeded its timeout, without a message per point. Lock-free 8-byte
 * atomics are address-free, so they work across processes. Writer: the
 * worker's executor thread only. Reader: the manager thread.
 */
struct BlackBox {
    std::atomic<int64_t> point{-1};       // point index of the current operation
    std::atomic<int32_t> device{-1};      // index of the device in the lab config
    std::atomic<int32_t> op{0};           // BlackBoxOp
    std::atomic<int64_t> opStartNs{0};    // CLOCK_MONOTONIC when the operation began
    std::atomic<int64_t> timeoutNs{0};    // that device's operation timeout

    void enter(int64_t pointIndex, int32_t deviceIndex, BlackBoxOp operation, int64_t timeout) {
        point.store(pointIndex, std::memory_order_relaxed);
        device.store(deviceIndex, std::memory_order_relaxed);
        timeoutNs.store(timeout, std::memory_order_relaxed);
        opStartNs.store(monotonicNs(), std::memory_order_relaxed);
        op.store(static_cast<int32_t>(operation), std::memory_order_release);
    }
    void leave() { op.store(static_cast<int32_t>(BlackBoxOp::Idle), std::memory_order_release); }

    static int64_t monotonicNs() {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
    }
};
static_assert(std::atomic<int64_t>::is_always_lock_free, "black box needs lock-free atomics");

inline constexpr int kBlackBoxBytes = 4096;

/**
 * Maps the black box file at `path` into shared memory. `create`: sizes the
 * file and constructs a fresh box in it (the app); otherwise maps what the app
 * created (a worker). Null when it cannot.
 */
BlackBox* mapBlackBox(const QString& path, bool create);

}  // namespace acquila::protocol
