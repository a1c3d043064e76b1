// Set now and monitors with real processes: `acquila set` and `acquila get` as a user runs them,
// the engine's setNow applied in every worker (a following run sees the value, a respawned
// worker gets it too), refused during a run, a hanging device ended by its timeout, and the
// monitors arriving while idle and stopping during a run.
#include "support/EngineHarness.h"
#include "support/RunProcess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <csignal>
#include <gtest/gtest.h>
#include <unistd.h>

using namespace acquila;
using namespace acquila::test;
using engine::SetNowResult;
using model::RunStatus;

namespace {

ProcessResult runApp(const QStringList& args, std::chrono::seconds timeout = std::chrono::seconds(60)) {
    ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE), args, timeout);
    EXPECT_TRUE(r.finished) << r.err.toStdString();
    return r;
}

/** Writes a lab file: a motor starting at 7 mm, a camera, and a fault device with `faultParams`. */
QString writeLab(const QTemporaryDir& dir, const QByteArray& faultParams = R"({"mode": "none"})") {
    const QString path = dir.filePath(QStringLiteral("lab.json"));
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"version": 1, "seed": 3, "devices": [
        {"name": "motor", "driver": "sim.motor", "params": {"min": -100, "max": 100, "unit": "mm", "start": 7}},
        {"name": "camera", "driver": "sim.camera", "params": {"width": 32, "height": 24, "spot_sigma": 5}},
        {"name": "fault", "driver": "sim.fault", "params": )" + faultParams + "}]}");
    return path;
}

/** The engine's set-now results, as they arrive. */
struct SetNowResults {
    explicit SetNowResults(engine::Engine& e) {
        QObject::connect(&e, &engine::Engine::setNowFinished, [this](const SetNowResult& r) { all.push_back(r); });
    }
    /** Waits for the result of request `id`. */
    SetNowResult waitFor(quint64 id, std::chrono::seconds timeout = std::chrono::seconds(30)) {
        const auto find = [&]() -> const SetNowResult* {
            for (const auto& r : all)
                if (r.id == id) return &r;
            return nullptr;
        };
        EXPECT_TRUE(waitUntil([&] { return find() != nullptr; }, timeout)) << "no result for set-now request " << id;
        return find() ? *find() : SetNowResult{};
    }
    std::vector<SetNowResult> all;
};

/** Sets `target` to `value` through the engine and waits for the outcome. */
SetNowResult setNow(EngineHarness& h, SetNowResults& results, const QString& target, const QVariant& value) {
    return results.waitFor(h.engine->setNow(target, value));
}

/** Sets the diode so that every point reads exactly `background`: no peak, no noise. */
void flattenDiode(EngineHarness& h, SetNowResults& results, double background) {
    for (const auto& [id, value] : {std::pair{"diode.amplitude", 0.0}, {"diode.noise", 0.0}, {"diode.background", background}}) {
        const SetNowResult r = setNow(h, results, QString::fromLatin1(id), value);
        ASSERT_TRUE(r.ok()) << id << ": " << r.error.toStdString();
    }
}

/** A 300-point motor scan of the diode, 2 ms a point: about 30 jobs, so every worker measures some. */
plan::Plan diodeScan(const QByteArray& extra = {}) {
    return EngineHarness::plan(linearPlan(300, R"(, "exposure_s": 0.002)" + extra));
}

/** Every point of the run read `value` on the diode. */
void expectEveryPoint(const EngineHarness& h, const engine::RunProgress& r, double value) {
    ASSERT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
    const auto values = h.scalar(r.runId, QStringLiteral("diode"));
    ASSERT_EQ(values.size(), 300u);
    for (const auto& [point, v] : values) ASSERT_EQ(v, value) << "point " << point;
}

QVariant describedValue(const EngineHarness& h, const QString& device, const QString& id) {
    for (const auto& d : h.engine->devices())
        if (d.name == device) return d.values.value(id);
    return {};
}

qint64 workerPid(const EngineHarness& h, int id) {
    for (const auto& w : h.workers())
        if (w.id == id) return w.pid;
    return 0;
}

model::LabConfig defaultLab(const std::function<void(model::LabConfig&)>& adjust) {
    auto lab = model::loadLabConfig(QString());
    EXPECT_TRUE(lab.ok());
    adjust(*lab);
    return *lab;
}

}  // namespace

