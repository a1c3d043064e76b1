// Files as other programs see them: an independent reader (h5py, silx, h5dump),
// live SWMR reading, a killed writer and a full disk.
#include "StorageTestUtil.h"
#include "support/RunProcess.h"
#include "support/TestSupport.h"
#include "core/storage/NexusWriter.h"
#include "core/storage/RunFileInspector.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <gtest/gtest.h>

#include <csignal>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace acquila;
using namespace acquila::model;
using namespace acquila::storage;
using namespace acquila::test;

namespace {

const QString kChecker = sourcePath(QStringLiteral("tests/tools/check_nexus.py"));
constexpr std::chrono::minutes kToolTimeout{2};

RunLayout gridLayout(const QString& path) {
    RunLayout l = baseLayout(path, {6, 5});
    l.axes = {{QStringLiteral("stage.y"), QStringLiteral("mm"), AxisStorage::Dimension, 0, {0, 1, 2, 3, 4, 5}},
              {QStringLiteral("stage.x"), QStringLiteral("mm"), AxisStorage::Dimension, 1, {0, 1, 2, 3, 4}}};
    l.channels = standardChannels();
    return l;
}

QString readLine(QProcess& p) {
    QDeadlineTimer deadline(60000);
    while (!p.canReadLine() && !deadline.hasExpired()) p.waitForReadyRead(100);
    return QString::fromUtf8(p.readLine()).trimmed();
}

}  // namespace

TEST(FileSafety, IndependentReadersAcceptCompletedFiles) {
    QTemporaryDir dir;
    const std::vector<std::pair<QString, RunLayout>> cases = [&] {
        std::vector<std::pair<QString, RunLayout>> c;
        c.push_back({QStringLiteral("grid"), gridLayout(dir.filePath("grid.h5"))});
        RunLayout spiral = baseLayout(dir.filePath("spiral.h5"), {9});
        RunAxis x{QStringLiteral("x"), QStringLiteral("mm"), AxisStorage::PerPoint, 0, {0, 1, 2, 3, 4, 5, 6, 7, 8}};
        RunAxis y{QStringLiteral("y"), QStringLiteral("mm"), AxisStorage::PerPoint, 0, {8, 7, 6, 5, 4, 3, 2, 1, 0}};
        spiral.axes = {x, y};
        spiral.channels = standardChannels(false);
        c.push_back({QStringLiteral("spiral"), spiral});
        RunLayout count = baseLayout(dir.filePath("count.h5"), {7});
        count.channels = standardChannels();
        c.push_back({QStringLiteral("count"), count});
        return c;
    }();
    for (const auto& [label, layout] : cases) {
        NexusWriter w;
        ASSERT_TRUE(w.open(layout).ok()) << label.toStdString();
        const qint64 n = layout.cellCount();
        ASSERT_TRUE(w.append(makeBatch(layout, 0, n), label == QLatin1String("grid") ? snakeCellMap(layout.scanShape) : CellMap()).ok());
        ASSERT_TRUE(w.log(QDateTime::currentDateTime(), QStringLiteral("info"), QStringLiteral("done")).ok());
        ASSERT_TRUE(w.finish(RunStatus::Completed, {}).ok());
        const ProcessResult check = runProcess(kSystemPython, {kChecker, layout.path, QStringLiteral("--status"), QStringLiteral("completed"),
                                               QStringLiteral("--points"), QString::number(n)}, kToolTimeout);
        EXPECT_EQ(check.exitCode, 0) << label.toStdString() << ": " << check.output().toStdString();
        const ProcessResult dump = runProcess(QStringLiteral("h5dump"), {QStringLiteral("-H"), layout.path}, kToolTimeout);
        EXPECT_EQ(dump.exitCode, 0) << dump.output().toStdString();
        EXPECT_TRUE(dump.output().contains("DATASET \"diode\"")) << label.toStdString();
    }
}

TEST(FileSafety, CheckerRejectsFilesWithoutDefaultData) {
    // The checker must be able to fail: a foreign file without the NeXus layout.
    QTemporaryDir dir;
    const QString path = dir.filePath("foreign.h5");
    {
        H5::H5File f(path.toStdString(), H5F_ACC_TRUNC);
        f.createGroup("/stuff");
    }
    const ProcessResult check = runProcess(kSystemPython, {kChecker, path}, kToolTimeout);
    EXPECT_NE(check.exitCode, 0);
    EXPECT_TRUE(check.output().contains("FAIL")) << check.output().toStdString();
}

TEST(FileSafety, SwmrReaderSeesPointsWrittenGrow) {
    QTemporaryDir dir;
    RunLayout l = gridLayout(dir.filePath("live.h5"));
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 0, 3)).ok());
    ASSERT_TRUE(w.flush().ok());

    QProcess reader;
    reader.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    reader.start(kSystemPython, {kChecker, w.currentPath(), QStringLiteral("--count")});
    ASSERT_TRUE(reader.waitForStarted());
    EXPECT_EQ(readLine(reader), QStringLiteral("3"));

    ASSERT_TRUE(w.append(makeBatch(l, 3, 8)).ok());
    ASSERT_TRUE(w.flush().ok());
    reader.write("\n");
    EXPECT_EQ(readLine(reader), QStringLiteral("11"));
    reader.closeWriteChannel();
    ASSERT_TRUE(reader.waitForFinished(60000));
    EXPECT_EQ(reader.exitCode(), 0);
    ASSERT_TRUE(w.finish(RunStatus::Completed, {}).ok());
}

