// Pure logic of the live plots: no widgets, no engine.
#include "ui/plots/GridBuffer.h"
#include "ui/plots/RoiSum.h"
#include "ui/plots/ScanContext.h"

#include <gtest/gtest.h>
#include <cmath>
#include <set>

using namespace acquila;
using namespace acquila::ui::plots;

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
model::Channel image(int w, int h, int points) {
    model::Channel c;
    c.name = QStringLiteral("camera");
    c.dtype = model::DType::UInt16;
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
    const model::Channel c = image(4, 3, 2);
    // point 1, columns 1..2, rows 0..1: (100+1)+(100+2)+(100+11)+(100+12)
    EXPECT_DOUBLE_EQ(roiSum(c, 1, Roi{1, 0, 2, 1}), 426.0);
    // Corners in any order and beyond the image are clamped.
    EXPECT_DOUBLE_EQ(roiSum(c, 0, Roi{10, 10, -5, -5}), roiSum(c, 0, Roi{0, 0, 3, 2}));
    model::Channel scalar;
    scalar.data.resize(8);
    EXPECT_TRUE(std::isnan(roiSum(scalar, 0, Roi{0, 0, 1, 1})));
}

TEST(ScanContext, SnakeGridPlacesEveryPointInADistinctCell) {
    auto plan = plan::parsePlan(R"({"version":1,"name":"g","scan":{"type":"grid","snake":true},
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
