#include "BrowserTestSupport.h"
#include "ui/browser/H5Loader.h"
#include "ui/browser/MinMaxDecimator.h"
#include <QTemporaryDir>
#include <algorithm>
#include <atomic>

using namespace acquila::ui;

TEST(MinMaxDecimator, KeepsExtremesOfEveryColumnInIndexOrder) {
    std::vector<double> v(1000, 0.0);
    v[123] = 50;
    v[877] = -40;
    MinMaxDecimator d(1000, 10);
    d.add(0, v.data(), 500);  // blocks in two parts, as hyperslab reads deliver them
    d.add(500, v.data() + 500, 500);
    QVector<double> x, y;
    d.result(x, y);
    EXPECT_LE(x.size(), 20);
    EXPECT_TRUE(std::is_sorted(x.begin(), x.end()));
    EXPECT_EQ(*std::max_element(y.begin(), y.end()), 50);
    EXPECT_EQ(*std::min_element(y.begin(), y.end()), -40);
    EXPECT_EQ(x[std::max_element(y.begin(), y.end()) - y.begin()], 123);
}

TEST(MinMaxDecimator, ShortSeriesAreKeptWhole) {
    const double v[] = {3, 1, 2};
    MinMaxDecimator d(3, 100);
    d.add(0, v, 3);
    QVector<double> x, y;
    d.result(x, y);
    EXPECT_EQ(y, (QVector<double>{3, 1, 2}));
    EXPECT_EQ(MinMaxDecimator::strideFor(1000, 512), 2);
    EXPECT_EQ(MinMaxDecimator::strideFor(100, 512), 1);
}

class BigDataset : public ::testing::Test {
protected:
    // 10^8 float32 (400 MB), chunked, with a +1000 spike at n/3 and -1000 at 2n/3.
    static constexpr qint64 kLength = 100'000'000;
    static void SetUpTestSuite() {
        dir_ = new QTemporaryDir;
        ok_ = acquila::test::runCorpusTool({"--big", dir_->filePath("big.h5"), QString::number(kLength)});
    }
    static void TearDownTestSuite() { delete dir_; }
    static QString file() { return dir_->filePath("big.h5"); }
    static inline QTemporaryDir* dir_ = nullptr;
    static inline bool ok_ = false;
};

TEST_F(BigDataset, PreviewStreamsBoundedBlocksAndKeepsSpikes) {
    ASSERT_TRUE(ok_);
    H5Loader loader;
    ASSERT_TRUE(loader.open(file()).ok);
    PreviewRequest r;
    r.path = "/big";
    r.columns = 1000;
    const PreviewData p = loader.preview(r);
    ASSERT_EQ(p.kind, PreviewKind::Line) << p.message.toStdString();
    EXPECT_TRUE(p.decimated);
    EXPECT_FALSE(p.sampled);
    EXPECT_LE(p.x.size(), 2000);
    // Each value is read exactly once, through a buffer of at most one block.
    EXPECT_EQ(p.bytesRead, kLength * 4);
    EXPECT_LE(p.peakBufferBytes, r.blockElements * qint64(sizeof(double)));
    EXPECT_EQ(*std::max_element(p.y.begin(), p.y.end()), 1000.0);
    EXPECT_EQ(*std::min_element(p.y.begin(), p.y.end()), -1000.0);
    EXPECT_EQ(p.x[std::max_element(p.y.begin(), p.y.end()) - p.y.begin()], double(kLength / 3));
}

TEST_F(BigDataset, ReadBudgetBoundsBytesReadBySampling) {
    ASSERT_TRUE(ok_);
    H5Loader loader;
    ASSERT_TRUE(loader.open(file()).ok);
    PreviewRequest r;
    r.path = "/big";
    r.readBudgetBytes = 4'000'000;
    const PreviewData p = loader.preview(r);
    ASSERT_EQ(p.kind, PreviewKind::Line);
    EXPECT_TRUE(p.sampled);
    EXPECT_LE(p.bytesRead, r.readBudgetBytes);
    EXPECT_GT(p.bytesRead, r.readBudgetBytes / 2);
}

TEST_F(BigDataset, CancelStopsBetweenBlocks) {
    ASSERT_TRUE(ok_);
    H5Loader loader;
    ASSERT_TRUE(loader.open(file()).ok);
    PreviewRequest r;
    r.path = "/big";
    std::atomic<int> checks{0};
    const PreviewData p = loader.preview(r, [&] { return ++checks > 3; });
    EXPECT_TRUE(p.cancelled);
    EXPECT_EQ(p.bytesRead, 3 * r.blockElements * 4);  // three blocks, then it stopped
}