// ---- acquila set / acquila get -----------------------------------------------------------

TEST(SetNowCli, SetMovesAnAxisOrSetsAPropertyAndPrintsTheValueReadBack) {
    const auto move = runApp({QStringLiteral("set"), QStringLiteral("motor"), QStringLiteral("12.5")});
    EXPECT_EQ(move.exitCode, 0) << move.err.toStdString();
    EXPECT_EQ(move.out, QStringLiteral("motor = 12.5 mm\n"));
    const auto negative = runApp({QStringLiteral("set"), QStringLiteral("stage.x"), QStringLiteral("-3")});
    EXPECT_EQ(negative.exitCode, 0) << negative.err.toStdString();
    EXPECT_EQ(negative.out, QStringLiteral("stage.x = -3 mm\n"));
    const auto property = runApp({QStringLiteral("set"), QStringLiteral("camera.spot_sigma"), QStringLiteral("8")});
    EXPECT_EQ(property.exitCode, 0) << property.err.toStdString();
    EXPECT_EQ(property.out, QStringLiteral("camera.spot_sigma = 8 px\n"));
    const auto enumerated = runApp({QStringLiteral("set"), QStringLiteral("fault.mode"), QStringLiteral("slow")});
    EXPECT_EQ(enumerated.exitCode, 0) << enumerated.err.toStdString();
    EXPECT_EQ(enumerated.out, QStringLiteral("fault.mode = slow\n"));
    const auto integer = runApp({QStringLiteral("set"), QStringLiteral("fault.at_point"), QStringLiteral("3")});
    EXPECT_EQ(integer.exitCode, 0) << integer.err.toStdString();
    EXPECT_EQ(integer.out, QStringLiteral("fault.at_point = 3\n"));
}

TEST(SetNowCli, GetPrintsAPositionOrAPropertyWithItsUnitFromTheLab) {
    QTemporaryDir dir;
    const QString lab = writeLab(dir);
    const auto motor = runApp({QStringLiteral("get"), QStringLiteral("motor"), QStringLiteral("--lab"), lab});
    EXPECT_EQ(motor.exitCode, 0) << motor.err.toStdString();
    EXPECT_EQ(motor.out, QStringLiteral("motor = 7 mm\n"));
    const auto sigma = runApp({QStringLiteral("get"), QStringLiteral("camera.spot_sigma"), QStringLiteral("--lab"), lab});
    EXPECT_EQ(sigma.exitCode, 0) << sigma.err.toStdString();
    EXPECT_EQ(sigma.out, QStringLiteral("camera.spot_sigma = 5 px\n"));
    const auto monitored = runApp({QStringLiteral("get"), QStringLiteral("camera.sensor_temp"), QStringLiteral("--lab"), lab});
    EXPECT_EQ(monitored.exitCode, 0) << monitored.err.toStdString();
    EXPECT_TRUE(monitored.out.startsWith(QLatin1String("camera.sensor_temp = -"))) << monitored.out.toStdString();
    EXPECT_TRUE(monitored.out.endsWith(QStringLiteral(" °C\n"))) << monitored.out.toStdString();
    const auto set = runApp({QStringLiteral("set"), QStringLiteral("motor"), QStringLiteral("-7.25"), QStringLiteral("--lab"), lab});
    EXPECT_EQ(set.exitCode, 0) << set.err.toStdString();
    EXPECT_EQ(set.out, QStringLiteral("motor = -7.25 mm\n"));
}

