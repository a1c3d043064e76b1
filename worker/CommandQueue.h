#pragma once
#include "core/protocol/Frame.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <chrono>

namespace acquila::worker {

/** Messages from the reader thread to the executor thread, in arrival order. */
class CommandQueue {
public:
    /** Poll this long before sleeping in pop() (0 = never); call before the executor starts. */
    void setSpin(int micros) { spinMicros_ = micros; }

    void push(protocol::Message m) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(m));
            size_.fetch_add(1, std::memory_order_release);
        }
        cv_.notify_one();
    }
    /** Waits up to `timeout` for a message; nothing if none came. */
    std::optional<protocol::Message> popFor(std::chrono::milliseconds timeout) {
        spin();
        std::unique_lock lock(mutex_);
        if (!cv_.wait_for(lock, timeout, [this] { return !queue_.empty(); })) return std::nullopt;
        protocol::Message m = std::move(queue_.front());
        queue_.pop_front();
        size_.fetch_sub(1, std::memory_order_relaxed);
        return m;
    }
    protocol::Message pop() {
        spin();
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        protocol::Message m = std::move(queue_.front());
        queue_.pop_front();
        size_.fetch_sub(1, std::memory_order_relaxed);
        return m;
    }

private:
    /**
     * Polls briefly before sleeping: when jobs come one point at a time, the next one
     * usually arrives within microseconds, and a condition-variable wake-up costs tens
     * of them on a virtual machine. Bounded (setSpin), so an idle worker sleeps.
     */
    void spin() const {
        if (spinMicros_ <= 0) return;
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(spinMicros_);
        while (size_.load(std::memory_order_acquire) == 0 && std::chrono::steady_clock::now() < until) {
        }
    }

    std::atomic<size_t> size_{0};  // mirrors queue_.size() for lock-free polling
    int spinMicros_ = 0;           // set before the executor thread starts
    std::mutex mutex_;  // guards queue_
    std::condition_variable cv_;
    std::deque<protocol::Message> queue_;
};

}  // namespace acquila::worker
