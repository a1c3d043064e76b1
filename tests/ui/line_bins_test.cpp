#include "ui/plots/LineBins.h"

#include <cmath>
#include <gtest/gtest.h>

using acquila::ui::LineBins;

namespace {
double key(qint64 i) { return static_cast<double>(i) * 0.5; }
}

TEST(LineBins, ShortScansKeepEveryPointInIndexOrder) {
    LineBins bins(10, 4096);
    for (qint64 i : {3, 0, 1, 2, 9, 4, 5, 6, 7, 8}) bins.add(i, static_cast<double>(i * i));
    QVector<double> xs, ys;
    bins.curve(key, xs, ys);
    ASSERT_EQ(xs.size(), 10);
    for (int i = 0; i < 10; ++i) {
        EXPECT_DOUBLE_EQ(xs[i], i * 0.5);
        EXPECT_DOUBLE_EQ(ys[i], i * i);
    }
}

TEST(LineBins, LongScansKeepExtremesOfEveryBin) {
    const qint64 n = 10000000;
    LineBins bins(n, 1000);
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

TEST(LineBins, GapsBreakTheLineButTheUnmeasuredTailDoesNot) {
    LineBins bins(100, 4096);
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