TEST(SetNowCli, UsageErrorsExitTwoNamingTheDeviceAndTheProperty) {
    struct Case {
        QStringList args;
        const char* message;
    };
    const Case cases[] = {
        {{QStringLiteral("set"), QStringLiteral("nodev.x"), QStringLiteral("1")}, "acquila set: no device 'nodev' in 'nodev.x' (devices: motor, stage,"},
        {{QStringLiteral("set"), QStringLiteral("camera.nope"), QStringLiteral("1")}, "acquila set: device 'camera' has no property 'nope' (properties: camera.width,"},
        {{QStringLiteral("set"), QStringLiteral("camera.spot_sigma"), QStringLiteral("abc")}, "acquila set: camera: property 'spot_sigma' expects a number, got 'abc'"},
        {{QStringLiteral("set"), QStringLiteral("camera.width"), QStringLiteral("10")}, "acquila set: camera: property 'width' is read-only"},
        {{QStringLiteral("set"), QStringLiteral("camera.spot_sigma"), QStringLiteral("1e9")}, "acquila set: camera: 1e+09 is above the maximum 10000 px of property 'spot_sigma'"},
        {{QStringLiteral("set"), QStringLiteral("fault.at_point"), QStringLiteral("2.5")}, "acquila set: fault: property 'at_point' expects an integer"},
        {{QStringLiteral("set"), QStringLiteral("fault.mode"), QStringLiteral("explode")}, "acquila set: fault: property 'mode' expects one of none, crash,"},
        {{QStringLiteral("set"), QStringLiteral("motor"), QStringLiteral("1000")}, "acquila set: 1000 is above the limit 100 mm of axis 'motor'"},
        {{QStringLiteral("set"), QStringLiteral("motor")}, "acquila set: expected TARGET VALUE"},
        {{QStringLiteral("get"), QStringLiteral("stage")}, "acquila get: 'stage' is a device, not an axis: name one of its axes (stage.x, stage.y)"},
        {{QStringLiteral("get"), QStringLiteral("camera.nope")}, "acquila get: device 'camera' has no property 'nope'"},
    };
    for (const Case& c : cases) {
        const auto o = runApp(c.args);
        EXPECT_EQ(o.exitCode, 2) << c.args.join(QLatin1Char(' ')).toStdString() << ": " << o.output().toStdString();
        EXPECT_TRUE(o.err.startsWith(QLatin1String(c.message))) << c.args.join(QLatin1Char(' ')).toStdString() << ": " << o.err.toStdString();
        EXPECT_TRUE(o.out.isEmpty()) << o.out.toStdString();
    }
    QTemporaryDir dir;
    const auto badLab = runApp({QStringLiteral("set"), QStringLiteral("motor"), QStringLiteral("1"), QStringLiteral("--lab"), dir.filePath(QStringLiteral("none.json"))});
    EXPECT_EQ(badLab.exitCode, 2);
    EXPECT_TRUE(badLab.err.contains(QLatin1String("none.json"))) << badLab.err.toStdString();
}

TEST(SetNowCli, ADeviceThatHangsOnSetExitsOneWithinItsTimeout) {
    QTemporaryDir dir;
    const QString lab = writeLab(dir, R"({"mode": "hang_set", "timeout_s": 1})");
    QElapsedTimer t;
    t.start();
    const auto o = runApp({QStringLiteral("set"), QStringLiteral("fault.at_point"), QStringLiteral("3"), QStringLiteral("--lab"), lab});
    EXPECT_EQ(o.exitCode, 1) << o.output().toStdString();
    EXPECT_TRUE(o.err.contains(QLatin1String("acquila set: cannot set fault.at_point to 3: "))) << o.err.toStdString();
    EXPECT_TRUE(o.err.contains(QLatin1String("device 'fault' did not complete set property within 1 s"))) << o.err.toStdString();
    EXPECT_LT(t.elapsed(), 10000) << "the device's 1 s timeout did not hold";
}

TEST(SetNowCli, HelpListsSetAndGet) {
    const auto help = runApp({QStringLiteral("--help")});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_TRUE(help.out.contains(QLatin1String("set TARGET VALUE"))) << help.out.toStdString();
    EXPECT_TRUE(help.out.contains(QLatin1String("get TARGET"))) << help.out.toStdString();
    const auto set = runApp({QStringLiteral("set"), QStringLiteral("--help")});
    EXPECT_EQ(set.exitCode, 0);
    EXPECT_TRUE(set.out.contains(QLatin1String("--lab"))) << set.out.toStdString();
    const auto get = runApp({QStringLiteral("get"), QStringLiteral("--help")});
    EXPECT_EQ(get.exitCode, 0);
    EXPECT_TRUE(get.out.contains(QLatin1String("DEVICE.PROPERTY"))) << get.out.toStdString();
}

// ---- Engine::setNow ---------------------------------------------------------------------

