// Fault matrix, storage side, through `acquila run`: the storage worker
// killed or frozen, a full disk, the output directory removed, read-only or
// immutable, an SWMR reader open across the end, the app killed. Each at an
// early, middle and late point of a fast and a slow plan; docs/reliability.md
// states the expected behaviour.
#include "support/FaultMatrix.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

using namespace acquila::test;
using namespace acquila::test::fault;

namespace {

constexpr auto kBound = std::chrono::seconds(15);
constexpr auto kHeartbeatBound = std::chrono::seconds(25);

/** Highest point in any device worker's black box, plus one. */
qint64 highWater(CliRun& run) {
    qint64 hw = 0;
    run.poll();
    for (const auto& [id, w] : run.current)
        if (w.role == QLatin1String("device")) hw = std::max(hw, blackBoxPoint(w.box) + 1);
    return hw;
}

/** Runs `cmd` and says whether it succeeded. */
bool sh(const QString& program, const QStringList& args) { return runProcess(program, args, std::chrono::seconds(20)).exitCode == 0; }

/**
 * The storage worker gets `sig` at point p: the run fails within the bound,
 * naming the storage worker and the cause; it stops measuring at once; the next
 * storage worker seals the file (status "failed", final name); nothing is left. A run
 * that ends `completed` is right only if the storage worker had already
 * finished the file: the final .h5 then holds every point.
 */
void storageSignal(int sig, const Case& c, std::chrono::seconds bound, const QString& cause) {
    const PlanSpec spec = planSpec(c.speed);
    const qint64 p = faultPoint(c.where, spec);
    CliRun run(spec);
    ASSERT_NO_FATAL_FAILURE(run.start());
    ASSERT_NE(run.waitForPoint(p), nullptr) << run.output();
    const WorkerProc* s = run.storageWorker();
    ASSERT_NE(s, nullptr);
    ::kill(static_cast<pid_t>(s->pid), sig);
    run.markFault();
    const qint64 measuredAtFault = highWater(run);
    ASSERT_TRUE(run.waitExit(bound)) << run.output();
    const FileReport f = expectFileAgrees(run);
    if (run.summary.status == QLatin1String("completed")) {
        EXPECT_EQ(run.exitCode, 0) << run.output();
        EXPECT_TRUE(run.summary.file.endsWith(QLatin1String(".h5"))) << run.summary.file.toStdString();
        EXPECT_EQ(static_cast<qint64>(f.stored.size()), spec.points) << "completed, but the file lacks points";
    } else {
        expectOutcome(run, QStringLiteral("failed"));
        expectReasonNames(run.summary.reason, {QStringLiteral("storage worker"), cause, QStringLiteral("the file keeps every point up to the last flush")});
        EXPECT_TRUE(run.summary.file.endsWith(QLatin1String(".h5"))) << "not sealed: " << run.summary.file.toStdString();
        EXPECT_EQ(f.status.toStdString(), "failed") << run.output();
    }
    if (sig == SIGKILL) {
        // What was in flight may still arrive (2 workers x up to 3 jobs of ~20 ms of points), nothing more.
        EXPECT_LE(run.summary.done, measuredAtFault + 64) << "measuring went on after storage was gone";
    }
    expectNothingLeft(run);
    expectNextRunWorks(run);
    record(sig == SIGKILL ? QStringLiteral("storage worker SIGKILL") : QStringLiteral("storage worker SIGSTOP"), run.summary.status, p, -1,
           run.secondsToEnd);
}

/** Undoes an action on scope exit (unmount, clear an attribute). */
struct Undo {
    std::function<void()> f;
    ~Undo() {
        if (f) f();
    }
};

/**
 * The output directory changes under the run at point p (`act`): the run ends
 * within the bound in a status its file and exit code agree on; a run that is
 * not completed names the directory (or a file in it) if `nameDirectory`; every
 * point below p is in the file the summary names, and a completed run holds
 * every point.
 */
void directoryFault(CliRun& run, const Case& c, const std::function<void(const QString&)>& act, const QString& fault,
                    const QStringList& allowed, bool nameDirectory, const QStringList& prefix = {}) {
    const qint64 p = faultPoint(c.where, run.spec);
    ASSERT_NO_FATAL_FAILURE(run.start(prefix));
    ASSERT_NE(run.waitForPoint(p), nullptr) << run.output();
    act(run.outDir);
    run.markFault();
    ASSERT_TRUE(run.waitExit(kBound)) << run.output();
    EXPECT_EQ(run.exitCode, exitCodeFor(run.summary.status)) << run.output();
    EXPECT_TRUE(allowed.contains(run.summary.status)) << "status " << run.summary.status.toStdString() << ": " << run.output();
    if (nameDirectory && run.summary.status != QLatin1String("completed")) expectReasonNames(run.summary.reason, {run.outDir});
    const FileReport f = expectFileAgrees(run);
    expectPointsBelow(f, p);
    if (run.summary.status == QLatin1String("completed")) {
        EXPECT_EQ(static_cast<qint64>(f.stored.size()), run.spec.points);
    }
    // Points that reach the manager after the storage worker gave up the file are counted but not stored.
    if (run.summary.status == QLatin1String("failed")) {
        EXPECT_LE(static_cast<qint64>(f.stored.size()), run.summary.done) << "the file holds points the CLI does not report";
    } else {
        EXPECT_EQ(static_cast<qint64>(f.stored.size()), run.summary.done) << "the file does not hold every point the CLI reports measured";
    }
    record(fault, run.summary.status, p, lostBelow(f, p), run.secondsToEnd);
}

}  // namespace

