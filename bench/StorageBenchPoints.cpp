// The 0D scan of bench_storage: the engine with its storage worker, end to end.
#include "BenchSupport.h"
#include "StorageBench.h"
#include "core/engine/Engine.h"
#include "core/plan/Plan.h"

#include <hdf5.h>

#include <QFile>

#include <unistd.h>

namespace acquila::bench {

using namespace acquila::model;
using namespace acquila::plan;
using namespace acquila::engine;

namespace {

/** Reads /entry/data/points_written and the length of /entry/data/det of a finished run file. */
std::pair<qint64, qint64> pointsInFile(const QString& path) {
    hid_t f = H5Fopen(QFile::encodeName(path).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return {-1, -1};
    qint64 written = -1;
    hsize_t dims[4] = {0};
    hid_t pw = H5Dopen2(f, "/entry/data/points_written", H5P_DEFAULT);
    if (pw >= 0) {
        if (H5Dread(pw, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &written) < 0) written = -1;
        H5Dclose(pw);
    }
    hid_t det = H5Dopen2(f, "/entry/data/det", H5P_DEFAULT);
    if (det >= 0) {
        hid_t sp = H5Dget_space(det);
        H5Sget_simple_extent_dims(sp, dims, nullptr);
        H5Sclose(sp);
        H5Dclose(det);
    }
    H5Fclose(f);
    return {written, static_cast<qint64>(dims[0])};
}

}  // namespace

QJsonObject acquilaPoints(const QString& dir, qint64 points, double flushS, bool storage) {
    EngineConfig c;
    c.workerExe = QStringLiteral(ACQUILA_WORKER_EXE);
    c.storage = storage;
    c.dataDirectory = dir;
    c.flushIntervalS = flushS;
    c.lab.seed = 42;
    c.lab.devices.push_back({QStringLiteral("motor"), QStringLiteral("sim.motor"), QVariantMap{{"min", -1e9}, {"max", 1e9}}});
    c.lab.devices.push_back({QStringLiteral("det"), QStringLiteral("sim.gaussian"),
                             QVariantMap{{"axes", QStringList{QStringLiteral("motor")}}, {"center", QVariantList{10.0}},
                                         {"width", QVariantList{15.0}}, {"amplitude", 1000.0}, {"noise", 5.0}}});
    Engine engine(c);
    std::vector<RunProgress> finished;
    Clock::time_point finishedAt;
    bool storageReady = !storage;
    qint64 storagePid = 0;
    QObject::connect(&engine, &Engine::runFinished, [&](const RunProgress& p) {
        finishedAt = Clock::now();
        finished.push_back(p);
    });
    QObject::connect(&engine, &Engine::workersChanged, [&](const std::vector<WorkerStatus>& ws) {
        for (const auto& w : ws)
            if (w.role == QLatin1String("storage") && w.state == WorkerState::Ready) {
                storageReady = true;
                storagePid = w.pid;
            }
    });
    Clock::time_point runningAt, allPointsAt;
    QObject::connect(&engine, &Engine::progressChanged, [&](const RunProgress& p) {
        const auto now = Clock::now();
        if (p.state == RunState::Running && runningAt == Clock::time_point()) runningAt = now;
        if (p.total > 0 && p.done >= p.total && allPointsAt == Clock::time_point()) allPointsAt = now;
    });
    engine.start();
    if (!acquila::bench::waitEvents([&] { return !engine.devices().empty() && storageReady; }, 30000)) return {{"error", QStringLiteral("workers never became ready")}};
    const QByteArray json = QStringLiteral(R"({"version": 1, "name": "points", "scan": {"type": "linear"},
        "axes": [{"device": "motor", "start": 0, "stop": %1, "steps": %2}], "detectors": ["det"]})")
                                .arg(points - 1).arg(points).toUtf8();
    auto plan = parsePlan(json, QStringLiteral("storage-bench.json"));
    if (!plan) return {{"error", plan.error()}};
    const ProcessUsage use0 = processUsage(storagePid), self0 = processUsage(getpid());
    const auto t0 = Clock::now();
    engine.enqueue(*plan);
    const bool done = acquila::bench::waitEvents([&] { return !finished.empty(); }, 120000);
    const ProcessUsage use1 = processUsage(storagePid), self1 = processUsage(getpid());
    engine.shutdown();
    acquila::bench::waitEvents([&] { return engine.isShutDown(); }, 15000);
    if (!done) return {{"error", QStringLiteral("run did not finish within 120 s")}};
    const RunProgress& p = finished.front();
    const double s = seconds(t0, finishedAt);
    // Phases: enqueue -> Running (file open), -> last point delivered, -> runFinished (file closed).
    QJsonObject phases{{"to_running_s", std::round(seconds(t0, runningAt) * 1e4) / 1e4}, {"streaming_s", std::round(seconds(runningAt, allPointsAt) * 1e4) / 1e4},
                       {"closing_s", std::round(seconds(allPointsAt, finishedAt) * 1e4) / 1e4}};
    QJsonObject cpu{{"app_s", round2(self1.userS + self1.systemS - self0.userS - self0.systemS)}};
    if (!storage) return {{"points", points}, {"status", QLatin1String(runStatusName(p.status))}, {"seconds", std::round(s * 1e4) / 1e4},
                          {"points_per_s", std::round(static_cast<double>(points) / s)}, {"cpu", cpu}, {"phases", phases}};
    cpu.insert(QStringLiteral("storage_worker_s"), round2(use1.userS + use1.systemS - use0.userS - use0.systemS));
    const auto [written, length] = pointsInFile(p.filePath);
    QFile::remove(p.filePath);
    QJsonObject out{{"points", points}, {"status", QLatin1String(runStatusName(p.status))}, {"points_in_file", written},
                    {"det_length", length}, {"seconds", std::round(s * 1e4) / 1e4},
                    {"points_per_s", std::round(static_cast<double>(points) / s)}, {"cpu", cpu}, {"phases", phases}};
    if (p.status != RunStatus::Completed || written != points) out.insert(QStringLiteral("error"), QStringLiteral("the file does not hold every point: %1").arg(p.reason));
    return out;
}

}  // namespace acquila::bench
