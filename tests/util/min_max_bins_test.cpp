#include "core/util/MinMaxBins.h"

#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <vector>

using acquila::util::MinMaxBins;

namespace {
double key(qint64 i) { return static_cast<double>(i) * 0.5; }
}

// The live plot's use: points one by one, in any order, drawn as a curve.

TEST(MinMaxBins, ShortScansKeepEveryPointInIndexOrder) {
    MinMaxBins bins(10, 4096);
    for (qint64 i : {3, 0, 1, 2, 9, 4, 5, 6, 7, 8}) bins.add(i, static_cast<double>(i * i));
    QVector<double> xs, ys;
    bins.curve(key, xs, ys);
    ASSERT_EQ(xs.size(), 10);
    for (int i = 0; i < 10; ++i) {
        EXPECT_DOUBLE_EQ(xs[i], i * 0.5);
        EXPECT_DOUBLE_EQ(ys[i], i * i);
    }
}

TEST(MinMaxBins, LongScansKeepExtremesOfEveryBin) {
    const qint64 n = 10000000;
    MinMaxBins bins(n, 1000);
    for (qint64 i = 0; i < n; ++i) bins.add(i, std::sin(static_cast<double>(i) * 1e-4));
    bins.add(1234567, 1000.0);   // a spike
    bins.add(7654321, -1000.0);  // and a dip
    QVector<double> xs, ys;
    bins.curve(key, xs, ys);
    EXPECT_LE(xs.size(), 2000);
    EXPECT_DOUBLE_EQ(*std::max_element(ys.begin(), ys.end()), 1000.0);
    EXPECT_DOUBLE_EQ(*std::min_element(ys.begin(), ys.end()), -1000.0);
    const auto at = std::max_element(ys.begin(), ys.end()) - ys.begin();
    EXPECT_DOUBLE_EQ(xs[at], key(1234567));
    for (int i = 1; i < xs.size(); ++i) EXPECT_LT(xs[i - 1], xs[i]);
}

TEST(MinMaxBins, GapsBreakTheLineButTheUnmeasuredTailDoesNot) {
    MinMaxBins bins(100, 4096);
    for (qint64 i = 0; i < 10; ++i) bins.add(i, 1.0);
    for (qint64 i = 50; i < 60; ++i) bins.add(i, 2.0);
    QVector<double> xs, ys;
    bins.curve(key, xs, ys);
    ASSERT_EQ(xs.size(), 21);  // 10 + one break + 10, nothing for 60..99
    EXPECT_TRUE(std::isnan(ys[10]));
    EXPECT_FALSE(std::isnan(ys.last()));
    bins.clear();
    bins.curve(key, xs, ys);
    EXPECT_TRUE(xs.isEmpty());
}

// The browser's use: blocks of a file's dataset, reduced to points per pixel column.

TEST(MinMaxBins, KeepsExtremesOfEveryColumnInIndexOrder) {
    std::vector<double> v(1000, 0.0);
    v[123] = 50;
    v[877] = -40;
    MinMaxBins d(1000, 10);
    d.add(0, v.data(), 500);  // blocks in two parts, as hyperslab reads deliver them
    d.add(500, v.data() + 500, 500);
    QVector<double> x, y;
    d.points(x, y);
    EXPECT_LE(x.size(), 20);
    EXPECT_TRUE(std::is_sorted(x.begin(), x.end()));
    EXPECT_EQ(*std::max_element(y.begin(), y.end()), 50);
    EXPECT_EQ(*std::min_element(y.begin(), y.end()), -40);
    EXPECT_EQ(x[std::max_element(y.begin(), y.end()) - y.begin()], 123);
}

TEST(MinMaxBins, ShortSeriesAreKeptWhole) {
    const double v[] = {3, 1, 2};
    MinMaxBins d(3, 100);
    d.add(0, v, 3);
    QVector<double> x, y;
    d.points(x, y);
    EXPECT_EQ(y, (QVector<double>{3, 1, 2}));
    EXPECT_EQ(MinMaxBins::strideFor(1000, 512), 2);
    EXPECT_EQ(MinMaxBins::strideFor(100, 512), 1);
}

TEST(MinMaxBins, PointsSkipEmptyBinsWhereTheCurveBreaks) {
    MinMaxBins bins(100, 100);
    const double nan = std::nan("");
    const double v[] = {1, 2, nan, nan, 5};
    bins.add(-2, v, 5);    // indices -2 and -1 are outside: only 0 (nan), 1 (nan) and 2 count
    bins.add(99, v, 2);    // index 100 is outside
    bins.add(50, 7.0);
    QVector<double> x, y;
    bins.points(x, y);
    EXPECT_EQ(x, (QVector<double>{2, 50, 99}));
    EXPECT_EQ(y, (QVector<double>{5, 7, 1}));
    bins.curve([](qint64 i) { return static_cast<double>(i); }, x, y);
    ASSERT_EQ(x.size(), 5);  // two breaks: 3..49 and 51..98
    EXPECT_TRUE(std::isnan(y[1]));
    EXPECT_TRUE(std::isnan(y[3]));
}
