#include "BrowserTestSupport.h"
#include "ui/browser/H5Loader.h"
#include <QTemporaryDir>
#include <algorithm>
#include <atomic>

using namespace acquila::ui::browser;

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
    void SetUp() override {
        ASSERT_TRUE(ok_);
        ASSERT_TRUE(loader.open(file()).ok);
        request.path = "/big";
    }
    H5Loader loader;
    PreviewRequest request;
    static inline QTemporaryDir* dir_ = nullptr;
    static inline bool ok_ = false;
};

TEST_F(BigDataset, PreviewStreamsBoundedBlocksAndKeepsSpikes) {
    request.columns = 1000;
    const PreviewData p = loader.preview(request);
    ASSERT_EQ(p.kind, PreviewKind::Line) << p.message.toStdString();
    EXPECT_TRUE(p.decimated);
    EXPECT_FALSE(p.sampled);
    EXPECT_LE(p.x.size(), 2000);
    // Each value is read exactly once, through a buffer of at most one block.
    EXPECT_EQ(p.bytesRead, kLength * 4);
    EXPECT_LE(p.peakBufferBytes, request.blockElements * qint64(sizeof(double)));
    EXPECT_EQ(*std::max_element(p.y.begin(), p.y.end()), 1000.0);
    EXPECT_EQ(*std::min_element(p.y.begin(), p.y.end()), -1000.0);
    EXPECT_EQ(p.x[std::max_element(p.y.begin(), p.y.end()) - p.y.begin()], double(kLength / 3));
}

TEST_F(BigDataset, ReadBudgetBoundsBytesReadBySampling) {
    request.readBudgetBytes = 4'000'000;
    const PreviewData p = loader.preview(request);
    ASSERT_EQ(p.kind, PreviewKind::Line);
    EXPECT_TRUE(p.sampled);
    EXPECT_LE(p.bytesRead, request.readBudgetBytes);
    EXPECT_GT(p.bytesRead, request.readBudgetBytes / 2);
}

TEST_F(BigDataset, CancelStopsBetweenBlocks) {
    std::atomic<int> checks{0};
    const PreviewData p = loader.preview(request, [&] { return ++checks > 3; });
    EXPECT_TRUE(p.cancelled);
    EXPECT_EQ(p.bytesRead, 3 * request.blockElements * 4);  // three blocks, then it stopped
}
