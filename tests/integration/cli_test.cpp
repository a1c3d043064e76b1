// The headless command, as a user runs it: real `acquila` and worker processes.
#include "support/EngineHarness.h"
#include "support/RunProcess.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace acquila::test;

namespace {
ProcessResult runApp(const QStringList& args, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE), args, timeout);
    EXPECT_TRUE(r.finished) << r.err.toStdString();
    return r;
}

QString writePlan(const QTemporaryDir& dir, const QByteArray& json) {
    const QString path = dir.filePath(QStringLiteral("plan.json"));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(json);
    return path;
}
}  // namespace

TEST(Cli, RunCompletesWithSummaryAndExitZero) {
    const auto o = runApp({QStringLiteral("run"), sourcePath(QStringLiteral("resources/plans/linear-motor.json")), QStringLiteral("--workers"),
                           QStringLiteral("2"), QStringLiteral("--no-file")});
    EXPECT_EQ(o.exitCode, 0) << o.err.toStdString();
    EXPECT_TRUE(o.out.startsWith(QLatin1String("completed: "))) << o.out.toStdString();
    EXPECT_TRUE(o.out.contains(QLatin1String("diode min "))) << o.out.toStdString();
    EXPECT_TRUE(o.out.contains(QLatin1String(" mean "))) << o.out.toStdString();
}

TEST(Cli, BadPlansExitTwoWithTheLoadersMessage) {
    QTemporaryDir dir;
    const auto broken = runApp({QStringLiteral("run"), writePlan(dir, "{\"version\": 1,\n  \"name\": }")});
    EXPECT_EQ(broken.exitCode, 2);
    EXPECT_TRUE(broken.err.contains(QLatin1String("plan.json: line 2"))) << broken.err.toStdString();
    const auto range = runApp({QStringLiteral("run"), writePlan(dir, R"({"version": 1, "name": "r", "scan": {"type": "linear"},
        "axes": [{"device": "stage.x", "start": 0, "stop": 250, "steps": 5}], "detectors": ["spot"]})"), QStringLiteral("--no-file")});
    EXPECT_EQ(range.exitCode, 2);
    EXPECT_TRUE(range.err.contains(QLatin1String("plan.json: /axes/0/stop: 250 is above the limit 200 mm of axis 'stage.x'")))
        << range.err.toStdString();
    const auto missing = runApp({QStringLiteral("run"), dir.filePath(QStringLiteral("nope.json"))});
    EXPECT_EQ(missing.exitCode, 2);
    EXPECT_TRUE(missing.err.contains(QLatin1String("nope.json"))) << missing.err.toStdString();
}

TEST(Cli, FailedRunExitsOneAndSaysWhy) {
    const auto o = runApp({QStringLiteral("run"), sourcePath(QStringLiteral("resources/plans/fault-crash.json")), QStringLiteral("--no-file")});
    EXPECT_EQ(o.exitCode, 1) << o.out.toStdString() << o.err.toStdString();
    EXPECT_TRUE(o.out.startsWith(QLatin1String("failed: "))) << o.out.toStdString();
    EXPECT_TRUE(o.out.contains(QLatin1String("'fault'"))) << o.out.toStdString();
}

TEST(Cli, SigintStopsTheRunWithExitThree) {
    QTemporaryDir dir;
    const QString plan = writePlan(dir, R"({"version": 1, "name": "slow", "scan": {"type": "linear"},
        "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 5000}], "detectors": ["diode"], "exposure_s": 0.01})");
    QProcess p;
    p.start(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("run"), plan, QStringLiteral("--no-file")});
    ASSERT_TRUE(p.waitForStarted());
    // Wait until it is measuring (the progress bar prints once a second when not on a terminal).
    QByteArray err;
    ASSERT_TRUE(waitUntil([&] {
        p.waitForReadyRead(50);
        err += p.readAllStandardError();
        return err.contains(" points ");
    }, std::chrono::seconds(30))) << err.toStdString();
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    ASSERT_TRUE(p.waitForFinished(30000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    EXPECT_EQ(p.exitCode(), 3) << out.toStdString();
    EXPECT_TRUE(out.startsWith(QLatin1String("stopped: "))) << out.toStdString();
}

TEST(Cli, WorkersEndWithinTwoSecondsWhenTheAppIsKilled) {
    QTemporaryDir dir;
    const QString plan = writePlan(dir, R"({"version": 1, "name": "slow", "scan": {"type": "linear"},
        "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 5000}], "detectors": ["diode"], "exposure_s": 0.01})");
    QProcess p;
    p.start(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("run"), plan, QStringLiteral("--no-file"), QStringLiteral("--workers"), QStringLiteral("2")});
    ASSERT_TRUE(p.waitForStarted());
    std::vector<qint64> workers;
    ASSERT_TRUE(waitUntil([&] {
        workers = childPids(p.processId());
        return workers.size() >= 2;
    }, std::chrono::seconds(20)));
    ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
    p.waitForFinished(5000);
    auto alive = [&] {
        int n = 0;
        for (qint64 pid : workers) n += ::kill(static_cast<pid_t>(pid), 0) == 0 && QFile::exists(QStringLiteral("/proc/%1/cmdline").arg(pid)) &&
                                        !QFile(QStringLiteral("/proc/%1/stat").arg(pid)).open(QIODevice::ReadOnly) == false &&
                                        !QString::fromLatin1([&] {
                                             QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
                                             f.open(QIODevice::ReadOnly);
                                             return f.readAll();
                                         }()).contains(QLatin1String(") Z"));
        return n;
    };
    EXPECT_TRUE(waitUntil([&] { return alive() == 0; }, std::chrono::milliseconds(2000))) << alive() << " workers outlived the app";
}

TEST(Cli, DevicesVersionAndHelp) {
    const auto d = runApp({QStringLiteral("devices")});
    EXPECT_EQ(d.exitCode, 0) << d.err.toStdString();
    for (const char* name : {"motor", "stage.x", "diode", "camera", "fault"}) EXPECT_TRUE(d.out.contains(QLatin1String(name))) << name;
    const auto v = runApp({QStringLiteral("--version")});
    EXPECT_TRUE(v.out.startsWith(QLatin1String("acquila "))) << v.out.toStdString();
    const auto h = runApp({QStringLiteral("run"), QStringLiteral("--help")});
    EXPECT_EQ(h.exitCode, 0);
    EXPECT_TRUE(h.out.contains(QLatin1String("--workers")));
}

namespace {
/** Starts `acquila run` without a file on a plan whose points take 30 s each: a stop waits for the current one. */
void startRun(QProcess& p, const QTemporaryDir& dir) {
    const QString plan = writePlan(dir, R"({"version": 1, "name": "slow", "scan": {"type": "linear"},
        "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 100}], "detectors": ["diode"], "exposure_s": 30,
        "properties": {"diode": {"timeout_s": 60}}})");
    p.start(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("run"), plan, QStringLiteral("--no-file"), QStringLiteral("--workers"), QStringLiteral("1")});
}

