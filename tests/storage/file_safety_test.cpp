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

namespace {
/** A writer process writes and flushes points 0-9, appends 10-14 without a flush and is killed. */
/** Writes 15 points of `l`, flushes 10, and is killed: `*part` names the file left behind. */
void writeAndKill(const RunLayout& l, QString* part) {
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
    *part = l.path + kPartSuffix;
    ASSERT_TRUE(QFile::exists(*part));
}
}  // namespace

TEST(FileSafety, KilledWriterLeavesFlushedPointsReadable) {
    QTemporaryDir dir;
    RunLayout l = gridLayout(dir.filePath("killed.h5"));
    QString part;
    ASSERT_NO_FATAL_FAILURE(writeAndKill(l, &part));
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

TEST(FileSafety, AFileLeftByAKilledWriterIsSealedWithItsStatusAndRenamed) {
    QTemporaryDir dir;
    RunLayout l = gridLayout(dir.filePath("sealed.h5"));
    QString part;
    ASSERT_NO_FATAL_FAILURE(writeAndKill(l, &part));
    EXPECT_FALSE(sealAbandonedFile(l.path, RunStatus::Failed, "x").ok()) << "only a .part is sealed";

    const auto sealed = sealAbandonedFile(part, RunStatus::Failed, QStringLiteral("storage worker killed by signal 9"));
    ASSERT_TRUE(sealed.ok()) << sealed.error().toStdString();
    EXPECT_EQ(*sealed, l.path);
    EXPECT_FALSE(QFile::exists(part));
    // The independent reader: a plain open works again, the status and reason are there, the points too.
    const ProcessResult check = runProcess(kSystemPython, {kChecker, l.path, QStringLiteral("--status"), QStringLiteral("failed")}, kToolTimeout);
    EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
    auto sum = inspectRunFile(l.path);
    ASSERT_TRUE(sum.ok()) << sum.error().toStdString();
    EXPECT_FALSE(sum->openedSwmrRead);
    EXPECT_EQ(sum->status, QStringLiteral("failed"));
    EXPECT_EQ(sum->statusReason, QStringLiteral("storage worker killed by signal 9"));
    EXPECT_EQ(sum->pointsWritten, 10);
    EXPECT_FALSE(sum->endTime.isEmpty());

    // A file that is not "running" any more is left alone.
    ASSERT_TRUE(QFile::copy(l.path, part));
    const auto again = sealAbandonedFile(part, RunStatus::Stopped, QStringLiteral("y"));
    ASSERT_FALSE(again.ok());
    EXPECT_TRUE(again.error().contains(QLatin1String("its status is already 'failed'"))) << again.error().toStdString();
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

namespace {
/** h5py's view of a run file: status, points_written and the number of cells with point_index >= 0. */
QStringList h5pyFacts(const QString& path) {
    const QString script = QStringLiteral(
        "import h5py, sys, numpy\n"
        "f = h5py.File(sys.argv[1], 'r')\n"
        "e = f['entry']\n"
        "idx = e['data/point_index'][()]\n"
        "d = e['data/diode'][()]\n"
        "valid = idx >= 0\n"
        "assert numpy.isnan(d[~valid]).all(), 'a cell without point_index holds data'\n"
        "assert not numpy.isnan(d[valid]).any(), 'a cell with point_index has no data'\n"
        "print(e['status'].asstr()[()], int(e['data/points_written'][()]), int(valid.sum()), e['status_reason'].asstr()[()])\n");
    const auto r = runProcess(kSystemPython, {QStringLiteral("-c"), script, path}, kToolTimeout);
    EXPECT_EQ(r.exitCode, 0) << r.output().toStdString();
    return r.out.trimmed().split(QLatin1Char(' '));
}
}  // namespace

TEST(FileSafety, ReaderHoldingTheFileAcrossFinishDoesNotFailIt) {
    QTemporaryDir dir;
    RunLayout l = gridLayout(dir.filePath("held.h5"));
    DeviceDescription motor;
    motor.name = QStringLiteral("motor");
    motor.driver = QStringLiteral("sim.motor");
    motor.positions = {1.5};
    motor.values.insert(QStringLiteral("velocity"), 2.0);
    l.devices = {motor};
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 0, 30)).ok());
    ASSERT_TRUE(w.flush().ok());
    QProcess reader;  // holds the file open with SWMR until told to let go
    reader.start(kSystemPython, {QStringLiteral("-c"),
                                 QStringLiteral("import h5py, sys\nf = h5py.File(sys.argv[1], 'r', swmr=True)\nprint('open', flush=True)\nsys.stdin.readline()\nf.close()\n"),
                                 l.path + QStringLiteral(".part")});
    ASSERT_EQ(readLine(reader), QStringLiteral("open")) << reader.readAllStandardError().toStdString();
    motor.positions = {7.25};
    motor.values.insert(QStringLiteral("velocity"), 3.0);
    auto finished = w.finish(RunStatus::Completed, {}, {motor});
    EXPECT_TRUE(finished.ok()) << finished.error().toStdString();
    EXPECT_EQ(reader.state(), QProcess::Running) << "the reader must still hold the file";
    reader.write("\n");
    reader.closeWriteChannel();
    ASSERT_TRUE(reader.waitForFinished(60000));
    EXPECT_EQ(w.currentPath(), l.path);
    ASSERT_TRUE(QFile::exists(l.path));
    EXPECT_EQ(h5pyFacts(l.path).mid(0, 3), (QStringList{QStringLiteral("completed"), QStringLiteral("30"), QStringLiteral("30")}));
    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    EXPECT_EQ(readAll<double>(f, "/entry/instrument/motor/value", H5::PredType::NATIVE_DOUBLE)[0], 1.5);
    EXPECT_EQ(readAll<double>(f, "/entry/instrument/motor/at_end/value", H5::PredType::NATIVE_DOUBLE)[0], 7.25);
    EXPECT_EQ(readAll<double>(f, "/entry/instrument/motor/at_end/velocity", H5::PredType::NATIVE_DOUBLE)[0], 3.0);
}

