#include "core/engine/Scheduler.h"

#include <QRandomGenerator>
#include <gtest/gtest.h>
#include <limits>
#include <set>

using namespace acquila::engine;

namespace {
Scheduler::Config config(qint64 total, int workers = 2, qint64 fixed = 0) {
    Scheduler::Config c;
    c.total = total;
    c.workerCount = workers;
    c.fixedJobSize = fixed;
    return c;
}
}  // namespace

TEST(Scheduler, EveryPointDispatchedExactlyOnceWithPartialResults) {
    Scheduler s(config(10000, 3));
    std::vector<int> measured(10000, 0);
    QRandomGenerator rng(7);
    std::vector<JobRange> active;
    while (!s.finished()) {
        for (int w = 0; w < 3; ++w)
            while (auto j = s.next(w)) active.push_back(*j);
        ASSERT_FALSE(active.empty());
        // Answer a random job: sometimes completely, sometimes cut short (cancelled at a boundary).
        const size_t pick = rng.bounded(static_cast<quint32>(active.size()));
        JobRange j = active[pick];
        active.erase(active.begin() + static_cast<long>(pick));
        const qint64 n = rng.bounded(3) == 0 ? rng.bounded(static_cast<quint32>(j.count + 1)) : j.count;
        const qint64 half = n / 2;
        ASSERT_TRUE(s.onResult(j.id, j.first, half, 0.001));
        ASSERT_TRUE(s.onResult(j.id, j.first + half, n - half, 0.001));
        for (qint64 i = j.first; i < j.first + n; ++i) ++measured[i];
        s.onJobEnded(j.id);
    }
    for (int v : measured) ASSERT_EQ(v, 1);
    EXPECT_EQ(s.done(), 10000);
}

TEST(Scheduler, InFlightIsBoundedPerWorker) {
    Scheduler::Config c = config(1000000, 1);
    c.maxInFlightPerWorker = 3;
    c.expectedSecondsPerPoint = 1e-6;  // fast points: the count bound applies
    Scheduler s(c);
    int n = 0;
    while (s.next(0)) ++n;
    EXPECT_EQ(n, 3);
    EXPECT_EQ(s.inFlight(0), 3);
    EXPECT_TRUE(s.next(1).has_value());  // another worker has its own budget
}

TEST(Scheduler, FirstJobsAreOnePointWhileThePointTimeIsUnknown) {
    Scheduler s(config(100000, 2));
    auto a = s.next(0);
    auto b = s.next(0);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->count, 1);
    EXPECT_EQ(b->count, 1);
    EXPECT_FALSE(s.next(0)) << "two jobs of unknown length are enough in flight";
    EXPECT_EQ(s.next(1)->first, 2) << "the second worker starts right after the first";
    ASSERT_TRUE(s.onResult(a->id, a->first, 1, 1e-4));  // now the time is known: 20 ms jobs
    s.onJobEnded(a->id);
    EXPECT_EQ(s.next(0)->count, 200);
}

TEST(Scheduler, SlowPlansKeepAboutOnePointInFlightPerWorker) {
    Scheduler::Config c = config(1000, 2);
    c.expectedSecondsPerPoint = 0.2;  // exposure 0.2 s
    c.maxInFlightPerWorker = 32;
    Scheduler s(c);
    std::vector<JobRange> jobs;
    for (int w = 0; w < 2; ++w)
        while (auto j = s.next(w)) jobs.push_back(*j);
    ASSERT_EQ(jobs.size(), 4u) << "one point measuring and one queued per worker";
    for (size_t i = 0; i < jobs.size(); ++i) {
        EXPECT_EQ(jobs[i].count, 1);
        EXPECT_EQ(jobs[i].first, static_cast<qint64>(i));
    }
    Scheduler::Config fast = c;
    fast.expectedSecondsPerPoint = 1e-4;
    fast.fixedJobSize = 1;
    Scheduler f(fast);
    int n = 0;
    while (f.next(0)) ++n;
    EXPECT_EQ(n, 32) << "short points keep the deep pipeline";
}

