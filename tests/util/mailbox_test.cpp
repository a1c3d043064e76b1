// The bounded hand-over between threads: one wake-up per delivery, limits, drop counts.
#include "core/util/Mailbox.h"

#include <gtest/gtest.h>
#include <thread>

using acquila::util::Mailbox;

TEST(Mailbox, OnlyThePutIntoAnIdleBoxSchedulesADelivery) {
    Mailbox<int> box({100, 0});
    EXPECT_TRUE(box.put(1));
    EXPECT_FALSE(box.put(2));
    EXPECT_FALSE(box.put(3));
    auto c = box.take();
    EXPECT_EQ(c.items, (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(c.dropped, 0);
    EXPECT_TRUE(box.put(4)) << "after a take, the next put schedules again";
}

TEST(Mailbox, DropsBeyondTheBudgetAndCountsTheWeight) {
    Mailbox<int> box({10, 0});
    box.put(1, 6, 100);
    box.put(2, 6, 100);  // 12 > 10: dropped
    box.put(3, 4, 100);  // 10: kept
    auto c = box.take();
    EXPECT_EQ(c.items, (std::vector<int>{1, 3}));
    EXPECT_EQ(c.dropped, 100);
    box.put(4, 50);  // the first item of an empty box is always kept
    EXPECT_EQ(box.take().items, std::vector<int>{4});
}

TEST(Mailbox, LimitsItemsPerSecond) {
    Mailbox<int> box({1000000, 5});
    for (int i = 0; i < 100; ++i) box.put(i);
    auto c = box.take();
    EXPECT_LE(c.items.size(), 10u) << "at most two one-second windows can pass during the loop";
    EXPECT_EQ(static_cast<qint64>(c.items.size()) + c.dropped, 100);
}

TEST(Mailbox, ManyProducersLoseNothingWithinTheLimits) {
    Mailbox<int> box({1 << 30, 0});
    std::vector<std::thread> producers;
    for (int t = 0; t < 4; ++t)
        producers.emplace_back([&] {
            for (int i = 0; i < 10000; ++i) box.put(i);
        });
    size_t got = 0;
    for (auto& p : producers) p.join();
    got += box.take().items.size();
    EXPECT_EQ(got, 40000u);
}
