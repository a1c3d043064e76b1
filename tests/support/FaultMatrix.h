#pragma once
// The fault matrix's shared parts: plans, fault points, a driven `acquila run`
// process, the independent file check (tests/tools/fault_check.py) and the
// checks every case makes. docs/reliability.md states what each case expects.
#include "support/EngineHarness.h"
#include "support/RunProcess.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <csignal>
#include <deque>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <set>
#include <unistd.h>

namespace acquila::test::fault {

enum class Where { Early, Middle, Late };
enum class Speed { Fast, Slow };

inline const char* whereName(Where w) { return w == Where::Early ? "Early" : w == Where::Middle ? "Middle" : "Late"; }
inline const char* speedName(Speed s) { return s == Speed::Fast ? "Fast" : "Slow"; }

/** Fast: 600 points of 2 ms (about 0.7 s on two workers). Slow: 120 points of 40 ms (about 2.5 s). */
struct PlanSpec {
    int points;
    double exposureS;
};
inline PlanSpec planSpec(Speed s) { return s == Speed::Fast ? PlanSpec{600, 0.002} : PlanSpec{120, 0.04}; }

/** The point a fault is placed at: the fifth point, the middle, or eight points before the end. */
inline qint64 faultPoint(Where w, const PlanSpec& p) {
    return w == Where::Early ? 5 : w == Where::Middle ? p.points / 2 : p.points - 8;
}

/** A case's parameters: the fault point and the plan speed. */
struct Case {
    Where where;
    Speed speed;
};
/** Every point and speed, named like "Middle_Fast". */
inline std::vector<std::pair<std::string, Case>> allCases() {
    std::vector<std::pair<std::string, Case>> out;
    for (Where w : {Where::Early, Where::Middle, Where::Late})
        for (Speed s : {Speed::Fast, Speed::Slow}) out.push_back({std::string(whereName(w)) + "_" + speedName(s), {w, s}});
    return out;
}

/** A test whose body is a function (see registerCases). */
class CaseTest : public ::testing::Test {
public:
    explicit CaseTest(std::function<void()> body) : body_(std::move(body)) {}
    void TestBody() override { body_(); }

private:
    std::function<void()> body_;
};

/**
 * Registers one plain test per case, "FaultMatrix/<fault>.<case>", so that
 * each is its own ctest test with a clean name (TEST_P names would carry the
 * parameter's bytes through gtest_discover_tests).
 */
template <class Param>
inline bool registerCases(const char* fault, const std::vector<std::pair<std::string, Param>>& cases, void (*body)(const Param&),
                          const char* file, int line) {
    static std::deque<std::string> suites;  // stable storage for the names
    suites.push_back(std::string("FaultMatrix/") + fault);
    const char* suite = suites.back().c_str();
    for (const auto& [name, param] : cases)
        ::testing::RegisterTest(suite, name.c_str(), nullptr, nullptr, file, line,
                                [body, param = param]() -> CaseTest* { return new CaseTest([body, param] { body(param); }); });
    return true;
}

/** Registers `body` (a function of `const Param&`) for every case in `cases` as FaultMatrix/<Fault>.<case>. */
#define FAULT_MATRIX_CASES(Fault, cases, body) \
    [[maybe_unused]] static const bool Fault##Registered = ::acquila::test::fault::registerCases(#Fault, cases, body, __FILE__, __LINE__)

/** A linear motor scan reading diode and fault; `faultProps` is the JSON of the fault device's plan properties. */
inline QByteArray planJson(const PlanSpec& p, const QByteArray& faultProps = {}) {
    QByteArray json = R"({"version": 1, "name": "matrix", "title": "fault matrix", "scan": {"type": "linear"},
        "axes": [{"device": "motor", "start": -50, "stop": 50, "steps": )" +
                      QByteArray::number(p.points) + R"(}], "detectors": ["diode", "fault"], "exposure_s": )" +
                      QByteArray::number(p.exposureS);
    if (!faultProps.isEmpty()) json += R"(, "properties": {"fault": )" + faultProps + "}";
    return json + "}";
}

/** The built-in lab with a 1 s operation timeout on the fault device (a hang is noticed after 1 s). */
inline QByteArray labJson() {
    QFile f(sourcePath(QStringLiteral("resources/lab/default.json")));
    EXPECT_TRUE(f.open(QIODevice::ReadOnly));
    QByteArray lab = f.readAll();
    const QByteArray from = R"("params": {"mode": "none", "at_point": -1})";
    EXPECT_TRUE(lab.contains(from)) << "the built-in lab's fault device changed";
    return lab.replace(from, R"("params": {"mode": "none", "at_point": -1, "timeout_s": 1})");
}

inline QString writeFile(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate)) << path.toStdString();
    f.write(bytes);
    return path;
}

