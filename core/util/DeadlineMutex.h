#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace acquila::util {

/**
 * A mutex that can be waited for until a steady-clock deadline (a TimedLockable, for
 * std::unique_lock). Built on std::mutex and std::condition_variable rather than
 * std::timed_mutex: libstdc++ implements the latter's steady-clock wait with
 * pthread_mutex_clocklock, which ThreadSanitizer (clang 14) does not see, so every
 * unlock after a timed lock was reported as the unlock of an unlocked mutex.
 */
class DeadlineMutex {
public:
    void lock() {
        std::unique_lock guard(mutex_);
        freed_.wait(guard, [this] { return !held_; });
        held_ = true;
    }
    bool try_lock() {
        std::lock_guard guard(mutex_);
        if (held_) return false;
        held_ = true;
        return true;
    }
    template <typename Clock, typename Duration>
    bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
        std::unique_lock guard(mutex_);
        if (!freed_.wait_until(guard, deadline, [this] { return !held_; })) return false;
        held_ = true;
        return true;
    }
    template <typename Rep, typename Period>
    bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
        return try_lock_until(std::chrono::steady_clock::now() + timeout);
    }
    void unlock() {
        {
            std::lock_guard guard(mutex_);
            held_ = false;
        }
        freed_.notify_one();
    }

private:
    std::mutex mutex_;
    std::condition_variable freed_;
    bool held_ = false;
};

}  // namespace acquila::util