void storageWorkerSigkill(const Case& param) { storageSignal(SIGKILL, param, kBound, QStringLiteral("signal 9")); }
FAULT_MATRIX_CASES(StorageWorkerSigkill, allCases(), storageWorkerSigkill);

void storageWorkerSigstop(const Case& param) { storageSignal(SIGSTOP, param, kHeartbeatBound, QStringLiteral("heartbeat")); }
FAULT_MATRIX_CASES(StorageWorkerSigstop, allCases(), storageWorkerSigstop);

// A 64 MiB tmpfs as the output directory; at point p a file fills it to 256 KiB
// of free space. The run stops (disk almost full) or fails (no space), saying
// so; it completes only if it had stored every point (a late fault on the fast plan).
void diskFull(const Case& param) {
    CliRun run(planSpec(param.speed));
    run.extraArgs = {QStringLiteral("--disk-reserve"), QStringLiteral("8")};  // the default (at least 1 GiB) exceeds this disk
    if (::mount("tmpfs", QFile::encodeName(run.outDir).constData(), "tmpfs", 0, "size=64m") != 0)
        GTEST_SKIP() << "cannot mount a size-capped tmpfs (" << strerror(errno) << "); run as root to cover a full disk";
    const QString filler = run.tmp.filePath(QStringLiteral("data/filler"));
    Undo umount{[&] {
        QFile::remove(filler);
        ::umount2(QFile::encodeName(run.outDir).constData(), MNT_DETACH);
    }};
    auto fill = [&](const QString& dir) {
        struct statvfs st {};
        ASSERT_EQ(::statvfs(QFile::encodeName(dir).constData(), &st), 0);
        const qint64 free = static_cast<qint64>(st.f_bavail) * static_cast<qint64>(st.f_frsize);
        ASSERT_TRUE(sh(QStringLiteral("fallocate"), {QStringLiteral("-l"), QString::number(std::max<qint64>(free - (256 << 10), 4096)), filler}));
    };
    directoryFault(run, param, fill, QStringLiteral("disk full"), {QStringLiteral("stopped"), QStringLiteral("failed"), QStringLiteral("completed")}, false);
    if (run.summary.status != QLatin1String("completed")) {
        EXPECT_TRUE(run.summary.reason.contains(QLatin1String("disk")) || run.summary.reason.contains(QLatin1String("No space left")))
            << "the reason does not say the disk is full: " << run.summary.reason.toStdString();
    }
    QFile::remove(filler);
    expectNothingLeft(run);
    expectNextRunWorks(run);
}
FAULT_MATRIX_CASES(DiskFull, allCases(), diskFull);

