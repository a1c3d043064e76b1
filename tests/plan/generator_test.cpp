#include "core/plan/PointGenerator.h"
#include "support/TestSupport.h"

#include <QSet>
#include <cmath>
#include <gtest/gtest.h>
#include <numbers>

using namespace acquila::plan;

namespace {

std::unique_ptr<PointGenerator> make(const Plan& plan, const std::vector<double>& origin = {}) {
    auto r = PointGenerator::create(plan, origin);
    EXPECT_TRUE(r.ok()) << r.error().toStdString();
    return r.ok() ? std::move(r.value()) : nullptr;
}

AxisSpec axis(const char* name, double start, double stop, qint64 steps, bool relative = false) {
    AxisSpec a;
    a.device = QLatin1String(name);
    a.start = start;
    a.stop = stop;
    a.steps = steps;
    a.relative = relative;
    return a;
}

Plan grid(std::vector<AxisSpec> axes, bool snake) {
    Plan p;
    p.name = QStringLiteral("g");
    p.type = axes.size() == 1 ? ScanType::Linear : ScanType::Grid;
    p.axes = std::move(axes);
    p.snake = snake;
    return p;
}

std::vector<std::vector<qint64>> allCells(const PointGenerator& g) {
    std::vector<std::vector<qint64>> out;
    for (qint64 i = 0; i < g.size(); ++i) {
        std::vector<qint64> c(g.shape().size());
        g.cell(i, c.data());
        out.push_back(c);
    }
    return out;
}

Plan spiral(double radius, double step, double cx = 0, double cy = 0) {
    Plan p;
    p.name = QStringLiteral("s");
    p.type = ScanType::Spiral;
    AxisSpec x, y;
    x.device = QStringLiteral("stage.x");
    x.center = cx;
    y.device = QStringLiteral("stage.y");
    y.center = cy;
    p.axes = {x, y};
    p.spiralRadius = radius;
    p.spiralStep = step;
    return p;
}

}  // namespace

TEST(PointGenerator, ExamplePlanPointCounts) {
    const auto dir = acquila::test::sourcePath(QStringLiteral("resources/plans/"));
    const std::vector<std::pair<const char*, std::vector<qint64>>> expected = {
        {"linear-motor.json", {101}},        {"grid-stage.json", {31, 41}},     {"camera-grid.json", {5, 5}},
        {"spectrometer-linear.json", {41}},  {"spiral-stage.json", {401}},      {"list-stage.json", {10}},
        {"count-timeseries.json", {100}},    {"fault-crash.json", {200}},
    };
    for (const auto& [file, shape] : expected) {
        const auto plan = loadPlanFile(dir + QLatin1String(file));
        ASSERT_TRUE(plan.ok()) << plan.error().toStdString();
        const auto g = make(*plan);
        ASSERT_TRUE(g);
        EXPECT_EQ(g->shape(), shape) << file;
        qint64 n = 1;
        for (qint64 d : shape) n *= d;
        EXPECT_EQ(g->size(), n) << file;
    }
}

TEST(PointGenerator, LinearIncludesStartAndStop) {
    const auto g = make(grid({axis("motor", -10, 10, 21)}, false));
    ASSERT_EQ(g->size(), 21);
    EXPECT_EQ(g->axisCount(), 1);
    EXPECT_EQ(g->axisNames(), QStringList{QStringLiteral("motor")});
    for (qint64 i = 0; i < 21; ++i) {
        double x = 0;
        qint64 c = -1;
        g->positions(i, &x);
        g->cell(i, &c);
        EXPECT_DOUBLE_EQ(x, -10.0 + static_cast<double>(i));
        EXPECT_EQ(c, i);
    }
    double last = 0;
    const auto fine = make(grid({axis("motor", 0.1, 0.7, 7)}, false));
    fine->positions(6, &last);
    EXPECT_EQ(last, 0.7);  // exact end point, no accumulated rounding
    fine->positions(0, &last);
    EXPECT_EQ(last, 0.1);

    const auto down = make(grid({axis("motor", 5, -5, 3)}, false));
    std::vector<double> v(3);
    for (qint64 i = 0; i < 3; ++i) down->positions(i, &v[static_cast<size_t>(i)]);
    EXPECT_EQ(v, (std::vector<double>{5, 0, -5}));

    const auto single = make(grid({axis("motor", 3.5, 9, 1)}, false));
    ASSERT_EQ(single->size(), 1);
    single->positions(0, &last);
    EXPECT_EQ(last, 3.5);
}

