// The engine with real acquila-worker processes: completeness, determinism,
// run control, faults, shutdown.
#include "support/EngineHarness.h"

#include "support/RunProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <csignal>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace acquila;
using namespace acquila::test;
using model::RunStatus;

namespace {
/** Every point below `k` once, none twice, `k` itself never (points beyond k from other workers are kept). */
void expectPrefixBeforeFailure(const std::map<qint64, int>& counts, qint64 k) {
    for (qint64 i = 0; i < k; ++i) ASSERT_EQ(counts.count(i), 1u) << "point " << i << " before the failure is missing";
    for (const auto& [i, c] : counts) ASSERT_EQ(c, 1) << "point " << i << " delivered " << c << " times";
    EXPECT_EQ(counts.count(k), 0u) << "the failing point was delivered";
}

void expectContiguousOnce(const std::map<qint64, int>& counts, qint64 n) {
    ASSERT_EQ(static_cast<qint64>(counts.size()), n);
    qint64 expect = 0;
    for (const auto& [i, c] : counts) {
        ASSERT_EQ(i, expect++) << "gap before point " << i;
        ASSERT_EQ(c, 1) << "point " << i << " delivered " << c << " times";
    }
}
}  // namespace

TEST(Engine, GridOverStageDeliversEveryPointExactlyOnce) {
    EngineHarness h(2);
    auto plan = EngineHarness::plan(R"({"version": 1, "name": "grid", "scan": {"type": "grid", "snake": true},
        "axes": [{"device": "stage.y", "start": -20, "stop": 20, "steps": 31},
                 {"device": "stage.x", "start": -30, "stop": 30, "steps": 41}],
        "detectors": ["spot"]})");
    const auto r = h.run(plan);
    EXPECT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
    EXPECT_EQ(r.done, 31 * 41);
    expectContiguousOnce(h.pointCounts(r.runId), 31 * 41);
    // Snake: the second row runs backwards, so its first point is at the right edge.
    const auto xs = h.scalar(r.runId, QStringLiteral("stage.x"));
    EXPECT_DOUBLE_EQ(xs.at(0), -30);
    EXPECT_DOUBLE_EQ(xs.at(41), 30);
}

TEST(Engine, SerialAndParallelRunsAreBitIdentical) {
    const QByteArray json = linearPlan(5000, {}, R"(["diode", "spectrometer"])");
    std::map<qint64, double> serial, parallel;
    QByteArray serialSpectra, parallelSpectra;
    auto collect = [](EngineHarness& h, quint64 run, QByteArray* spectra) {
        std::map<qint64, QByteArray> byIndex;
        for (const auto& r : h.sink->runs())
            if (r.opened.runId == run)
                for (const auto& b : r.batches) {
                    const model::Channel* c = b->find(QStringLiteral("spectrometer"));
                    for (qint64 i = 0; i < b->count; ++i) byIndex[b->first + i] = c->data.mid(i * c->bytesPerPoint(), c->bytesPerPoint());
                }
        for (const auto& [i, bytes] : byIndex) spectra->append(bytes);
    };
    {
        EngineHarness h(1);
        const auto r = h.run(EngineHarness::plan(json));
        ASSERT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
        serial = h.scalar(r.runId, QStringLiteral("diode"));
        collect(h, r.runId, &serialSpectra);
    }
    {
        EngineHarness h(3);
        const auto r = h.run(EngineHarness::plan(json));
        ASSERT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
        parallel = h.scalar(r.runId, QStringLiteral("diode"));
        collect(h, r.runId, &parallelSpectra);
    }
    ASSERT_EQ(serial.size(), 5000u);
    ASSERT_EQ(parallel.size(), 5000u);
    for (const auto& [i, v] : serial) ASSERT_EQ(std::memcmp(&v, &parallel.at(i), sizeof v), 0) << "point " << i;
    EXPECT_EQ(serialSpectra, parallelSpectra);
    EXPECT_EQ(serialSpectra.size(), 5000 * 512 * 8);
}