/** Reads standard error until it contains `text`. */
bool waitForErr(QProcess& p, QByteArray& err, const char* text, std::chrono::seconds timeout = std::chrono::seconds(30)) {
    return waitUntil([&] {
        p.waitForReadyRead(20);
        err += p.readAllStandardError();
        return err.contains(text);
    }, timeout);
}
}  // namespace

TEST(Cli, SigintDuringStartUpEndsTheCommandCleanly) {
    QTemporaryDir dir;
    // The lab comes through a FIFO: the command is held in its start-up, before any engine or worker,
    // until the test has sent its Ctrl-C.
    const QByteArray fifo = QFile::encodeName(dir.filePath(QStringLiteral("lab.json")));
    ASSERT_EQ(::mkfifo(fifo.constData(), 0600), 0);
    QProcess p;
    p.start(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("run"), sourcePath(QStringLiteral("resources/plans/linear-motor.json")),
                                               QStringLiteral("--lab"), QString::fromLocal8Bit(fifo), QStringLiteral("--no-file")});
    ASSERT_TRUE(p.waitForStarted());
    int fd = -1;  // opening the write end succeeds once the command has opened the read end
    ASSERT_TRUE(waitUntil([&] { return (fd = ::open(fifo.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) >= 0; }, std::chrono::seconds(30)));
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    QFile lab(sourcePath(QStringLiteral("resources/lab/default.json")));
    ASSERT_TRUE(lab.open(QIODevice::ReadOnly));
    const QByteArray json = lab.readAll();
    EXPECT_EQ(::write(fd, json.constData(), static_cast<size_t>(json.size())), json.size());
    ::close(fd);
    ASSERT_TRUE(p.waitForFinished(30000));
    EXPECT_EQ(p.exitStatus(), QProcess::NormalExit) << "killed by the signal instead of handling it";
    EXPECT_EQ(p.exitCode(), 3) << p.readAllStandardError().toStdString();
    EXPECT_TRUE(p.readAllStandardOutput().startsWith("stopped: 0/101 points: Ctrl-C before the run started"));
}

