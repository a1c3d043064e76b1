#pragma once
#include <QtGlobal>

#include <chrono>
#include <mutex>
#include <vector>

namespace acquila::util {

/**
 * Hands items from producer threads to a consumer thread's event loop without
 * letting the consumer's queue grow: put() says when the consumer must be woken
 * (nothing is scheduled yet), take() empties the box. Items beyond `budget`
 * cost units held, or beyond `perSecond` items a second, are dropped and
 * counted (by `weight`); the first item of an empty box is always kept. Locks
 * only for short moves, never waits for the consumer. Any thread.
 */
template <typename T>
class Mailbox {
public:
    struct Limits {
        qint64 budget = 0;     // cost units held at most
        qint64 perSecond = 0;  // items accepted per second; 0: no rate limit
    };
    struct Contents {
        std::vector<T> items;
        qint64 dropped = 0;  // weight of the items dropped since the last take()
    };

    explicit Mailbox(Limits limits) : limits_(limits) {}

    /** Keeps `item` unless over a limit; true when the caller must schedule a take(). */
    bool put(T item, qint64 cost = 1, qint64 weight = 1) {
        std::lock_guard lock(mutex_);
        if (admit(cost)) {
            items_.push_back(std::move(item));
            held_ += cost;
        } else {
            dropped_ += weight;
        }
        if (scheduled_) return false;
        scheduled_ = true;
        return true;
    }

    /** Everything held and the count dropped; the next put() schedules again. */
    Contents take() {
        std::lock_guard lock(mutex_);
        Contents c{std::move(items_), dropped_};
        items_.clear();
        held_ = 0;
        dropped_ = 0;
        scheduled_ = false;
        return c;
    }

private:
    bool admit(qint64 cost) {
        if (!items_.empty() && held_ + cost > limits_.budget) return false;
        if (limits_.perSecond <= 0) return true;
        const auto now = std::chrono::steady_clock::now();
        if (now - windowStart_ >= std::chrono::seconds(1)) {
            windowStart_ = now;
            inWindow_ = 0;
        }
        return inWindow_++ < limits_.perSecond;
    }

    const Limits limits_;
    std::mutex mutex_;
    std::vector<T> items_;
    qint64 held_ = 0;
    qint64 dropped_ = 0;
    bool scheduled_ = false;
    std::chrono::steady_clock::time_point windowStart_{};
    qint64 inWindow_ = 0;
};

}  // namespace acquila::util