TEST(Engine, PauseHoldsPointsThenResumeCompletes) {
    EngineHarness h(2);
    h.engine->enqueue(EngineHarness::plan(linearPlan(300, R"(, "exposure_s": 0.01)")));
    ASSERT_TRUE(waitUntil([&] { return h.delivered >= 20; }));
    h.engine->pause();
    // In-flight points finish at their boundary; after that nothing may arrive.
    ASSERT_TRUE(waitUntil([&] { return h.progress.state == model::RunState::Paused && h.progress.inFlight == 0; }));
    const qint64 held = h.delivered;
    EXPECT_FALSE(waitUntil([&] { return h.delivered != held; }, std::chrono::milliseconds(400))) << "points arrived while paused";
    EXPECT_LT(held, 300);
    h.engine->resume();
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }));
    EXPECT_EQ(h.finished.back().status, RunStatus::Completed);
    expectContiguousOnce(h.pointCounts(h.finished.back().runId), 300);
}

TEST(Engine, StopKeepsEveryMeasuredPointOnceAndMeasuresOnlyWhatWasInFlight) {
    EngineHarness h(2);
    h.engine->enqueue(EngineHarness::plan(linearPlan(2000, R"(, "exposure_s": 0.005)")));
    ASSERT_TRUE(waitUntil([&] { return h.delivered >= 50; }));
    const qint64 atStop = h.delivered;
    h.engine->stop();
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }));
    const auto r = h.finished.back();
    EXPECT_EQ(r.status, RunStatus::Stopped);
    EXPECT_GE(r.done, 50);
    EXPECT_LE(r.done - atStop, 60) << "no gap is filled after a stop: only the points in flight end";
    const auto counts = h.pointCounts(r.runId);
    EXPECT_EQ(static_cast<qint64>(counts.size()), r.done);
    for (const auto& [i, c] : counts) ASSERT_EQ(c, 1) << "point " << i << " delivered " << c << " times";
}

TEST(Engine, AbortEndsQuicklyKeepingDeliveredPoints) {
    EngineHarness h(2);
    h.engine->enqueue(EngineHarness::plan(linearPlan(2000, R"(, "exposure_s": 0.05)")));
    ASSERT_TRUE(waitUntil([&] { return h.delivered >= 4; }));
    QElapsedTimer t;
    t.start();
    h.engine->abort();
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }, std::chrono::seconds(10)));
    const auto r = h.finished.back();
    EXPECT_EQ(r.status, RunStatus::Aborted);
    EXPECT_LT(t.elapsed(), 1500);  // exposure waits are cooperative: no kill needed
    const auto counts = h.pointCounts(r.runId);
    EXPECT_EQ(static_cast<qint64>(counts.size()), r.done);
    for (const auto& [i, c] : counts) EXPECT_EQ(c, 1);
}

TEST(Engine, CrashingDeviceFailsTheRunNamingDeviceAndPointThenRecovers) {
    EngineHarness h(2);
    const auto r = h.run(EngineHarness::plan(linearPlan(200, R"(, "properties": {"fault": {"mode": "crash", "at_point": 50}})",
                                                        R"(["diode", "fault"])")));
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.contains(QLatin1String("'fault'"))) << r.reason.toStdString();
    EXPECT_TRUE(r.reason.contains(QLatin1String("point 50"))) << r.reason.toStdString();
    expectPrefixBeforeFailure(h.pointCounts(r.runId), 50);
    ASSERT_TRUE(waitUntil([&] { return h.restarts() >= 1; }));
    const auto again = h.run(EngineHarness::plan(linearPlan(100)));
    EXPECT_EQ(again.status, RunStatus::Completed) << again.reason.toStdString();
    EXPECT_EQ(again.done, 100);
}

TEST(Engine, ThrowingAndMalformedDevicesFailWithReasons) {
    EngineHarness h(2);
    const auto thrown = h.run(EngineHarness::plan(linearPlan(100, R"(, "properties": {"fault": {"mode": "throw", "at_point": 30}})",
                                                             R"(["fault"])")));
    EXPECT_EQ(thrown.status, RunStatus::Failed);
    EXPECT_TRUE(thrown.reason.contains(QLatin1String("point 30"))) << thrown.reason.toStdString();
    EXPECT_TRUE(thrown.reason.contains(QLatin1String("'fault'"))) << thrown.reason.toStdString();
    expectPrefixBeforeFailure(h.pointCounts(thrown.runId), 30);
    const auto malformed = h.run(EngineHarness::plan(linearPlan(100, R"(, "properties": {"fault": {"mode": "malformed", "at_point": 7}})",
                                                                R"(["fault"])")));
    EXPECT_EQ(malformed.status, RunStatus::Failed);
    EXPECT_TRUE(malformed.reason.contains(QLatin1String("malformed"))) << malformed.reason.toStdString();
    expectPrefixBeforeFailure(h.pointCounts(malformed.runId), 7);
    EXPECT_EQ(h.run(EngineHarness::plan(linearPlan(20))).status, RunStatus::Completed);
}

