#pragma once
#include "core/protocol/Frame.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <chrono>

namespace acquila::worker {

/** Messages from the reader thread to the executor thread, in arrival order. */
class CommandQueue {
public:
    void push(core::Message m) {
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(m));
        }
        cv_.notify_one();
    }
    /** Waits up to `timeout` for a message; nothing if none came. */
    std::optional<core::Message> popFor(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        if (!cv_.wait_for(lock, timeout, [this] { return !queue_.empty(); })) return std::nullopt;
        core::Message m = std::move(queue_.front());
        queue_.pop_front();
        return m;
    }
    core::Message pop() {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [this] { return !queue_.empty(); });
        core::Message m = std::move(queue_.front());
        queue_.pop_front();
        return m;
    }

private:
    std::mutex mutex_;  // guards queue_
    std::condition_variable cv_;
    std::deque<core::Message> queue_;
};

}  // namespace acquila::worker
