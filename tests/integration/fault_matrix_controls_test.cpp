// Fault matrix, engine side (a real engine with real workers, as the window
// drives it): Pause, Resume, Stop and Abort pressed back to back in every
// order, while running, during a worker's respawn and during a failure; and a
// local process flooding the worker socket with garbage and idle connections.
// docs/reliability.md states the expected behaviour.
#include "support/FaultMatrix.h"

#include <algorithm>

using namespace acquila;
using namespace acquila::test;
using namespace acquila::test::fault;
using model::RunStatus;

namespace {

constexpr auto kControlBound = std::chrono::seconds(10);

enum class Command { Pause, Resume, Stop, Abort };
const char* commandName(Command c) {
    return c == Command::Pause ? "Pause" : c == Command::Resume ? "Resume" : c == Command::Stop ? "Stop" : "Abort";
}
using Order = std::vector<Command>;

/** The 24 orders of the four commands, named like "PauseStopResumeAbort". */
std::vector<std::pair<std::string, Order>> everyOrder() {
    Order o{Command::Pause, Command::Resume, Command::Stop, Command::Abort};
    std::vector<std::pair<std::string, Order>> out;
    do {
        std::string name;
        for (Command c : o) name += commandName(c);
        out.push_back({name, o});
    } while (std::next_permutation(o.begin(), o.end()));
    return out;
}

void press(engine::Engine& e, const Order& order) {
    for (Command c : order) {
        if (c == Command::Pause) e.pause();
        if (c == Command::Resume) e.resume();
        if (c == Command::Stop) e.stop();
        if (c == Command::Abort) e.abort();
    }
}

QString runtimeDirOfHarness() {
    for (const WorkerProc& w : workerProcs(::getpid()))
        if (!w.socket.isEmpty()) return QFileInfo(w.socket).path();
    return {};
}

/** The file's status agrees with the run's, every delivered point is in it once, and nothing else is. */
FileReport expectFileMatches(EngineHarness& h, const engine::RunProgress& r) {
    const FileReport f = checkFile(r.filePath);
    EXPECT_TRUE(f.ok) << r.filePath.toStdString() << ": " << f.error.toStdString();
    EXPECT_EQ(f.status.toStdString(), model::runStatusName(r.status));
    const auto counts = h.pointCounts(r.runId);
    for (const auto& [i, n] : counts) EXPECT_EQ(n, 1) << "point " << i << " delivered " << n << " times";
    std::vector<qint64> delivered;
    for (const auto& [i, n] : counts) delivered.push_back(i);
    std::vector<qint64> stored = f.stored;
    std::sort(stored.begin(), stored.end());
    EXPECT_EQ(stored, delivered) << "the file and the delivered points differ";
    EXPECT_TRUE(f.nanPoints.empty());
    EXPECT_TRUE(f.misplaced.empty());
    return f;
}

/** The engine still runs a short plan to completion, then shuts down leaving no worker and no runtime directory. */
void expectNextRunAndNothingLeft(EngineHarness& h) {
    const auto next = h.run(EngineHarness::plan(R"({"version": 1, "name": "next", "scan": {"type": "count", "points": 5}, "detectors": ["diode"]})"));
    EXPECT_EQ(next.status, RunStatus::Completed) << next.reason.toStdString();
    const QString dir = runtimeDirOfHarness();
    std::set<qint64> pids;
    for (const WorkerProc& w : workerProcs(::getpid())) pids.insert(w.pid);
    h.shutdown();
    EXPECT_TRUE(waitUntil([&] { return std::none_of(pids.begin(), pids.end(), processAlive); }, std::chrono::seconds(5))) << "workers outlived the engine";
    EXPECT_FALSE(dir.isEmpty());
    EXPECT_FALSE(QFileInfo::exists(dir)) << "left behind: " << dir.toStdString();
}

const PlanSpec kControlPlan{400, 0.01};

/**
 * The four commands back to back in `order` at a moment `ready` picks: the run
 * ends within the bound in `expected`, and the file agrees with what was delivered.
 */
engine::RunProgress pressInOrder(EngineHarness& h, const QByteArray& faultProps, const std::function<bool()>& ready, const Order& order) {
    h.engine->enqueue(EngineHarness::plan(planJson(kControlPlan, faultProps)));
    EXPECT_TRUE(waitUntil(ready, std::chrono::seconds(30))) << "the moment to press never came";
    QElapsedTimer t;
    t.start();
    press(*h.engine, order);
    EXPECT_TRUE(waitUntil([&] { return !h.finished.empty(); }, kControlBound)) << "the run did not end within " << kControlBound.count() << " s";
    if (h.finished.empty()) return {};
    record(QStringLiteral("controls"), QLatin1String(model::runStatusName(h.finished.back().status)), -1, -1, t.elapsed() / 1000.0);
    return h.finished.back();
}

}  // namespace

// While running: abort is among the four, so the run ends aborted whatever the order.
void controlsWhileRunning(const Order& param) {
    QTemporaryDir dir;
    EngineHarness h(2, {}, true, {dir.path()});
    const auto r = pressInOrder(h, {}, [&] { return h.delivered >= 20; }, param);
    ASSERT_NE(r.runId, 0u);
    EXPECT_EQ(r.status, RunStatus::Aborted) << r.reason.toStdString();
    expectFileMatches(h, r);
    expectNextRunAndNothingLeft(h);
}
FAULT_MATRIX_CASES(ControlsWhileRunning, everyOrder(), controlsWhileRunning);