TEST(Engine, HangingDeviceIsAbortedWithinGracePlusHalfASecond) {
    EngineHarness h(1);
    // A 20 ms exposure makes every point travel on its own, so delivery shows where the run is.
    h.engine->enqueue(EngineHarness::plan(linearPlan(100, R"(, "exposure_s": 0.02, "properties": {"fault": {"mode": "hang", "at_point": 10}})",
                                                     R"(["fault", "diode"])")));
    ASSERT_TRUE(waitUntil([&] { return h.delivered >= 10; }));
    QElapsedTimer t;
    t.start();
    h.engine->abort();
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }, std::chrono::seconds(10)));
    EXPECT_LE(t.elapsed(), 1500) << "grace is 1 s";
    EXPECT_EQ(h.finished.back().status, RunStatus::Aborted);
    ASSERT_TRUE(waitUntil([&] { return h.restarts() >= 1; }));
    EXPECT_EQ(h.run(EngineHarness::plan(linearPlan(20))).status, RunStatus::Completed);
}

TEST(Engine, DeviceTimeoutFailsTheRunWithoutUserAction) {
    auto lab = model::loadLabConfig(QString());
    ASSERT_TRUE(lab.ok());
    for (auto& d : lab->devices)
        if (d.name == QLatin1String("fault")) d.params.insert(QStringLiteral("timeout_s"), 0.5);
    EngineHarness h(1, *lab, false);
    const auto r = h.run(EngineHarness::plan(linearPlan(50, R"(, "properties": {"fault": {"mode": "hang", "at_point": 5}})",
                                                        R"(["fault"])")),
                         std::chrono::seconds(20));
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.contains(QLatin1String("within 0.5 s at point 5"))) << r.reason.toStdString();
    expectPrefixBeforeFailure(h.pointCounts(r.runId), 5);
}

TEST(Engine, QueueRunsPlansInOrder) {
    EngineHarness h(2);
    std::vector<quint64> ids;
    for (int n : {10, 20, 30}) ids.push_back(h.engine->enqueue(EngineHarness::plan(linearPlan(n))));
    ASSERT_TRUE(waitUntil([&] { return h.finished.size() == 3; }));
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(h.finished[i].runId, ids[i]);
        EXPECT_EQ(h.finished[i].status, RunStatus::Completed);
        EXPECT_EQ(h.finished[i].done, 10 * (i + 1));
    }
}

TEST(Engine, InvalidPlanFailsAtStartWithTheValidatorsMessage) {
    EngineHarness h(1);
    const auto r = h.run(EngineHarness::plan(R"({"version": 1, "name": "bad", "scan": {"type": "linear"},
        "axes": [{"device": "stage.x", "start": 0, "stop": 250, "steps": 5}], "detectors": ["spot"]})"));
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.contains(QLatin1String("/axes/0/stop: 250 is above the limit 200"))) << r.reason.toStdString();
}

TEST(Engine, KilledWorkerIsDetectedAndRespawned) {
    EngineHarness h(2);
    ASSERT_TRUE(waitUntil([&] { return h.workers().size() == 2 && h.workers()[1].state == engine::WorkerState::Ready; }));
    const qint64 pid = h.workers()[1].pid;
    ASSERT_GT(pid, 0);
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    ASSERT_TRUE(waitUntil([&] { return h.restarts() >= 1 && h.workers()[1].state == engine::WorkerState::Ready; }));
    EXPECT_NE(h.workers()[1].pid, pid);
    EXPECT_TRUE(h.workers()[1].lastError.contains(QLatin1String("SIGKILL"))) << h.workers()[1].lastError.toStdString();
    EXPECT_EQ(h.run(EngineHarness::plan(linearPlan(100))).status, RunStatus::Completed);
}