TEST(SetNowEngine, APropertySetNowAppliesInEveryWorkerAndTheNextRunSeesIt) {
    EngineHarness h(3);
    SetNowResults results(*h.engine);
    flattenDiode(h, results, 5);
    // 300 points over three workers: a worker that missed the set would read the peak and the noise.
    expectEveryPoint(h, h.run(diodeScan()), 5);
    // The run's own properties apply for the run and give way to the value set now afterwards.
    expectEveryPoint(h, h.run(diodeScan(R"(, "properties": {"diode": {"background": 7}})")), 7);
    EXPECT_TRUE(waitUntil([&] { return describedValue(h, QStringLiteral("diode"), QStringLiteral("background")).toDouble() == 5; }))
        << describedValue(h, QStringLiteral("diode"), QStringLiteral("background")).toDouble();
    expectEveryPoint(h, h.run(diodeScan()), 5);
}

TEST(SetNowEngine, ARespawnedWorkerGetsTheValuesSetNow) {
    EngineHarness h(2);
    SetNowResults results(*h.engine);
    flattenDiode(h, results, 5);
    const qint64 pid = workerPid(h, 1);
    ASSERT_GT(pid, 0);
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    ASSERT_TRUE(waitUntil([&] {
        const qint64 now = workerPid(h, 1);
        for (const auto& w : h.workers())
            if (w.id == 1) return now > 0 && now != pid && w.state == engine::WorkerState::Ready;
        return false;
    }, std::chrono::seconds(20))) << "worker 1 did not come back";
    expectEveryPoint(h, h.run(diodeScan()), 5);
}

TEST(SetNowEngine, MovesReportThePositionAndBadRequestsAreInvalid) {
    EngineHarness h(2);
    SetNowResults results(*h.engine);
    const SetNowResult move = results.waitFor(h.engine->moveAxis(QStringLiteral("motor"), 12.5));
    ASSERT_TRUE(move.ok()) << move.error.toStdString();
    EXPECT_EQ(move.value.toDouble(), 12.5);
    EXPECT_EQ(move.text, QStringLiteral("12.5 mm"));
    EXPECT_TRUE(waitUntil([&] {
        for (const auto& d : h.engine->devices())
            if (d.name == QLatin1String("motor")) return !d.positions.empty() && d.positions[0] == 12.5;
        return false;
    }));
    const SetNowResult text = setNow(h, results, QStringLiteral("camera.spot_sigma"), QStringLiteral("9"));
    ASSERT_TRUE(text.ok()) << text.error.toStdString();
    EXPECT_EQ(text.text, QStringLiteral("9 px"));
    const SetNowResult readOnly = setNow(h, results, QStringLiteral("camera.width"), 10);
    EXPECT_EQ(readOnly.outcome, SetNowResult::Outcome::Invalid);
    EXPECT_EQ(readOnly.error, QStringLiteral("camera: property 'width' is read-only"));
    const SetNowResult outside = setNow(h, results, QStringLiteral("stage.y"), 500.0);
    EXPECT_EQ(outside.outcome, SetNowResult::Outcome::Invalid);
    EXPECT_EQ(outside.error, QStringLiteral("500 is above the limit 200 mm of axis 'stage.y'"));
}

TEST(SetNowEngine, RefusedWhileARunIsActiveWhichGoesOnUntouched) {
    EngineHarness h(2);
    SetNowResults results(*h.engine);
    h.engine->enqueue(EngineHarness::plan(linearPlan(400, R"(, "exposure_s": 0.01)")));
    ASSERT_TRUE(waitUntil([&] { return h.delivered >= 5; }));
    const SetNowResult busy = setNow(h, results, QStringLiteral("diode.background"), 5.0);
    EXPECT_EQ(busy.outcome, SetNowResult::Outcome::Busy);
    EXPECT_TRUE(busy.error.startsWith(QLatin1String("cannot set diode.background now: run "))) << busy.error.toStdString();
    EXPECT_TRUE(busy.error.contains(QLatin1String("is in progress"))) << busy.error.toStdString();
    const SetNowResult move = results.waitFor(h.engine->moveAxis(QStringLiteral("motor"), 3));
    EXPECT_EQ(move.outcome, SetNowResult::Outcome::Busy);
    h.engine->stop();
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }));
    EXPECT_EQ(h.finished.back().status, RunStatus::Stopped) << h.finished.back().reason.toStdString();
    EXPECT_TRUE(setNow(h, results, QStringLiteral("diode.background"), 5.0).ok());
}