TEST(FileSafety, GapsAreMarkedAndPointsWrittenCountsValidCells) {
    QTemporaryDir dir;
    RunLayout l = gridLayout(dir.filePath("gaps.h5"));
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    // Two disjoint blocks, as two workers leave them, and one point written twice.
    ASSERT_TRUE(w.append(makeBatch(l, 0, 8)).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 20, 5)).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 7, 1)).ok());
    EXPECT_EQ(w.pointsWritten(), 13);
    ASSERT_TRUE(w.finish(RunStatus::Stopped, QStringLiteral("stopped by the user")).ok());
    EXPECT_EQ(h5pyFacts(l.path).mid(0, 3), (QStringList{QStringLiteral("stopped"), QStringLiteral("13"), QStringLiteral("13")}));
}

TEST(FileSafety, FailedRenameLeavesAFailedPartFileNamed) {
    QTemporaryDir dir;
    RunLayout l = gridLayout(dir.filePath("blocked.h5"));
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 0, 10)).ok());
    // Something that is not a file takes the final name: the rename fails.
    ASSERT_TRUE(QDir().mkpath(l.path + QStringLiteral("/inside")));
    auto finished = w.finish(RunStatus::Completed, {});
    ASSERT_FALSE(finished.ok());
    EXPECT_TRUE(finished.error().contains(QLatin1String("rename"))) << finished.error().toStdString();
    EXPECT_TRUE(finished.error().contains(l.path + QStringLiteral(".part"))) << finished.error().toStdString();
    EXPECT_EQ(w.currentPath(), l.path + QStringLiteral(".part"));
    const QStringList facts = h5pyFacts(w.currentPath());
    ASSERT_GE(facts.size(), 4);
    EXPECT_EQ(facts[0], QStringLiteral("failed")) << "the file must not claim 'completed' when the run could not be finished";
    EXPECT_TRUE(facts.mid(3).join(QLatin1Char(' ')).contains(QLatin1String("rename"))) << facts.join(QLatin1Char(' ')).toStdString();
}

TEST(FileSafety, DeletedDirectoryIsNoticedAtFlushAndThePointsAreSaved) {
    QTemporaryDir dir;
    const QByteArray oldData = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", QFile::encodeName(dir.filePath(QStringLiteral("data"))));
    const QString out = dir.filePath(QStringLiteral("out"));
    ASSERT_TRUE(QDir().mkpath(out));
    RunLayout l = gridLayout(out + QStringLiteral("/lost.h5"));
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 0, 12)).ok());
    ASSERT_TRUE(w.flush().ok());
    ASSERT_TRUE(QDir(out).removeRecursively());
    ASSERT_TRUE(w.append(makeBatch(l, 12, 3)).ok());
    auto flushed = w.flush();
    ASSERT_FALSE(flushed.ok()) << "a flush into a deleted file must fail";
    EXPECT_TRUE(flushed.error().contains(QLatin1String("removed"))) << flushed.error().toStdString();
    auto finished = w.finish(RunStatus::Failed, flushed.error());
    ASSERT_FALSE(finished.ok());
    const QString saved = dir.filePath(QStringLiteral("data/acquila/recovered/lost.h5"));
    EXPECT_TRUE(finished.error().contains(saved)) << finished.error().toStdString();
    EXPECT_EQ(w.currentPath(), saved);
    EXPECT_EQ(h5pyFacts(saved).mid(0, 3), (QStringList{QStringLiteral("failed"), QStringLiteral("15"), QStringLiteral("15")}));
    if (oldData.isNull()) qunsetenv("XDG_DATA_HOME");
    else qputenv("XDG_DATA_HOME", oldData);
}