// During a respawn: the fault device crashed its worker at point 30; the run is
// failed (failure is sticky), keeps every point it delivered, and ends within the bound.
void controlsDuringRespawn(const Order& param) {
    QTemporaryDir dir;
    EngineHarness h(2, {}, true, {dir.path()});
    auto respawning = [&] {
        for (const auto& w : h.workers())
            if (w.role == QLatin1String("device") && (w.state == engine::WorkerState::Dead || w.restarts > 0)) return true;
        return !h.finished.empty();
    };
    const auto r = pressInOrder(h, R"({"mode": "crash", "at_point": 30})", respawning, param);
    ASSERT_NE(r.runId, 0u);
    EXPECT_EQ(r.status, RunStatus::Failed) << r.reason.toStdString();
    expectReasonNames(r.reason, {QStringLiteral("'fault'"), QStringLiteral("at point 30")});
    // The crash takes the points its worker had measured and not yet sent (under 10 ms of
    // them); the run measures them again while it fills the gaps below 30, unless Abort
    // (pressed in every order) comes first: the file then matches what was delivered, each
    // point once, but may lack those few (1 of 72 cases in a 3-trial report).
    expectFileMatches(h, r);
    expectNextRunAndNothingLeft(h);
}
FAULT_MATRIX_CASES(ControlsDuringRespawn, everyOrder(), controlsDuringRespawn);

// During a failure: the fault device threw at point 30 and the run is draining.
void controlsDuringFailure(const Order& param) {
    QTemporaryDir dir;
    EngineHarness h(2, {}, true, {dir.path()});
    const auto r = pressInOrder(h, R"({"mode": "throw", "at_point": 30})", [&] { return !h.progress.reason.isEmpty() || !h.finished.empty(); },
                                param);
    ASSERT_NE(r.runId, 0u);
    EXPECT_EQ(r.status, RunStatus::Failed) << r.reason.toStdString();
    expectReasonNames(r.reason, {QStringLiteral("'fault'"), QStringLiteral("at point 30")});
    // Every order presses Abort, which may cut the measuring of the points still missing below
    // the failure (abort keeps what is measured, gaps stay empty): the file matches what was
    // delivered, each point once, but need not hold every point below 30.
    expectFileMatches(h, r);
    expectNextRunAndNothingLeft(h);
}
FAULT_MATRIX_CASES(ControlsDuringFailure, everyOrder(), controlsDuringFailure);

// A local process connects to the worker socket at point p: 64 connections that
// never say hello, one announcing a 4 GiB frame, one streaming random bytes. The
// run completes untouched and every such connection is closed within 10 s.
void socketFlood(const Case& param) {
    const PlanSpec spec = planSpec(param.speed);
    const qint64 p = faultPoint(param.where, spec);
    QTemporaryDir dir;
    EngineHarness h(2, {}, true, {dir.path()});
    h.engine->enqueue(EngineHarness::plan(planJson(spec)));
    QString socket;
    ASSERT_TRUE(waitUntil([&] {
        for (const WorkerProc& w : workerProcs(::getpid()))
            if (w.role == QLatin1String("device") && blackBoxPoint(w.box) >= p) socket = w.socket;
        return !socket.isEmpty() || !h.finished.empty();
    }, std::chrono::seconds(30)));
    ASSERT_FALSE(socket.isEmpty()) << "the run ended before point " << p;
    QProcess flood;
    flood.start(kSystemPython, {sourcePath(QStringLiteral("tests/tools/fault_flood.py")), socket});
    ASSERT_TRUE(flood.waitForStarted());
    QByteArray line;
    ASSERT_TRUE(waitUntil([&] {
        flood.waitForReadyRead(5);
        line += flood.readAll();
        return line.contains("ready\n") || flood.state() == QProcess::NotRunning;
    }, std::chrono::seconds(30))) << "the flood never got going";
    ASSERT_TRUE(line.contains("ready")) << line.toStdString() << flood.readAllStandardError().toStdString();
    QElapsedTimer t;
    t.start();
    QJsonObject state;
    auto allClosed = [&] {
        flood.write("\n");
        if (!flood.waitForReadyRead(5000)) return false;
        state = QJsonDocument::fromJson(flood.readLine()).object();
        return state.value(QLatin1String("idle_open")).toInt(-1) == 0 && !state.value(QLatin1String("header_open")).toBool(true) &&
               !state.value(QLatin1String("garbage_open")).toBool(true);
    };
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }, std::chrono::seconds(60)));
    EXPECT_TRUE(waitUntil(allClosed, std::chrono::seconds(10))) << "connections still held: "
                                                                 << QJsonDocument(state).toJson(QJsonDocument::Compact).toStdString();
    const double seconds = t.elapsed() / 1000.0;
    flood.closeWriteChannel();
    flood.waitForFinished(5000);
    const auto r = h.finished.back();
    EXPECT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
    EXPECT_EQ(r.done, spec.points);
    const FileReport f = expectFileMatches(h, r);
    expectNextRunAndNothingLeft(h);
    record(QStringLiteral("socket flood"), QLatin1String(model::runStatusName(r.status)), p, lostBelow(f, spec.points), seconds);
}
FAULT_MATRIX_CASES(SocketFlood, allCases(), socketFlood);
