// The engine with real acquila-worker processes: completeness, determinism,
// run control, faults, shutdown.
#include "support/EngineHarness.h"

#include <QDir>
#include <QElapsedTimer>
#include <csignal>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace acquila;
using namespace acquila::test;
using model::RunStatus;

namespace {
QByteArray linearPlan(int points, const QByteArray& extra = {}, const QByteArray& detectors = R"(["diode"])") {
    return R"({"version": 1, "name": "lin", "scan": {"type": "linear"},
               "axes": [{"device": "motor", "start": -50, "stop": 50, "steps": )" +
           QByteArray::number(points) + R"(}], "detectors": )" + detectors + extra + "}";
}

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