TEST(Scheduler, HugeOrNonFiniteResultsAreRejectedOrIgnored) {
    Scheduler s(config(1000, 1, 100));
    auto j = s.next(0);
    ASSERT_TRUE(j);
    EXPECT_FALSE(s.onResult(j->id, j->first, std::numeric_limits<qint64>::max(), 0)) << "first + count must not wrap";
    EXPECT_FALSE(s.onResult(j->id, j->first, std::numeric_limits<qint64>::max() - 5, 0));
    EXPECT_EQ(s.done(), 0);
    EXPECT_TRUE(s.onResult(j->id, j->first, 10, std::numeric_limits<double>::quiet_NaN()));
    EXPECT_TRUE(s.onResult(j->id, j->first + 10, 10, std::numeric_limits<double>::infinity()));
    EXPECT_EQ(s.done(), 20);

    Scheduler adaptive(config(1 << 20, 1));
    auto a = adaptive.next(0);
    ASSERT_TRUE(adaptive.onResult(a->id, a->first, 1, std::numeric_limits<double>::quiet_NaN()));
    adaptive.onJobEnded(a->id);
    EXPECT_EQ(adaptive.next(0)->count, 1) << "a NaN time says nothing about the points";
    auto b = adaptive.next(0);
    ASSERT_TRUE(b);
    ASSERT_TRUE(adaptive.onResult(b->id, b->first, 1, 1e-300));  // far below a nanosecond per point
    adaptive.onJobEnded(b->id);
    auto c = adaptive.next(0);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->count, 1 << 16) << "the size is clamped to the largest job before it becomes an integer";
}

TEST(Scheduler, FixedJobSizeOfOne) {
    Scheduler s(config(10, 1, 1));
    auto j = s.next(0);
    ASSERT_TRUE(j);
    EXPECT_EQ(j->count, 1);
    EXPECT_EQ(j->first, 0);
    EXPECT_EQ(s.next(0)->first, 1);
}

TEST(Scheduler, OutOfOrderOrForeignResultsAreRejected) {
    Scheduler s(config(1000, 1, 100));
    auto j = s.next(0);
    EXPECT_FALSE(s.onResult(j->id, j->first + 5, 10, 0));   // a gap inside the job
    EXPECT_FALSE(s.onResult(j->id, j->first, 101, 0));      // beyond the job
    EXPECT_FALSE(s.onResult(9999, 0, 1, 0));                // unknown job
    EXPECT_TRUE(s.onResult(j->id, j->first, 10, 0));
    EXPECT_FALSE(s.onResult(j->id, j->first, 10, 0));       // duplicate
}

TEST(Scheduler, LostWorkerReturnsItsUnmeasuredPoints) {
    Scheduler s(config(1000, 2, 100));
    auto a = s.next(0);
    auto b = s.next(1);
    ASSERT_TRUE(s.onResult(a->id, a->first, 40, 0));
    auto lost = s.onWorkerLost(0);
    EXPECT_EQ(lost.size(), 1u);
    EXPECT_EQ(s.inFlight(0), 0);
    EXPECT_EQ(s.firstPending(), 40);  // the rest of worker 0's job comes first again
    auto again = s.next(1);
    EXPECT_EQ(again->first, 40);
    EXPECT_EQ(again->count, 60);
    (void)b;
}

TEST(Scheduler, BoundaryStopsDispatchAndDefinesFinished) {
    Scheduler s(config(1000, 1, 100));
    auto j = s.next(0);
    ASSERT_TRUE(s.onResult(j->id, 0, 30, 0));
    s.onJobEnded(j->id);
    s.setBoundary(50);
    auto k = s.next(0);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->first, 30);
    EXPECT_EQ(k->count, 20);  // capped at the boundary
    EXPECT_FALSE(s.next(0));
    ASSERT_TRUE(s.onResult(k->id, 30, 20, 0));
    s.onJobEnded(k->id);
    EXPECT_TRUE(s.finished());
    EXPECT_EQ(s.done(), 50);
    s.setBoundary(500);  // a boundary only moves down
    EXPECT_EQ(s.boundary(), 50);
}

TEST(Scheduler, PausedDispatchesNothing) {
    Scheduler s(config(100, 1));
    s.setPaused(true);
    EXPECT_FALSE(s.next(0));
    EXPECT_FALSE(s.finished());
    s.setPaused(false);
    EXPECT_TRUE(s.next(0));
}

TEST(Scheduler, AdaptiveSizeGrowsForFastPointsAndShrinksForSlowOnes) {
    Scheduler fast(config(10000000, 2));
    auto f1 = fast.next(0);
    ASSERT_TRUE(fast.onResult(f1->id, f1->first, f1->count, f1->count * 1e-8));
    fast.onJobEnded(f1->id);
    EXPECT_GT(fast.next(0)->count, 10000);
    Scheduler slow(config(10000, 2));
    auto s1 = slow.next(0);
    ASSERT_TRUE(slow.onResult(s1->id, s1->first, s1->count, s1->count * 0.05));
    slow.onJobEnded(s1->id);
    EXPECT_EQ(slow.next(0)->count, 1);
}
