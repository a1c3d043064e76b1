// util::DeadlineMutex: exclusive, and a wait for it ends at its deadline.
#include "core/util/DeadlineMutex.h"

#include <future>
#include <gtest/gtest.h>

using acquila::util::DeadlineMutex;
using namespace std::chrono;

TEST(DeadlineMutex, AWaitForAHeldMutexEndsAtItsDeadline) {
    DeadlineMutex m;
    std::unique_lock held(m);
    EXPECT_FALSE(m.try_lock());
    const auto deadline = steady_clock::now() + milliseconds(50);
    auto waiter = std::async(std::launch::async, [&] {
        std::unique_lock l(m, deadline);
        return l.owns_lock();
    });
    ASSERT_EQ(waiter.wait_for(seconds(10)), std::future_status::ready) << "the wait did not end at its deadline";
    EXPECT_FALSE(waiter.get());
    EXPECT_GE(steady_clock::now(), deadline);
}

TEST(DeadlineMutex, AWaiterGetsTheMutexWhenItIsUnlocked) {
    DeadlineMutex m;
    std::unique_lock held(m);
    int shared = 0;
    std::promise<void> waiting;
    auto waiter = std::async(std::launch::async, [&] {
        waiting.set_value();
        std::unique_lock l(m, steady_clock::now() + seconds(30));
        if (l.owns_lock()) ++shared;  // ordered after the holder's write by the mutex
        return l.owns_lock();
    });
    waiting.get_future().wait();
    shared = 41;
    held.unlock();
    ASSERT_EQ(waiter.wait_for(seconds(30)), std::future_status::ready);
    EXPECT_TRUE(waiter.get());
    std::lock_guard again(m);
    EXPECT_EQ(shared, 42);
}