TEST(PointGenerator, RasterOrderFirstAxisSlowest) {
    const auto g = make(grid({axis("stage.y", 0, 2, 3), axis("stage.x", 0, 30, 4)}, false));
    ASSERT_EQ(g->size(), 12);
    EXPECT_EQ(g->shape(), (std::vector<qint64>{3, 4}));
    EXPECT_EQ(g->axisNames(), (QStringList{QStringLiteral("stage.y"), QStringLiteral("stage.x")}));
    for (qint64 i = 0; i < 12; ++i) {
        double p[2];
        g->positions(i, p);
        EXPECT_EQ(p[0], static_cast<double>(i / 4)) << i;
        EXPECT_EQ(p[1], 10.0 * static_cast<double>(i % 4)) << i;
    }
}

TEST(PointGenerator, SnakeReversesAlternateRows) {
    const auto g = make(grid({axis("stage.y", 0, 2, 3), axis("stage.x", 0, 3, 4)}, true));
    std::vector<double> xs, ys;
    for (qint64 i = 0; i < g->size(); ++i) {
        double p[2];
        g->positions(i, p);
        ys.push_back(p[0]);
        xs.push_back(p[1]);
    }
    EXPECT_EQ(ys, (std::vector<double>{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}));
    EXPECT_EQ(xs, (std::vector<double>{0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3}));
    const auto cells = allCells(*g);
    EXPECT_EQ(cells[4], (std::vector<qint64>{1, 3}));
    EXPECT_EQ(cells[7], (std::vector<qint64>{1, 0}));
}

TEST(PointGenerator, Snake3DVisitsEveryCellOnceWithSingleSteps) {
    const auto g = make(grid({axis("a", 0, 1, 2), axis("b", 0, 2, 3), axis("c", 0, 3, 4)}, true));
    ASSERT_EQ(g->size(), 24);
    const auto cells = allCells(*g);
    // Known start of the path: c forward, c backward, c forward, then b reverses with a's second pass.
    EXPECT_EQ(cells[3], (std::vector<qint64>{0, 0, 3}));
    EXPECT_EQ(cells[4], (std::vector<qint64>{0, 1, 3}));
    EXPECT_EQ(cells[11], (std::vector<qint64>{0, 2, 3}));
    EXPECT_EQ(cells[12], (std::vector<qint64>{1, 2, 3}));
    EXPECT_EQ(cells[15], (std::vector<qint64>{1, 2, 0}));
    EXPECT_EQ(cells[16], (std::vector<qint64>{1, 1, 0}));
    EXPECT_EQ(cells[23], (std::vector<qint64>{1, 0, 0}));  // sixth pass of c runs backwards
    QSet<qint64> seen;
    for (size_t i = 0; i < cells.size(); ++i) {
        seen.insert(cells[i][0] * 12 + cells[i][1] * 4 + cells[i][2]);
        if (i == 0) continue;
        qint64 moved = 0;
        for (int k = 0; k < 3; ++k) moved += std::abs(cells[i][k] - cells[i - 1][k]);
        EXPECT_EQ(moved, 1) << "between points " << i - 1 << " and " << i;
    }
    EXPECT_EQ(seen.size(), 24);
}

TEST(PointGenerator, CellMatchesPositions) {
    for (bool snake : {false, true}) {
        const std::vector<AxisSpec> axes = {axis("a", -1, 1, 3), axis("b", 10, 20, 5), axis("c", 0, 0.5, 6)};
        const auto g = make(grid(axes, snake));
        for (qint64 i = 0; i < g->size(); ++i) {
            double p[3];
            qint64 c[3];
            g->positions(i, p);
            g->cell(i, c);
            for (int k = 0; k < 3; ++k) {
                const AxisSpec& a = axes[static_cast<size_t>(k)];
                EXPECT_NEAR(p[k], a.start + static_cast<double>(c[k]) * (a.stop - a.start) / static_cast<double>(a.steps - 1), 1e-12);
            }
        }
    }
}