// The output directory is deleted: the run fails early, saying where the data so far is.
void outputDirectoryRemoved(const Case& param) {
    CliRun run(planSpec(param.speed));
    directoryFault(run, param, [](const QString& dir) { QDir(dir).removeRecursively(); }, QStringLiteral("output directory removed"),
                   {QStringLiteral("failed")}, true);
    expectNothingLeft(run);
    expectNextRunWorks(run);
}
FAULT_MATRIX_CASES(OutputDirectoryRemoved, allCases(), outputDirectoryRemoved);

// The output directory loses its write permission. Root ignores permissions, so
// as root the app runs as 'nobody' (setpriv).
void outputDirectoryReadOnly(const Case& param) {
    CliRun run(planSpec(param.speed));
    QStringList prefix;
    if (::geteuid() == 0) {
        if (!sh(QStringLiteral("setpriv"), {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                                             QStringLiteral("true")}))
            GTEST_SKIP() << "running as root and setpriv cannot drop to 'nobody': root would ignore a read-only directory";
        prefix = {QStringLiteral("setpriv"), QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                  QStringLiteral("--")};
        ::chmod(QFile::encodeName(run.tmp.path()).constData(), 0755);
        ASSERT_EQ(::chown(QFile::encodeName(run.outDir).constData(), 65534, 65534), 0);
    }
    Undo restore{[&] { ::chmod(QFile::encodeName(run.outDir).constData(), 0755); }};
    directoryFault(run, param, [](const QString& dir) { ::chmod(QFile::encodeName(dir).constData(), 0555); },
                   QStringLiteral("output directory read-only"), {QStringLiteral("completed"), QStringLiteral("failed")}, true, prefix);
    expectNothingLeft(run);
    ::chmod(QFile::encodeName(run.outDir).constData(), 0755);
    expectNextRunWorks(run);
}
FAULT_MATRIX_CASES(OutputDirectoryReadOnly, allCases(), outputDirectoryReadOnly);

// The output directory is made immutable (chattr +i: root and a filesystem that supports it).
void outputDirectoryImmutable(const Case& param) {
    CliRun run(planSpec(param.speed));
    const QString probe = run.tmp.filePath(QStringLiteral("probe"));
    QDir().mkpath(probe);
    const bool can = sh(QStringLiteral("chattr"), {QStringLiteral("+i"), probe});
    const bool holds = can && !QDir(probe).mkdir(QStringLiteral("x"));
    if (can) sh(QStringLiteral("chattr"), {QStringLiteral("-i"), probe});
    if (!holds) GTEST_SKIP() << "chattr +i does not work here (needs root and a filesystem with the immutable attribute, e.g. ext4, not tmpfs)";
    Undo clear{[&] { sh(QStringLiteral("chattr"), {QStringLiteral("-i"), run.outDir}); }};
    directoryFault(run, param, [](const QString& dir) { sh(QStringLiteral("chattr"), {QStringLiteral("+i"), dir}); },
                   QStringLiteral("output directory immutable"), {QStringLiteral("completed"), QStringLiteral("failed")}, true);
    expectNothingLeft(run);
    sh(QStringLiteral("chattr"), {QStringLiteral("-i"), run.outDir});
    expectNextRunWorks(run);
}
FAULT_MATRIX_CASES(OutputDirectoryImmutable, allCases(), outputDirectoryImmutable);

