#include "core/storage/RunLayout.h"
#include "core/storage/ScanArrayWriter.h"

#include <gtest/gtest.h>
#include <limits>

using namespace acquila::storage;

// A hostile batch range must give an error, never an overflowed check or a huge allocation.
TEST(CellPlacement, RangesThatOverflowOrDoNotFitAreRejected) {
    const qint64 max = std::numeric_limits<qint64>::max();
    const auto overflow = CellPlacement::build(max - 5, 10, {}, 100);
    ASSERT_FALSE(overflow.ok());
    EXPECT_EQ(overflow.error(), QStringLiteral("10 points from point 9223372036854775802 do not fit the 100 cells of the scan"));
    const auto huge = CellPlacement::build(0, max / 2, snakeCellMap({10, 10}), 100);
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error(), QStringLiteral("4611686018427387903 points from point 0 do not fit the 100 cells of the scan"));
    EXPECT_FALSE(CellPlacement::build(-1, 1, {}, 100).ok());
    EXPECT_FALSE(CellPlacement::build(91, 10, snakeCellMap({10, 10}), 100).ok());

    const auto raster = CellPlacement::build(90, 10, {}, 100);
    ASSERT_TRUE(raster.ok()) << raster.error().toStdString();
    EXPECT_EQ(raster->firstCell, 90);
    const auto snake = CellPlacement::build(90, 10, snakeCellMap({10, 10}), 100);
    ASSERT_TRUE(snake.ok()) << snake.error().toStdString();
    EXPECT_FALSE(snake->contiguous);  // the last row of a 10 x 10 snake runs backwards
}