TEST(PointGenerator, SpiralGeometry) {
    for (const auto& [radius, step] : std::vector<std::pair<double, double>>{{10, 1}, {50, 2.5}, {7.3, 0.4}}) {
        const double cx = 3, cy = -4;
        const auto g = make(spiral(radius, step, cx, cy));
        const qint64 n = g->size();
        // Every i with step*sqrt(i) <= radius, and no more.
        EXPECT_EQ(n, static_cast<qint64>(std::floor((radius / step) * (radius / step))) + 1) << radius << " " << step;
        EXPECT_EQ(g->shape(), std::vector<qint64>{n});
        double prevAngle = 0;
        for (qint64 i = 0; i < n; ++i) {
            double p[2];
            g->positions(i, p);
            const double dx = p[0] - cx, dy = p[1] - cy;
            const double r = std::hypot(dx, dy);
            EXPECT_LE(r, radius + 1e-9);
            EXPECT_NEAR(r, step * std::sqrt(static_cast<double>(i)), 1e-9);
            if (i >= 1) {
                const double angle = std::atan2(dy, dx);
                if (i >= 2) {
                    double d = std::remainder(angle - prevAngle, 2 * std::numbers::pi);
                    if (d < 0) d += 2 * std::numbers::pi;
                    EXPECT_NEAR(d * 180 / std::numbers::pi, 137.50776405, 1e-6) << i;
                }
                prevAngle = angle;
            }
        }
    }
    double p[2];
    make(spiral(10, 1, 0, 0))->positions(100, p);
    EXPECT_NEAR(std::hypot(p[0], p[1]), 10.0, 1e-12);  // the rim point lands exactly on the radius
}

TEST(PointGenerator, RelativeAxesAddTheOrigin) {
    const auto g = make(grid({axis("motor", -1, 1, 3, true)}, false), {5});
    std::vector<double> v(3);
    for (qint64 i = 0; i < 3; ++i) g->positions(i, &v[static_cast<size_t>(i)]);
    EXPECT_EQ(v, (std::vector<double>{4, 5, 6}));

    // Only the relative axis moves with the origin.
    const auto mixed = make(grid({axis("stage.y", 0, 1, 2), axis("stage.x", 0, 1, 2, true)}, false), {100, 100});
    double p[2];
    mixed->positions(3, p);
    EXPECT_EQ(p[0], 1.0);
    EXPECT_EQ(p[1], 101.0);

    Plan s = spiral(2, 1, 1, 1);
    s.axes[0].relative = true;
    s.axes[1].relative = true;
    const auto sg = make(s, {10, 20});
    sg->positions(0, p);
    EXPECT_EQ(p[0], 11.0);
    EXPECT_EQ(p[1], 21.0);

    Plan list;
    list.name = QStringLiteral("l");
    list.type = ScanType::List;
    AxisSpec x;
    x.device = QStringLiteral("stage.x");
    x.relative = true;
    x.points = {1, 2, 3};
    list.axes = {x};
    const auto lg = make(list, {-10});
    lg->positions(2, p);
    EXPECT_EQ(p[0], -7.0);

    // Without an origin relative axes start from zero; a wrong-sized origin is an error.
    const auto noOrigin = make(grid({axis("motor", -1, 1, 3, true)}, false));
    noOrigin->positions(0, p);
    EXPECT_EQ(p[0], -1.0);
    const auto bad = PointGenerator::create(grid({axis("motor", -1, 1, 3, true)}, false), {1, 2});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), QStringLiteral("plan 'g': expected 1 origin positions (one per axis), got 2"));
}