TEST(Cli, SigintWhileTheLibrariesLoadStopsTheRun) {
    // `acquila` is a launcher that execs acquila-app with SIGINT blocked. The signal is sent as soon as
    // /proc shows acquila-app: the dynamic loader is then still mapping Qt and HDF5 (~20 ms), before
    // main() could install a handler; without the launcher the default action killed the app (130).
    QTemporaryDir dir;
    QProcess p;
    p.start(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("run"), sourcePath(QStringLiteral("resources/plans/linear-motor.json")),
                                               QStringLiteral("--no-file")});
    ASSERT_TRUE(p.waitForStarted());
    const QString exe = QStringLiteral("/proc/%1/exe").arg(p.processId());
    ASSERT_TRUE(waitUntil([&] { return QFileInfo(exe).symLinkTarget().endsWith(QLatin1String("/acquila-app")); },
                          std::chrono::seconds(10)));
    ::kill(static_cast<pid_t>(p.processId()), SIGINT);
    ASSERT_TRUE(p.waitForFinished(30000));
    EXPECT_EQ(p.exitStatus(), QProcess::NormalExit) << "killed by the signal instead of handling it";
    EXPECT_EQ(p.exitCode(), 3) << p.readAllStandardError().toStdString();
    const QByteArray out = p.readAllStandardOutput();
    EXPECT_TRUE(out.startsWith("stopped: 0/101 points: Ctrl-C before the run started")) << out.toStdString();
}

TEST(Cli, SecondSigintAbortsEvenRightAfterTheFirst) {
    QTemporaryDir dir;
    QProcess p;
    startRun(p, dir);
    ASSERT_TRUE(p.waitForStarted());
    QByteArray err;
    // The progress line (once a second off a terminal) says "running": the 30 s point is in flight,
    // so the Stop waits for it. (A Stop before any point is out ends the run at once.)
    ASSERT_TRUE(waitForErr(p, err, "  running")) << err.toStdString();
    const auto pid = static_cast<pid_t>(p.processId());
    ::kill(pid, SIGINT);
    // The kernel keeps one pending SIGINT per process: a second one sent before the first was taken is
    // the same signal. Once the first is taken, the second aborts, whatever the run is doing.
    ASSERT_TRUE(waitForErr(p, err, "Ctrl-C again to abort")) << err.toStdString();
    ::kill(pid, SIGINT);
    ASSERT_TRUE(p.waitForFinished(20000)) << "the abort waited for the 30 s point";
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    EXPECT_EQ(p.exitCode(), 3) << out.toStdString();
    EXPECT_TRUE(out.startsWith(QLatin1String("aborted: "))) << out.toStdString() << err.toStdString();
}

TEST(Cli, OutOverridesThePlansDirectoryAndTheSummaryNamesAnExistingFile) {
    QTemporaryDir dir;
    const QString planDir = dir.filePath(QStringLiteral("from-plan"));
    const QString outDir = dir.filePath(QStringLiteral("from-cli"));
    const QByteArray plan = R"({"version": 1, "name": "out", "scan": {"type": "count", "points": 5}, "detectors": ["diode"], "output": {"directory": ")"
                            + QFile::encodeName(planDir) + R"("}})";
    const auto o = runApp({QStringLiteral("run"), writePlan(dir, plan), QStringLiteral("--out"), outDir, QStringLiteral("--workers"), QStringLiteral("1")});
    EXPECT_EQ(o.exitCode, 0) << o.output().toStdString();
    const int at = o.out.indexOf(QLatin1String("file: "));
    ASSERT_GE(at, 0) << o.out.toStdString();
    const QString file = o.out.mid(at + 6).section(QLatin1Char('\n'), 0, 0);
    EXPECT_TRUE(file.startsWith(outDir)) << file.toStdString();
    EXPECT_TRUE(QFile::exists(file)) << file.toStdString();
    EXPECT_TRUE(QDir(planDir).entryList(QDir::Files).isEmpty()) << "--out must win over the plan's output.directory";
    const auto bad = runApp({QStringLiteral("run"), writePlan(dir, plan), QStringLiteral("--disk-reserve"), QStringLiteral("lots")});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_TRUE(bad.err.contains(QLatin1String("--disk-reserve"))) << bad.err.toStdString();
}
