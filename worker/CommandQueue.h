#pragma once
#include "core/protocol/Frame.h"

#include <condition_variable>
#include <deque>
#include <mutex>

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
