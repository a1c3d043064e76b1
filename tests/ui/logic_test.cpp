// Pure logic of the main window and plots: no widgets, no engine.
#include "ui/plots/GridBuffer.h"
#include "ui/plots/RoiSum.h"
#include "ui/plots/ScanContext.h"
#include "ui/window/PlanFormJson.h"
#include "ui/window/RunFormat.h"

#include <gtest/gtest.h>
#include <cmath>
#include <set>

using namespace acquila;
using namespace acquila::ui;

TEST(GridBuffer, StartsNaNAndTracksFilledAndRange) {
    GridBuffer g(3, 2);
    EXPECT_TRUE(std::isnan(g.at(0, 0)));
    EXPECT_EQ(g.filled(), 0);
    EXPECT_TRUE(g.set(2, 1, 5.0));
    EXPECT_TRUE(g.set(0, 0, -1.0));
    EXPECT_FALSE(g.set(3, 0, 1.0));
    EXPECT_EQ(g.filled(), 2);
    EXPECT_DOUBLE_EQ(g.at(2, 1), 5.0);
    EXPECT_DOUBLE_EQ(g.min(), -1.0);
    EXPECT_DOUBLE_EQ(g.max(), 5.0);
    g.set(2, 1, 6.0);  // overwrite does not count twice
    EXPECT_EQ(g.filled(), 2);
}

namespace {
core::Channel image(int w, int h, int points) {
    core::Channel c;
    c.name = QStringLiteral("camera");
    c.dtype = core::DType::UInt16;
    c.pointShape = {h, w};
    c.data.resize(static_cast<qsizetype>(w) * h * points * 2);
    auto* p = reinterpret_cast<quint16*>(c.data.data());
    for (int k = 0; k < points; ++k)
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) p[(k * h + y) * w + x] = static_cast<quint16>(k * 100 + y * 10 + x);
    return c;
}
}  // namespace

TEST(RoiSum, SumsPixelsOfTheRequestedImage) {
    const core::Channel c = image(4, 3, 2);
    // point 1, columns 1..2, rows 0..1: (100+1)+(100+2)+(100+11)+(100+12)
    EXPECT_DOUBLE_EQ(roiSum(c, 1, Roi{1, 0, 2, 1}), 426.0);
    // Corners in any order and beyond the image are clamped.
    EXPECT_DOUBLE_EQ(roiSum(c, 0, Roi{10, 10, -5, -5}), roiSum(c, 0, Roi{0, 0, 3, 2}));
    core::Channel scalar;
    scalar.data.resize(8);
    EXPECT_TRUE(std::isnan(roiSum(scalar, 0, Roi{0, 0, 1, 1})));
}

TEST(RunFormat, ControlsFollowTheState) {
    using core::RunState;
    EXPECT_EQ(controlEnables(RunState::Idle, false), ControlEnables{});
    const auto idle = controlEnables(RunState::Idle, true);
    EXPECT_TRUE(idle.start);
    EXPECT_FALSE(idle.pause || idle.resume || idle.stop || idle.abort);
    const auto running = controlEnables(RunState::Running, true);
    EXPECT_FALSE(running.start);
    EXPECT_TRUE(running.pause && running.stop && running.abort);
    EXPECT_FALSE(running.resume);
    const auto paused = controlEnables(RunState::Paused, true);
    EXPECT_TRUE(paused.resume && paused.stop && paused.abort);
    EXPECT_FALSE(paused.pause || paused.start);
    const auto stopping = controlEnables(RunState::Stopping, true);
    EXPECT_TRUE(stopping.abort);
    EXPECT_FALSE(stopping.stop || stopping.start || stopping.pause);
    EXPECT_TRUE(controlEnables(RunState::Finished, true).start);
}

TEST(RunFormat, DurationsAndRemainingTime) {
    EXPECT_EQ(formatDuration(12.4), QStringLiteral("12 s"));
    EXPECT_EQ(formatDuration(185), QStringLiteral("3 min 05 s"));
    EXPECT_EQ(formatDuration(7440), QStringLiteral("2 h 04 min"));
    EXPECT_EQ(formatDuration(-1), QStringLiteral("—"));
    EXPECT_DOUBLE_EQ(remainingSeconds(25, 100, 10), 30);
    EXPECT_LT(remainingSeconds(0, 100, 10), 0);
    EXPECT_LT(remainingSeconds(100, 100, 10), 0);
    core::RunProgress p;
    p.state = core::RunState::Finished;
    p.status = core::RunStatus::Failed;
    p.planName = QStringLiteral("fault-crash");
    p.reason = QStringLiteral("worker 1 crashed at point 50");
    EXPECT_EQ(runStatusText(p), QStringLiteral("fault-crash: Failed — worker 1 crashed at point 50"));
    EXPECT_EQ(formatBytes(1'500'000), QStringLiteral("1.5 MB"));
}

TEST(PlanFormJson, FieldValuesAndErrorPointers) {
    EXPECT_TRUE(fieldValue(QStringLiteral(" 2.5 ")).isDouble());
    EXPECT_EQ(fieldValue(QStringLiteral("ten")).toString(), QStringLiteral("ten"));
    EXPECT_TRUE(fieldValue(QString()).isUndefined());
    EXPECT_EQ(errorPointer(QStringLiteral("plan: /axes/0/stop: 250 is above the limit")), QStringLiteral("/axes/0/stop"));
    EXPECT_EQ(errorPointer(QStringLiteral("plan: /name: expected a name")), QStringLiteral("/name"));
    EXPECT_EQ(errorPointer(QStringLiteral("no pointer here")), QString());
}

TEST(ScanContext, SnakeGridPlacesEveryPointInADistinctCell) {
    auto plan = core::parsePlan(R"({"version":1,"name":"g","scan":{"type":"grid","snake":true},
        "axes":[{"device":"stage.y","start":-1,"stop":1,"steps":3},{"device":"stage.x","start":2,"stop":-2,"steps":4}],
        "detectors":["spot"]})", QStringLiteral("t"));
    ASSERT_TRUE(plan.ok()) << plan.error().toStdString();
    auto ctx = makeScanContext(*plan, {});
    ASSERT_TRUE(ctx.ok());
    EXPECT_TRUE(ctx->isMap);
    EXPECT_EQ(ctx->x.steps, 4);
    EXPECT_EQ(ctx->y.steps, 3);
    EXPECT_TRUE(ctx->x.descending);
    EXPECT_DOUBLE_EQ(ctx->x.lo, -2);
    std::set<std::pair<int, int>> cells;
    for (qint64 i = 0; i < ctx->total; ++i) {
        int ix = -1, iy = -1;
        ASSERT_TRUE(mapCell(*ctx, i, &ix, &iy));
        cells.insert({ix, iy});
        // The cell's x must match the point's actual x position (descending axis mirrored).
        double pos[2];
        ctx->generator->positions(i, pos);
        EXPECT_DOUBLE_EQ(ctx->x.lo + ix * (ctx->x.hi - ctx->x.lo) / 3, pos[1]);
    }
    EXPECT_EQ(cells.size(), 12u);
    // Point 4 starts the second (reversed) row: at x = -2.
    double pos[2];
    ctx->generator->positions(4, pos);
    EXPECT_DOUBLE_EQ(pos[1], -2);
}
