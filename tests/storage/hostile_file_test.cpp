// Files made with h5py to break a reader: every read must be checked and bounded.
#include "core/storage/RunFileInspector.h"
#include "support/RunProcess.h"
#include "support/TestSupport.h"

#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila::storage;
using namespace acquila::test;

namespace {
class HostileFile : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new QTemporaryDir;
        const ProcessResult r = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/make_h5_corpus.py")), QStringLiteral("--hostile"), dir_->path()},
                                           std::chrono::seconds(120));
        ASSERT_EQ(r.exitCode, 0) << r.output().toStdString();
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static RunFileSummary inspect(const char* name) {
        auto sum = inspectRunFile(dir_->filePath(QLatin1String(name)));
        EXPECT_TRUE(sum.ok()) << sum.error().toStdString();
        return sum.ok() ? *sum : RunFileSummary{};
    }
    static QTemporaryDir* dir_;
};
QTemporaryDir* HostileFile::dir_ = nullptr;
}  // namespace

TEST_F(HostileFile, PointsWrittenAsAnArrayIsNotedNotRead) {
    for (const auto& [file, shape] : {std::pair{"points_written_10.h5", "[10]"}, std::pair{"points_written_200000.h5", "[200000]"}}) {
        const RunFileSummary sum = inspect(file);
        EXPECT_TRUE(sum.isAcquilaRun);
        EXPECT_EQ(sum.pointsWritten, -1);
        EXPECT_EQ(sum.title, QStringLiteral("points_written is an array"));
        EXPECT_EQ(sum.notes, QStringList{QStringLiteral("/entry/data/points_written: expected one integer, found int64 %1").arg(QLatin1String(shape))});
        EXPECT_TRUE(formatSummary(sum).contains(QStringLiteral("Note:     /entry/data/points_written"))) << formatSummary(sum).toStdString();
    }
}

TEST_F(HostileFile, HugeUnwrittenStringDatasetsReadOneElement) {
    const RunFileSummary fixed = inspect("huge_fixed_strings.h5");
    EXPECT_TRUE(fixed.isAcquilaRun);
    EXPECT_EQ(fixed.title, QString());
    EXPECT_TRUE(fixed.notes.isEmpty()) << fixed.notes.join(QLatin1Char('\n')).toStdString();
    const auto labels = std::find_if(fixed.datasets.begin(), fixed.datasets.end(), [](const auto& d) { return d.name == QLatin1String("labels"); });
    ASSERT_NE(labels, fixed.datasets.end());
    EXPECT_EQ(labels->shape, (std::vector<qint64>{1ll << 40}));
    EXPECT_EQ(labels->dtype, QStringLiteral("string"));

    const RunFileSummary vlen = inspect("huge_vlen_strings.h5");
    EXPECT_TRUE(vlen.isAcquilaRun);
    EXPECT_EQ(vlen.planJson, QString());
    EXPECT_TRUE(vlen.notes.isEmpty()) << vlen.notes.join(QLatin1Char('\n')).toStdString();
}

TEST_F(HostileFile, OversizedStringsAndAttributesAreLeftOut) {
    const RunFileSummary sum = inspect("wide_string.h5");
    EXPECT_EQ(sum.title, QString());
    EXPECT_TRUE(sum.scanShape.empty());
    EXPECT_TRUE(sum.axes.isEmpty());
    EXPECT_EQ(sum.notes, (QStringList{QStringLiteral("/entry/title holds strings of 16777216 bytes (at most 1048576 are read)"),
                                      QStringLiteral("/entry/data@acquila_scan_shape: expected 1 to 32 integers, found int64 [1000]")}));
}

TEST_F(HostileFile, AGroupWithManyObjectsIsListedInPart) {
    const RunFileSummary sum = inspect("many_datasets.h5");
    EXPECT_EQ(sum.datasets.size(), static_cast<size_t>(kMaxListedObjects));
    EXPECT_EQ(sum.notes, QStringList{QStringLiteral("/entry/data: 501 more objects not listed")});
}

TEST_F(HostileFile, DamagedHeadersInAFileOfAKilledSwmrWriterAreNotedAtOnce) {
    // An SWMR-read open retries a read whose checksum fails; HDF5's default of 100 attempts with
    // growing sleeps kept `acquila inspect` on this 20 KB file for many minutes.
    const ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("inspect"), dir_->filePath(QStringLiteral("damaged_swmr.h5"))},
                                       std::chrono::seconds(20));
    ASSERT_TRUE(r.finished) << "inspect still reading after 20 s";
    EXPECT_EQ(r.exitCode, 0) << r.output().toStdString();
    EXPECT_TRUE(r.out.contains(QLatin1String("opened for SWMR reading"))) << r.out.toStdString();
    EXPECT_TRUE(r.out.contains(QLatin1String("Note:     /entry/title cannot be opened as a dataset: Read failed (incorrect metadata checksum after all read attempts)")))
        << r.out.toStdString();
}

TEST(HostileFileFromTheFuzzer, AStringClaimingGigabytesIsNotedNotAllocated) {
    // Found by fuzz_h5: /entry/status stores a length of 4,294,901,760 bytes; libhdf5 allocated
    // and touched a buffer of that size (2.5 GB of RSS) before it found the heap object short.
    const QString file = sourcePath(QStringLiteral("fuzz/regressions/h5/hdf5-vlen-length-4gib-buffer.h5"));
    auto sum = inspectRunFile(file);
    ASSERT_TRUE(sum.ok()) << sum.error().toStdString();
    EXPECT_TRUE(sum->notes.contains(QStringLiteral("/entry/status holds a string of 4294901760 bytes (at most 1048576 are read)")))
        << sum->notes.join(QLatin1Char('\n')).toStdString();
}