TEST(FileSafety, KilledWriterLeavesFlushedPointsReadable) {
    QTemporaryDir dir;
    RunLayout l = gridLayout(dir.filePath("killed.h5"));
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        NexusWriter w;
        if (!w.open(l).ok()) _exit(2);
        if (!w.append(makeBatch(l, 0, 10)).ok() || !w.flush().ok()) _exit(3);
        if (!w.append(makeBatch(l, 10, 5)).ok()) _exit(4);  // never flushed
        raise(SIGKILL);
        _exit(5);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exit code " << WEXITSTATUS(status);
    const QString part = l.path + ".part";
    ASSERT_TRUE(QFile::exists(part));
    EXPECT_FALSE(QFile::exists(l.path));

    auto sum = inspectRunFile(part);
    ASSERT_TRUE(sum.ok()) << sum.error().toStdString();
    EXPECT_TRUE(sum->openedSwmrRead);  // a plain read-only open is refused
    EXPECT_TRUE(sum->isAcquilaRun);
    EXPECT_EQ(sum->pointsWritten, 10);
    EXPECT_EQ(sum->status, QStringLiteral("running"));
    EXPECT_TRUE(formatSummary(*sum).contains("SWMR"));

    {
        hid_t f = H5Fopen(part.toUtf8().constData(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
        ASSERT_GE(f, 0);
        H5::H5File file(f);
        H5Fclose(f);
        auto diode = readAll<double>(file, "/entry/data/diode", H5::PredType::NATIVE_DOUBLE);
        for (qint64 p = 0; p < 10; ++p) EXPECT_EQ(diode[static_cast<size_t>(p)], diodeValue(p));
        auto cam = readAll<quint16>(file, "/entry/data/camera", H5::PredType::NATIVE_UINT16);
        EXPECT_EQ(cam[9 * kCameraElements + 100], imageValue(9, 100));
    }

    // h5clear -s resets the "open for writing" flag: afterwards a plain
    // read-only open (what h5py/silx do by default) works too.
    const QString cleared = dir.filePath("cleared.h5");
    ASSERT_TRUE(QFile::copy(part, cleared));
    H5E_BEGIN_TRY { EXPECT_LT(H5Fopen(cleared.toUtf8().constData(), H5F_ACC_RDONLY, H5P_DEFAULT), 0); } H5E_END_TRY;
    const ProcessResult clear = runProcess(QStringLiteral("h5clear"), {QStringLiteral("-s"), cleared}, kToolTimeout);
    EXPECT_EQ(clear.exitCode, 0) << clear.output().toStdString();
    auto plain = inspectRunFile(cleared);
    ASSERT_TRUE(plain.ok()) << plain.error().toStdString();
    EXPECT_FALSE(plain->openedSwmrRead);
    EXPECT_EQ(plain->pointsWritten, 10);
}

TEST(FileSafety, FullDiskFailsAppendOrFlushWithClearMessage) {
    QTemporaryDir dir;
    const QString mnt = dir.filePath("small");
    ASSERT_TRUE(QDir().mkpath(mnt));
    if (mount("tmpfs", mnt.toUtf8().constData(), "tmpfs", 0, "size=2m") != 0)
        GTEST_SKIP() << "cannot mount a 2 MiB tmpfs at " << mnt.toStdString() << ": " << std::strerror(errno);
    struct Unmount {
        QString at;
        ~Unmount() { umount2(at.toUtf8().constData(), MNT_DETACH); }
    } unmount{mnt};

    RunLayout l = baseLayout(mnt + "/full.h5", {200});
    l.channels = standardChannels();  // 64 KiB frames: 200 points need ~13 MiB
    QString error;
    qint64 appended = 0;
    {
        NexusWriter w;
        auto opened = w.open(l);
        ASSERT_TRUE(opened.ok()) << opened.error().toStdString();
        for (qint64 p = 0; p < 200 && error.isEmpty(); ++p) {
            auto r = w.append(makeBatch(l, p, 1));
            if (r.ok()) {
                ++appended;
                if (p % 4 == 3) r = w.flush();
            }
            if (!r.ok()) error = r.error();
        }
        ASSERT_FALSE(error.isEmpty()) << "writing 13 MiB into 2 MiB never failed";
        auto fin = w.finish(RunStatus::Failed, error);  // may fail too; must not crash
        if (!fin.ok()) std::cout << "finish on a full disk: " << fin.error().toStdString() << "\n";
    }
    std::cout << "error after " << appended << " points: " << error.toStdString() << "\n";
    EXPECT_TRUE(error.contains(l.path)) << error.toStdString();
    EXPECT_TRUE(error.contains("No space left on device")) << error.toStdString();

    const QString file = QFile::exists(l.path) ? l.path : l.path + ".part";
    auto sum = inspectRunFile(file);
    ASSERT_TRUE(sum.ok()) << sum.error().toStdString();
    EXPECT_GT(sum->pointsWritten, 0);
    EXPECT_LE(sum->pointsWritten, appended);
}
