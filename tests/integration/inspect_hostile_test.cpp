// `acquila inspect` on files made with h5py to crash, hang or exhaust a reader.
#include "support/RunProcess.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila::test;

TEST(InspectHostile, EveryFileGivesASummaryQuicklyAndWithoutASignal) {
    QTemporaryDir dir;
    const ProcessResult made = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/make_h5_corpus.py")), QStringLiteral("--hostile"), dir.path()},
                                          std::chrono::seconds(120));
    ASSERT_EQ(made.exitCode, 0) << made.output().toStdString();
    const std::vector<std::pair<const char*, const char*>> files = {
        {"points_written_10.h5", "Note:     /entry/data/points_written: expected one integer, found int64 [10]"},
        {"points_written_200000.h5", "Note:     /entry/data/points_written: expected one integer, found int64 [200000]"},
        {"huge_fixed_strings.h5", "string [1099511627776]"},
        {"huge_vlen_strings.h5", "Status:"},
        {"wide_string.h5", "Note:     /entry/title holds strings of 16777216 bytes"},
        {"many_datasets.h5", "Note:     /entry/data: 501 more objects not listed"},
    };
    for (const auto& [file, expected] : files) {
        // Generous: each takes well under a second; before the bounds some took minutes or aborted.
        const ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("inspect"), dir.filePath(QLatin1String(file))},
                                           std::chrono::seconds(60));
        EXPECT_TRUE(r.finished) << file << ": " << r.err.toStdString();
        EXPECT_EQ(r.exitCode, 0) << file << " (-1: killed by a signal)\n" << r.output().toStdString();
        EXPECT_TRUE(r.out.contains(QLatin1String(expected))) << file << ":\n" << r.out.toStdString();
    }
}

// The files from the fuzzer that send libhdf5 1.10 into an endless loop or a crash
// (fuzz/known/): the reader process is stopped at the deadline or dies, and the command
// says which, naming the file, within the deadline.
TEST(InspectHostile, FilesThatHangOrCrashLibhdf5AreReported) {
    const QStringList files = knownLibhdf5Inputs();
    ASSERT_GE(files.size(), kAddressSanitizer ? 1 : 2);
    for (const QString& name : files) {
        const QString file = sourcePath(QStringLiteral("fuzz/known/") + name);
        const auto t0 = std::chrono::steady_clock::now();
        const ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("inspect"), QStringLiteral("--timeout"), QStringLiteral("2"), file},
                                           std::chrono::seconds(60));
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        ASSERT_TRUE(r.finished) << name.toStdString() << ": acquila inspect hung";
        EXPECT_EQ(r.exitCode, 2) << name.toStdString() << ": " << r.output().toStdString();
        const bool hang = name.contains(QLatin1String("hang"));
        EXPECT_TRUE(r.err.contains(hang ? QLatin1String("gave no result within 2 s") : QLatin1String("killed by signal")))
            << name.toStdString() << ": " << r.err.toStdString();
        EXPECT_TRUE(r.err.contains(name)) << r.err.toStdString();
        EXPECT_LT(seconds, 20.0) << name.toStdString();
        EXPECT_TRUE(r.out.isEmpty()) << r.out.toStdString();
    }
}

TEST(InspectHostile, ABadTimeoutIsRefused) {
    const ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("inspect"), QStringLiteral("--timeout"), QStringLiteral("soon"), QStringLiteral("x.h5")},
                                       std::chrono::seconds(30));
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_TRUE(r.err.contains(QLatin1String("--timeout must be a number of seconds"))) << r.err.toStdString();
}