// An h5py reader opens the growing file with SWMR at point p and holds it past
// the end: the run still completes, into its final .h5. The fault device waits
// 200 ms at the last point so that a late reader still finds the run open.
void swmrReaderAcrossEnd(const Case& param) {
    const PlanSpec spec = planSpec(param.speed);
    const qint64 p = faultPoint(param.where, spec);
    CliRun run(spec, R"({"mode": "slow", "at_point": )" + QByteArray::number(spec.points - 1) + "}");
    QProcess reader;
    reader.start(kSystemPython, {sourcePath(QStringLiteral("tests/tools/fault_check.py")), QStringLiteral("--hold")});
    ASSERT_TRUE(reader.waitForStarted());
    ASSERT_NO_FATAL_FAILURE(run.start());
    ASSERT_NE(run.waitForPoint(p), nullptr) << run.output();
    const QString part = run.partFile();
    ASSERT_FALSE(part.isEmpty()) << "no .part at point " << p;
    reader.write(QFile::encodeName(part) + '\n');
    ASSERT_TRUE(reader.waitForReadyRead(20000)) << reader.readAllStandardError().toStdString();
    ASSERT_EQ(reader.readLine().trimmed(), QByteArray("open"));
    ASSERT_EQ(run.app.state(), QProcess::Running) << "the run ended before the reader opened the file";
    run.markFault();
    const bool exited = run.waitExit(std::chrono::seconds(30));
    reader.closeWriteChannel();
    reader.waitForFinished(10000);
    ASSERT_TRUE(exited) << run.output();
    expectOutcome(run, QStringLiteral("completed"));
    EXPECT_TRUE(run.summary.file.endsWith(QLatin1String(".h5"))) << run.summary.file.toStdString();
    const FileReport f = expectFileAgrees(run);
    EXPECT_EQ(static_cast<qint64>(f.stored.size()), spec.points);
    expectNothingLeft(run);
    expectNextRunWorks(run);
    record(QStringLiteral("SWMR reader across the end"), run.summary.status, p, lostBelow(f, spec.points), run.secondsToEnd);
}
FAULT_MATRIX_CASES(SwmrReaderAcrossEnd, allCases(), swmrReaderAcrossEnd);

// The app is SIGKILLed at point p: its workers leave within 2 s, the storage
// worker closes the file as interrupted, and the next start removes the dead
// app's private directory.
void appSigkill(const Case& param) {
    const PlanSpec spec = planSpec(param.speed);
    const qint64 p = faultPoint(param.where, spec);
    CliRun run(spec);
    ASSERT_NO_FATAL_FAILURE(run.start());
    ASSERT_NE(run.waitForPoint(p), nullptr) << run.output();
    ::kill(static_cast<pid_t>(run.appPid()), SIGKILL);
    run.markFault();
    run.waitExit(std::chrono::seconds(5));
    auto alive = [&] {
        int n = 0;
        for (qint64 pid : run.seenPids) n += processAlive(pid);
        return n;
    };
    EXPECT_TRUE(waitUntil([&] { return alive() == 0; }, std::chrono::seconds(2))) << alive() << " workers outlived the app by 2 s";
    QString file;
    EXPECT_TRUE(waitUntil([&] {
        const QStringList files = QDir(run.outDir).entryList({QStringLiteral("*.h5")}, QDir::Files);
        if (files.size() == 1) file = QDir(run.outDir).filePath(files.first());
        return !file.isEmpty();
    }, std::chrono::seconds(5))) << "the storage worker did not close the file";
    const double seconds = run.sinceFault.elapsed() / 1000.0;
    EXPECT_TRUE(run.partFile().isEmpty()) << "a .part is left";
    FileReport f = checkFile(file);
    if (!file.isEmpty()) {
        EXPECT_TRUE(f.ok) << f.error.toStdString();
        EXPECT_EQ(f.status, QStringLiteral("interrupted"));
        const std::set<qint64> unique(f.stored.begin(), f.stored.end());
        EXPECT_EQ(unique.size(), f.stored.size()) << "a point is stored twice";
        EXPECT_TRUE(f.nanPoints.empty()) << f.nanPoints.size() << " stored points have NaN values";
        EXPECT_TRUE(f.misplaced.empty());
        EXPECT_LE(f.pointsWritten, static_cast<qint64>(f.stored.size()));
        EXPECT_EQ(f.pointsWritten, static_cast<qint64>(f.stored.size())) << "an interrupted file counts every point it holds";
    }
    expectNextRunWorks(run);
    EXPECT_FALSE(QFileInfo::exists(run.runtimeDir)) << "the next start did not remove the dead app's directory " << run.runtimeDir.toStdString();
    record(QStringLiteral("app SIGKILL"), f.status, p, -1, seconds);
}
FAULT_MATRIX_CASES(AppSigkill, allCases(), appSigkill);