TEST(Engine, ShutdownLeavesNoProcessesAndNoSocketFiles) {
    {
        EngineHarness h(2);
        ASSERT_EQ(h.run(EngineHarness::plan(linearPlan(50))).status, RunStatus::Completed);
        ASSERT_FALSE(childPids(getpid()).empty());
        h.shutdown();
    }
    EXPECT_TRUE(waitUntil([] { return childPids(getpid()).empty(); }, std::chrono::seconds(5)));
    const QStringList left = QDir(QDir::tempPath()).entryList({QStringLiteral("acquila-%1-*").arg(getpid())}, QDir::Dirs);
    EXPECT_TRUE(left.isEmpty()) << left.join(QLatin1Char(' ')).toStdString();
}

namespace {
/** The default lab with the fault device's parameters replaced. */
model::LabConfig labWithFault(const QVariantMap& params) {
    auto lab = model::loadLabConfig(QString());
    EXPECT_TRUE(lab.ok());
    for (auto& d : lab->devices)
        if (d.name == QLatin1String("fault")) d.params = params;
    return *lab;
}

bool hasPoints(const std::map<qint64, int>& counts, qint64 n) {
    for (qint64 i = 0; i < n; ++i)
        if (!counts.count(i)) return false;
    return true;
}

qint64 workerPid(const EngineHarness& h, int id) {
    for (const auto& w : h.workers())
        if (w.id == id) return w.pid;
    return 0;
}
}  // namespace

TEST(Engine, PointsMeasuredBeforeAHangReachTheFileWhenTheRunIsAborted) {
    QTemporaryDir dir;
    EngineHarness h(2, {}, true, {dir.path()});
    // Instant points: without a hand-over, points 0-19 would sit in the hung worker's unsent batch.
    h.engine->enqueue(EngineHarness::plan(linearPlan(200, R"(, "properties": {"fault": {"mode": "hang", "at_point": 20}})",
                                                     R"(["diode", "fault"])")));
    // No assertion here: without the hand-over these points arrive only once the worker is gone, i.e. never.
    waitUntil([&] { return !h.sink->runs().empty() && hasPoints(h.pointCounts(h.sink->runs().back().opened.runId), 20); },
              std::chrono::seconds(8));
    h.engine->abort();
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }, std::chrono::seconds(15)));
    const auto r = h.finished.back();
    EXPECT_EQ(r.status, RunStatus::Aborted) << r.reason.toStdString();
    // Read back by an independent reader: every point before the hang is in the file, with its value.
    const auto o = runProcess(kSystemPython, {QStringLiteral("-c"), QStringLiteral(R"(
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    v = f["/entry/data/fault"][:]
    idx = f["/entry/data/point_index"][:]
print(" ".join(str(i) for i in range(20) if np.isfinite(v[i]) and idx[i] == i))
)"), r.filePath});
    ASSERT_EQ(o.exitCode, 0) << o.err.toStdString();
    QStringList expected;
    for (int i = 0; i < 20; ++i) expected << QString::number(i);
    EXPECT_EQ(o.out.trimmed(), expected.join(QLatin1Char(' '))) << r.filePath.toStdString();
}

TEST(Engine, APlansDeviceTimeoutIsTheOneThatHolds) {
    EngineHarness h(1);
    QElapsedTimer t;
    t.start();
    const auto r = h.run(EngineHarness::plan(linearPlan(50, R"(, "properties": {"fault": {"mode": "hang", "at_point": 5, "timeout_s": 1}})",
                                                        R"(["fault"])")),
                         std::chrono::seconds(30));
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.contains(QLatin1String("did not complete read within 1 s at point 5"))) << r.reason.toStdString();
    EXPECT_LT(t.elapsed(), 6000) << "the lab's 10 s timeout was used instead of the plan's 1 s";
    expectPrefixBeforeFailure(h.pointCounts(r.runId), 5);
}

TEST(Engine, ADeviceHangingWhileOpeningIsSkippedAndRunsGoOn) {
    // Every fresh worker would hang opening it again: after the first timeout it is left out.
    EngineHarness h(1, labWithFault({{QStringLiteral("mode"), QStringLiteral("hang_open")}, {QStringLiteral("timeout_s"), 1}}), false);
    EXPECT_TRUE(waitUntil([&] {
        return !h.workers().empty() && h.workers()[0].lastError.contains(QLatin1String("device 'fault' did not complete open within 1 s"));
    }, std::chrono::seconds(10))) << (h.workers().empty() ? std::string() : h.workers()[0].lastError.toStdString());
    // It stays in the list, unavailable with the reason, so that the window and `acquila devices` show it.
    bool listed = false;
    for (const auto& d : h.engine->devices()) {
        if (d.name != QLatin1String("fault")) continue;
        listed = true;
        EXPECT_TRUE(d.unavailable.contains(QLatin1String("hung while opening"))) << d.unavailable.toStdString();
        EXPECT_TRUE(d.outputs.empty());
    }
    EXPECT_TRUE(listed);
    const auto r = h.run(EngineHarness::plan(linearPlan(50)), std::chrono::seconds(30));
    EXPECT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
}