TEST(SetNowEngine, AHangingSetFailsWithinTheDevicesTimeoutAndTheEngineGoesOn) {
    EngineHarness h(2, defaultLab([](model::LabConfig& lab) {
        for (auto& d : lab.devices)
            if (d.name == QLatin1String("fault")) d.params = {{QStringLiteral("timeout_s"), 1}};
    }), false);
    SetNowResults results(*h.engine);
    ASSERT_TRUE(setNow(h, results, QStringLiteral("fault.mode"), QStringLiteral("hang_set")).ok());
    QElapsedTimer t;
    t.start();
    const SetNowResult hung = setNow(h, results, QStringLiteral("fault.at_point"), 3);
    EXPECT_EQ(hung.outcome, SetNowResult::Outcome::Failed);
    EXPECT_TRUE(hung.error.startsWith(QLatin1String("cannot set fault.at_point to 3: "))) << hung.error.toStdString();
    EXPECT_TRUE(hung.error.contains(QLatin1String("device 'fault' did not complete set property within 1 s"))) << hung.error.toStdString();
    EXPECT_LT(t.elapsed(), 8000);
    // The workers come back (with the mode set now) and the next run completes.
    const auto r = h.run(EngineHarness::plan(linearPlan(50, {}, R"(["diode", "fault"])")));
    EXPECT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
    EXPECT_TRUE(setNow(h, results, QStringLiteral("diode.background"), 5.0).ok());
}

// ---- Monitors ---------------------------------------------------------------------------

TEST(Monitors, ArriveWhileIdleStopDuringARunAndFollowAMove) {
    EngineHarness h(2, defaultLab([](model::LabConfig& lab) { lab.monitorIntervalS = 0.1; }), false);
    SetNowResults results(*h.engine);
    std::vector<engine::MonitorValues> monitors;
    QObject::connect(h.engine.get(), &engine::Engine::monitored, [&](const engine::MonitorValues& v) { monitors.push_back(v); });
    ASSERT_TRUE(waitUntil([&] { return monitors.size() >= 3; }, std::chrono::seconds(10))) << monitors.size();
    const engine::MonitorValues& first = monitors.front();
    EXPECT_TRUE(first.positions.contains(QStringLiteral("motor")));
    EXPECT_TRUE(first.positions.contains(QStringLiteral("stage.x")));
    EXPECT_NEAR(first.properties.value(QStringLiteral("camera")).value(QStringLiteral("sensor_temp")).toDouble(), -20, 0.06);
    EXPECT_FALSE(first.properties.contains(QStringLiteral("diode")));
    // A move shows in the monitors.
    ASSERT_TRUE(results.waitFor(h.engine->moveAxis(QStringLiteral("motor"), 12.5)).ok());
    EXPECT_TRUE(waitUntil([&] { return monitors.back().positions.value(QStringLiteral("motor")) == 12.5; }, std::chrono::seconds(5)));
    // None while a run is active: the results show the positions then.
    h.engine->enqueue(EngineHarness::plan(linearPlan(2000, R"(, "exposure_s": 0.01)")));
    ASSERT_TRUE(waitUntil([&] { return h.delivered >= 10; }));
    const size_t during = monitors.size();
    EXPECT_FALSE(waitUntil([&] { return monitors.size() > during; }, std::chrono::milliseconds(1000)))
        << monitors.size() - during << " monitor updates during the run";
    h.engine->stop();
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }));
    const size_t after = monitors.size();
    EXPECT_TRUE(waitUntil([&] { return monitors.size() > after; }, std::chrono::seconds(5))) << "the monitors did not resume after the run";
}

TEST(Monitors, AnIntervalOfZeroTurnsThemOff) {
    EngineHarness h(1, defaultLab([](model::LabConfig& lab) { lab.monitorIntervalS = 0; }), false);
    int count = 0;
    QObject::connect(h.engine.get(), &engine::Engine::monitored, [&](const engine::MonitorValues&) { ++count; });
    EXPECT_FALSE(waitUntil([&] { return count > 0; }, std::chrono::milliseconds(1500))) << count << " monitor updates";
}