TEST(PointGenerator, TenMillionPointGridIsLazy) {
    const auto g = make(grid({axis("stage.y", -100, 100, 1000), axis("stage.x", -200, 200, 10000)}, true));
    ASSERT_EQ(g->size(), 10'000'000);
    EXPECT_EQ(g->shape(), (std::vector<qint64>{1000, 10000}));
    double p[2];
    qint64 c[2];
    g->positions(g->size() - 1, p);
    g->cell(g->size() - 1, c);
    // 1000 rows: the last row is odd, so snake ends it at the start of x.
    EXPECT_EQ(p[0], 100.0);
    EXPECT_EQ(p[1], -200.0);
    EXPECT_EQ(c[0], 999);
    EXPECT_EQ(c[1], 0);
    g->positions(5'000'123, p);
    g->cell(5'000'123, c);
    EXPECT_EQ(c[0], 500);
    EXPECT_EQ(c[1], 123);
    EXPECT_NEAR(p[1], -200.0 + 123 * 400.0 / 9999.0, 1e-9);

    // A billion points (the plan limit) would exhaust memory if anything were stored per point.
    const auto huge = make(grid({axis("a", 0, 1, 1'000'000), axis("b", 0, 1, 1'000)}, false));
    ASSERT_EQ(huge->size(), 1'000'000'000);
    huge->positions(huge->size() - 1, p);
    EXPECT_EQ(p[0], 1.0);
    EXPECT_EQ(p[1], 1.0);
}

TEST(PointGenerator, RepeatsAddALeadingDimension) {
    Plan p = grid({axis("stage.y", 0, 1, 2), axis("stage.x", 0, 2, 3)}, true);
    p.repeats = 3;
    const auto g = make(p);
    ASSERT_EQ(g->size(), 18);
    EXPECT_EQ(g->shape(), (std::vector<qint64>{3, 2, 3}));
    for (qint64 i = 0; i < 6; ++i) {
        double a[2], b[2];
        qint64 ca[3], cb[3];
        g->positions(i, a);
        g->positions(i + 12, b);
        g->cell(i, ca);
        g->cell(i + 12, cb);
        EXPECT_EQ(a[0], b[0]);
        EXPECT_EQ(a[1], b[1]);
        EXPECT_EQ(ca[0], 0);
        EXPECT_EQ(cb[0], 2);
        EXPECT_EQ(ca[1], cb[1]);
        EXPECT_EQ(ca[2], cb[2]);
    }

    Plan count;
    count.name = QStringLiteral("c");
    count.type = ScanType::Count;
    count.count = 4;
    const auto one = make(count);
    EXPECT_EQ(one->shape(), std::vector<qint64>{4});
    EXPECT_EQ(one->axisCount(), 0);
    count.repeats = 5;
    const auto c = make(count);
    EXPECT_EQ(c->size(), 20);
    EXPECT_EQ(c->shape(), (std::vector<qint64>{5, 4}));
    qint64 cell[2];
    c->cell(13, cell);
    EXPECT_EQ(cell[0], 3);
    EXPECT_EQ(cell[1], 1);
}

TEST(PointGenerator, InvalidHandBuiltPlansAreRejected) {
    Plan twoAxisLinear = grid({axis("a", 0, 1, 2), axis("b", 0, 1, 2)}, false);
    twoAxisLinear.type = ScanType::Linear;
    EXPECT_EQ(PointGenerator::create(twoAxisLinear).error(), QStringLiteral("plan 'g': a linear scan needs exactly 1 axis, got 2"));

    Plan zeroSteps = grid({axis("a", 0, 1, 0)}, false);
    EXPECT_EQ(PointGenerator::create(zeroSteps).error(), QStringLiteral("plan 'g': axis 'a' needs steps >= 1"));

    Plan list;
    list.name = QStringLiteral("l");
    list.type = ScanType::List;
    AxisSpec x, y;
    x.device = QStringLiteral("x");
    x.points = {1, 2};
    y.device = QStringLiteral("y");
    y.points = {1};
    list.axes = {x, y};
    EXPECT_FALSE(PointGenerator::create(list).ok());

    EXPECT_FALSE(PointGenerator::create(spiral(0, 1)).ok());
    EXPECT_FALSE(PointGenerator::create(grid({axis("a", 0, 1, 10'000'000), axis("b", 0, 1, 10'000'000)}, false)).ok());
}