/** A worker process as its command line tells it. */
struct WorkerProc {
    qint64 pid = 0;
    int id = -1;
    QString role, socket, box;
};

inline QByteArray procFile(qint64 pid, const char* name) {
    QFile f(QStringLiteral("/proc/%1/%2").arg(pid).arg(QLatin1String(name)));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/** True while `pid` exists and is not a zombie. */
inline bool processAlive(qint64 pid) {
    const QByteArray stat = procFile(pid, "stat");
    return !stat.isEmpty() && !stat.mid(stat.lastIndexOf(')')).startsWith(") Z");
}

/** acquila-worker children of `parent`, from /proc. */
inline std::vector<WorkerProc> workerProcs(qint64 parent) {
    std::vector<WorkerProc> out;
    for (qint64 pid : childPids(parent)) {
        const QList<QByteArray> args = procFile(pid, "cmdline").split('\0');
        if (args.isEmpty() || !args.first().endsWith("acquila-worker")) continue;
        WorkerProc w;
        w.pid = pid;
        for (int i = 1; i + 1 < args.size(); ++i) {
            if (args[i] == "--id") w.id = args[i + 1].toInt();
            if (args[i] == "--role") w.role = QString::fromUtf8(args[i + 1]);
            if (args[i] == "--socket") w.socket = QString::fromUtf8(args[i + 1]);
            if (args[i] == "--blackbox") w.box = QString::fromUtf8(args[i + 1]);
        }
        out.push_back(w);
    }
    return out;
}

/** The point in a worker's black box (docs/architecture.md, "Black box and watchdog"); -1 if unreadable. */
inline qint64 blackBoxPoint(const QString& box) {
    const int fd = ::open(QFile::encodeName(box).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int64_t point = -1;
    if (::pread(fd, &point, sizeof point, 0) != static_cast<ssize_t>(sizeof point)) point = -1;
    ::close(fd);
    return point;
}

/** What fault_check.py read from a run file. */
struct FileReport {
    bool ok = false;
    QString error, status, reason;
    qint64 pointsWritten = -1, cells = 0;
    int pointsWrittenRank = -1;
    std::vector<qint64> stored, misplaced, nanPoints;
};

inline std::vector<qint64> toVector(const QJsonValue& v) {
    std::vector<qint64> out;
    for (const QJsonValue& x : v.toArray()) out.push_back(x.toInteger());
    return out;
}

inline FileReport checkFile(const QString& path) {
    FileReport r;
    const auto p = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/fault_check.py")), path}, std::chrono::seconds(60));
    const QJsonObject o = QJsonDocument::fromJson(p.out.toUtf8()).object();
    r.error = o.contains(QLatin1String("error")) ? o.value(QLatin1String("error")).toString() : p.exitCode == 0 ? QString() : p.output();
    r.ok = r.error.isEmpty() && !o.isEmpty();
    r.status = o.value(QLatin1String("status")).toString();
    r.reason = o.value(QLatin1String("reason")).toString();
    r.pointsWritten = o.value(QLatin1String("points_written")).toInteger(-1);
    r.pointsWrittenRank = o.value(QLatin1String("points_written_rank")).toInt(-1);
    r.cells = o.value(QLatin1String("cells")).toInteger();
    r.stored = toVector(o.value(QLatin1String("stored")));
    r.misplaced = toVector(o.value(QLatin1String("misplaced")));
    r.nanPoints = toVector(o.value(QLatin1String("nan_points")));
    return r;
}

/** The CLI's summary line: "<status>: <done>/<total> points in ...[: <reason>]; <stats>" and "file: <path>". */
struct Summary {
    QString status, reason, file;
    qint64 done = -1, total = -1;
};

inline Summary parseSummary(const QString& out) {
    Summary s;
    static const QRegularExpression line(QStringLiteral(R"(^(\w+): (\d+)/(\d+) points in [0-9.]+ s \([0-9]+ points/s\)(.*)$)"),
                                         QRegularExpression::MultilineOption);
    const auto m = line.match(out);
    if (!m.hasMatch()) return s;
    s.status = m.captured(1);
    s.done = m.captured(2).toLongLong();
    s.total = m.captured(3).toLongLong();
    QString rest = m.captured(4);
    const qsizetype stats = rest.lastIndexOf(QLatin1String("; diode"));
    if (stats >= 0) rest.truncate(stats);
    if (rest.startsWith(QLatin1String(": "))) s.reason = rest.mid(2);
    static const QRegularExpression file(QStringLiteral(R"(^file: (.*)$)"), QRegularExpression::MultilineOption);
    const auto f = file.match(out);
    if (f.hasMatch()) s.file = f.captured(1);
    return s;
}

/** The point a reason names ("at point N"), or -1. */
inline qint64 reasonPoint(const QString& reason) {
    static const QRegularExpression at(QStringLiteral(R"(at point (\d+))"));
    const auto m = at.match(reason);
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

/** The documented exit code of `acquila run` for a terminal status (cli/RunCommand.cpp). */
inline int exitCodeFor(const QString& status) {
    return status == QLatin1String("completed") ? 0 : status == QLatin1String("failed") ? 1 : 3;
}

/**
 * One `acquila run` on two device workers, writing into `<tmp>/data`, with the
 * matrix's lab. Tracks every worker process it ever had and the private runtime
 * directory, so a case can check nothing is left behind.
 */
class CliRun {
public:
    explicit CliRun(const PlanSpec& spec, const QByteArray& faultProps = {}) : spec(spec) {
        EXPECT_TRUE(tmp.isValid());
        outDir = tmp.filePath(QStringLiteral("data"));
        QDir().mkpath(outDir);
        planPath = writeFile(tmp.filePath(QStringLiteral("plan.json")), planJson(spec, faultProps));
        labPath = writeFile(tmp.filePath(QStringLiteral("lab.json")), labJson());
    }
    ~CliRun() {
        if (app.state() != QProcess::NotRunning) {
            app.kill();
            app.waitForFinished(5000);
        }
    }

    QStringList extraArgs;  // more `acquila run` options, also for the next run

    /** Starts the app; `prefix` runs it through another program (e.g. setpriv). */
    void start(const QStringList& prefix = {}) {
        QStringList args = prefix;
        args << QStringLiteral(ACQUILA_APP_EXE) << QStringLiteral("run") << planPath << QStringLiteral("--out") << outDir << QStringLiteral("--lab")
             << labPath << QStringLiteral("--workers") << QStringLiteral("2") << extraArgs;
        const QString program = args.takeFirst();
        app.start(program, args);
        ASSERT_TRUE(app.waitForStarted(10000));
        clock.start();
    }

    qint64 appPid() {
        if (prefixPid_ == 0) prefixPid_ = app.processId();
        // Through a prefix that execs (setpriv), the app keeps the pid.
        return prefixPid_;
    }

    /** Reads output and records the workers now alive. */
    void poll() {
        out += app.readAllStandardOutput();
        err += app.readAllStandardError();
        for (const WorkerProc& w : workerProcs(appPid())) {
            seenPids.insert(w.pid);
            if (runtimeDir.isEmpty() && !w.socket.isEmpty()) runtimeDir = QFileInfo(w.socket).path();
            current[w.id] = w;
        }
    }

    /** Waits until a device worker's black box reaches `point` (or the run ends); returns that worker, or null. */
    const WorkerProc* waitForPoint(qint64 point, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
        const WorkerProc* hit = nullptr;
        waitUntil([&] {
            poll();
            for (const auto& [id, w] : current)
                if (w.role == QLatin1String("device") && processAlive(w.pid) && blackBoxPoint(w.box) >= point) {
                    hit = &current[id];
                    return true;
                }
            return app.state() == QProcess::NotRunning;
        }, timeout);
        return hit;
    }

    const WorkerProc* storageWorker() {
        poll();
        for (const auto& [id, w] : current)
            if (w.role == QLatin1String("storage") && processAlive(w.pid)) return &current[id];
        return nullptr;
    }

    /** The .part the run is writing (the only one in the output directory), or empty. */
    QString partFile() const {
        const QStringList parts = QDir(outDir).entryList({QStringLiteral("*.h5.part")}, QDir::Files);
        return parts.size() == 1 ? QDir(outDir).filePath(parts.first()) : QString();
    }

    void markFault() { sinceFault.start(); }

    /** Waits for the app to exit within `bound` of the fault; false if it did not (it is then killed). */
    bool waitExit(std::chrono::milliseconds bound) {
        if (!sinceFault.isValid()) markFault();
        const bool exited = waitUntil([&] {
            poll();
            app.waitForFinished(20);
            return app.state() == QProcess::NotRunning;
        }, bound);
        secondsToEnd = sinceFault.elapsed() / 1000.0;
        poll();
        if (!exited) {
            ::kill(static_cast<pid_t>(app.processId()), SIGKILL);
            app.waitForFinished(5000);
            poll();
        }
        exitCode = app.exitStatus() == QProcess::NormalExit && exited ? app.exitCode() : -1;
        summary = parseSummary(QString::fromUtf8(out));
        return exited;
    }

    std::string output() const { return (out + err).toStdString(); }

    PlanSpec spec;
    QTemporaryDir tmp;
    QString outDir, planPath, labPath, runtimeDir;
    QProcess app;
    QElapsedTimer clock, sinceFault;
    QByteArray out, err;
    std::set<qint64> seenPids;
    std::map<int, WorkerProc> current;
    Summary summary;
    int exitCode = -1;
    double secondsToEnd = -1;

private:
    qint64 prefixPid_ = 0;
};

/** The summary is printed, the exit code is the documented one for its status, and that status is `expected`. */
inline void expectOutcome(const CliRun& run, const QString& expected) {
    EXPECT_FALSE(run.summary.status.isEmpty()) << "no summary line: " << run.output();
    EXPECT_EQ(run.exitCode, exitCodeFor(run.summary.status)) << run.output();
    EXPECT_EQ(run.summary.status.toStdString(), expected.toStdString()) << run.output();
}

/** The reason names every one of `words`. */
inline void expectReasonNames(const QString& reason, const QStringList& words) {
    for (const QString& w : words) EXPECT_TRUE(reason.contains(w)) << "the reason does not name " << w.toStdString() << ": " << reason.toStdString();
}

/**
 * The file the CLI names exists, its status agrees with the CLI's, and every
 * stored point is stored once, in its own cell, with no NaN value.
 */
inline FileReport expectFileAgrees(const CliRun& run) {
    EXPECT_FALSE(run.summary.file.isEmpty()) << "the CLI names no file: " << run.output();
    EXPECT_TRUE(QFileInfo::exists(run.summary.file)) << "the file the CLI names does not exist: " << run.summary.file.toStdString();
    if (!QFileInfo::exists(run.summary.file)) return {};
    const FileReport f = checkFile(run.summary.file);
    EXPECT_TRUE(f.ok) << f.error.toStdString();
    // A writer killed mid-run cannot write the end status: then the user is told the file still reads "running".
    if (f.status == QLatin1String("running") && run.summary.status == QLatin1String("failed"))
        EXPECT_TRUE(run.summary.reason.contains(QLatin1String("keeps status 'running'"))) << "the file says running, the CLI does not say so: "
                                                                                        << run.summary.reason.toStdString();
    else
        EXPECT_EQ(f.status.toStdString(), run.summary.status.toStdString()) << "the file's status disagrees with the CLI";
    EXPECT_EQ(f.pointsWrittenRank, 0);
    const std::set<qint64> unique(f.stored.begin(), f.stored.end());
    EXPECT_EQ(unique.size(), f.stored.size()) << "a point is stored twice";
    EXPECT_TRUE(f.misplaced.empty()) << f.misplaced.size() << " points stored in another point's cell";
    EXPECT_TRUE(f.nanPoints.empty()) << f.nanPoints.size() << " stored points have NaN values, first " << (f.nanPoints.empty() ? -1 : f.nanPoints[0]);
    EXPECT_LE(f.pointsWritten, static_cast<qint64>(f.stored.size())) << "points_written counts points the file does not hold";
    return f;
}

/** Every point below `point` is stored (each once: expectFileAgrees checks that). */
inline void expectPointsBelow(const FileReport& f, qint64 point) {
    const std::set<qint64> stored(f.stored.begin(), f.stored.end());
    qint64 missing = 0, first = -1;
    for (qint64 i = 0; i < point; ++i)
        if (!stored.count(i)) {
            if (first < 0) first = i;
            ++missing;
        }
    EXPECT_EQ(missing, 0) << missing << " points below " << point << " are missing from the file, first " << first;
}

/** No worker the run ever had is alive, and its private runtime directory is gone. */
inline void expectNothingLeft(CliRun& run, bool runtimeDirGone = true) {
    EXPECT_FALSE(run.seenPids.empty()) << "no worker was ever seen";
    auto alive = [&] {
        int n = 0;
        for (qint64 pid : run.seenPids) n += processAlive(pid);
        return n;
    };
    EXPECT_TRUE(waitUntil([&] { return alive() == 0; }, std::chrono::seconds(5))) << alive() << " workers outlived the run";
    EXPECT_FALSE(run.runtimeDir.isEmpty()) << "the private runtime directory was never seen";
    if (runtimeDirGone && !run.runtimeDir.isEmpty()) {
        EXPECT_FALSE(QFileInfo::exists(run.runtimeDir)) << "left behind: " << run.runtimeDir.toStdString();
    }
    for (const QString& name : QDir(run.outDir).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot)) {
        EXPECT_TRUE(name.endsWith(QLatin1String(".h5")) || QDir(run.outDir).filePath(name) == run.summary.file)
            << "left in the output directory: " << name.toStdString();
    }
}

/** A second, short run into the same directory completes. */
inline void expectNextRunWorks(const CliRun& run) {
    const QString plan = writeFile(run.tmp.filePath(QStringLiteral("next.json")),
                                   R"({"version": 1, "name": "next", "scan": {"type": "count", "points": 5}, "detectors": ["diode", "fault"]})");
    const QStringList args = QStringList{QStringLiteral("run"), plan, QStringLiteral("--out"), run.outDir, QStringLiteral("--lab"),
                                         run.labPath, QStringLiteral("--workers"), QStringLiteral("1")} + run.extraArgs;
    const auto r = runProcess(QStringLiteral(ACQUILA_APP_EXE), args, std::chrono::seconds(60));
    EXPECT_EQ(r.exitCode, 0) << "the next run failed: " << r.output().toStdString();
    const Summary s = parseSummary(r.out);
    EXPECT_EQ(s.status.toStdString(), "completed") << r.output().toStdString();
    EXPECT_TRUE(QFileInfo::exists(s.file)) << s.file.toStdString();
}

/** The current test's name as ctest lists it after the executable: "FaultMatrix/Fault.At/Middle_Fast". */
inline QString currentCase() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return QString::fromLatin1(info->test_suite_name()) + QLatin1Char('.') + QString::fromLatin1(info->name());
}

/** Records one line per case in $ACQUILA_FAULT_REPORT (JSON lines) for tests/tools/fault_report.py. */
inline void record(const QString& fault, const QString& outcome, qint64 faultPointIndex, qint64 lostBefore, double secondsToEnd) {
    std::printf("fault matrix: %s: %s, %lld points lost before point %lld, %.2f s to the terminal status\n", qPrintable(fault), qPrintable(outcome),
                static_cast<long long>(lostBefore), static_cast<long long>(faultPointIndex), secondsToEnd);
    const QByteArray path = qgetenv("ACQUILA_FAULT_REPORT");
    if (path.isEmpty()) return;
    QFile f(QString::fromLocal8Bit(path));
    if (!f.open(QIODevice::Append)) return;
    QJsonObject o{{QStringLiteral("case"), currentCase()},
                  {QStringLiteral("fault"), fault},
                  {QStringLiteral("outcome"), outcome},
                  {QStringLiteral("point"), faultPointIndex},
                  {QStringLiteral("lost_before"), lostBefore},
                  {QStringLiteral("seconds"), secondsToEnd},
                  {QStringLiteral("passed"), !::testing::Test::HasFailure()}};
    f.write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
}

/** Points below `point` missing from the file. */
inline qint64 lostBelow(const FileReport& f, qint64 point) {
    const std::set<qint64> stored(f.stored.begin(), f.stored.end());
    qint64 n = 0;
    for (qint64 i = 0; i < point; ++i) n += !stored.count(i);
    return n;
}

}  // namespace acquila::test::fault