TEST(Engine, APropertySetThatHangsFailsTheRunAndTheNextRunWorks) {
    EngineHarness h(1, labWithFault({{QStringLiteral("timeout_s"), 1}}), false);
    QElapsedTimer t;
    t.start();
    // "mode" is set first; with hang_set the next property ("timeout_s") never returns.
    const auto r = h.run(EngineHarness::plan(linearPlan(50, R"(, "properties": {"fault": {"mode": "hang_set", "timeout_s": 2}})",
                                                        R"(["fault"])")),
                         std::chrono::seconds(30));
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.contains(QLatin1String("device 'fault' did not complete set property within 1 s"))) << r.reason.toStdString();
    EXPECT_LT(t.elapsed(), 15000);
    const auto again = h.run(EngineHarness::plan(linearPlan(50, {}, R"(["fault"])")), std::chrono::seconds(30));
    EXPECT_EQ(again.status, RunStatus::Completed) << again.reason.toStdString();
}

TEST(Engine, ARestoreThatHangsAtTheEndDoesNotBlockTheNextRun) {
    EngineHarness h(1, labWithFault({{QStringLiteral("timeout_s"), 1}}), false);
    // The run itself completes; restoring "mode" when it closes never returns.
    const auto r = h.run(EngineHarness::plan(linearPlan(20, R"(, "properties": {"fault": {"at_point": 3, "mode": "hang_set"}})")),
                         std::chrono::seconds(30));
    EXPECT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
    QElapsedTimer t;
    t.start();
    const auto again = h.run(EngineHarness::plan(linearPlan(20, {}, R"(["fault"])")), std::chrono::seconds(30));
    EXPECT_EQ(again.status, RunStatus::Completed) << again.reason.toStdString();
    EXPECT_LT(t.elapsed(), 15000);
}

TEST(Engine, AWorkerKilledFromOutsideIsReportedAsSuch) {
    EngineHarness h(1);
    h.engine->enqueue(EngineHarness::plan(linearPlan(2000, R"(, "exposure_s": 0.02)")));
    ASSERT_TRUE(waitUntil([&] { return h.delivered >= 10; }));
    ::kill(static_cast<pid_t>(workerPid(h, 0)), SIGKILL);
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }));
    const auto r = h.finished.back();
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.startsWith(QLatin1String("worker 0 killed by signal 9 (SIGKILL) from outside"))) << r.reason.toStdString();
    EXPECT_FALSE(r.reason.contains(QLatin1String("crashed"))) << r.reason.toStdString();
}

TEST(Engine, AFrozenWorkerIsReportedAsSilent) {
    EngineHarness h(1);
    h.engine->enqueue(EngineHarness::plan(linearPlan(2000, R"(, "exposure_s": 0.02)")));
    ASSERT_TRUE(waitUntil([&] { return h.delivered >= 10; }));
    ::kill(static_cast<pid_t>(workerPid(h, 0)), SIGSTOP);
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }, std::chrono::seconds(40)));
    const auto r = h.finished.back();
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.startsWith(QLatin1String("worker 0 sent no heartbeat for "))) << r.reason.toStdString();
    EXPECT_TRUE(r.reason.contains(QLatin1String("(stopped or frozen)"))) << r.reason.toStdString();
    EXPECT_FALSE(r.reason.contains(QLatin1String("crashed"))) << r.reason.toStdString();
}

TEST(Engine, ACrashIsBlamedOnTheDeviceThatRaisedIt) {
    EngineHarness h(1);
    const auto r = h.run(EngineHarness::plan(linearPlan(100, R"(, "properties": {"fault": {"mode": "crash", "at_point": 30}})",
                                                        R"(["fault"])")));
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.startsWith(QLatin1String("device 'fault' crashed its worker during read at point 30: worker 0 killed by signal 6 (SIGABRT)")))
        << r.reason.toStdString();
    EXPECT_FALSE(r.reason.contains(QLatin1String("from outside"))) << r.reason.toStdString();
}
