// Lab and plan limits as a user meets them: the real `acquila` refuses before any worker starts.
#include "support/RunProcess.h"
#include "support/TestSupport.h"

#include <QFile>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila::test;

namespace {
QString writeFile(const QTemporaryDir& dir, const char* name, const QByteArray& content) {
    const QString path = dir.filePath(QLatin1String(name));
    QFile f(path);
    EXPECT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(content);
    return path;
}

/**
 * Runs `acquila` with a stand-in worker executable that only leaves a marker
 * file: if any worker were started, the marker would exist.
 */
struct NoWorkerRun {
    QTemporaryDir dir;
    QString marker = dir.filePath(QStringLiteral("worker-started"));

    ProcessResult run(const QStringList& args) {
        const QString fake = writeFile(dir, "fake-worker.sh", QByteArray("#!/bin/sh\ntouch '") + marker.toUtf8() + "'\n");
        QFile::setPermissions(fake, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        qputenv("ACQUILA_WORKER", fake.toUtf8());
        ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE), args, std::chrono::seconds(60));
        qunsetenv("ACQUILA_WORKER");
        return r;
    }
};

const QByteArray kBadLab = R"({"version": 1, "devices": [
    {"name": "motor", "driver": "sim.motor", "params": {"min": 5, "max": 1}},
    {"name": "camera", "driver": "sim.camera", "params": {"width": 1e9}},
    {"name": "diode", "driver": "sim.gaussian", "params": {"axes": ["nosuch"]}}]})";
}  // namespace

TEST(LabConfigCli, RunRefusesAnInvalidLabWithEveryProblemBeforeStartingWorkers) {
    NoWorkerRun nw;
    const QString lab = writeFile(nw.dir, "lab.json", kBadLab);
    const auto r = nw.run({QStringLiteral("run"), sourcePath(QStringLiteral("resources/plans/linear-motor.json")), QStringLiteral("--lab"), lab});
    ASSERT_TRUE(r.finished) << r.err.toStdString();
    EXPECT_EQ(r.exitCode, 2) << r.output().toStdString();
    EXPECT_TRUE(r.err.contains(lab + QStringLiteral(": /devices/0/params/min (motor): min 5 is above max 1"))) << r.err.toStdString();
    EXPECT_TRUE(r.err.contains(lab + QStringLiteral(": /devices/1/params/width (camera): 1000000000 is above the maximum 8192")))
        << r.err.toStdString();
    EXPECT_TRUE(r.err.contains(lab + QStringLiteral(": /devices/2/params/axes/0 (diode): 'nosuch' is not an axis of this lab (axes: motor)")))
        << r.err.toStdString();
    EXPECT_FALSE(QFileInfo::exists(nw.marker)) << "a worker was started for an invalid lab";
}

TEST(LabConfigCli, DevicesRefusesAnInvalidLabBeforeStartingWorkers) {
    NoWorkerRun nw;
    const QString lab = writeFile(nw.dir, "lab.json", R"({"devices": [{"name": "simulation", "driver": "sim.cpu", "params": {"cost_us": 1e15}}]})");
    const auto r = nw.run({QStringLiteral("devices"), QStringLiteral("--lab"), lab});
    ASSERT_TRUE(r.finished) << r.err.toStdString();
    EXPECT_EQ(r.exitCode, 2) << r.output().toStdString();
    EXPECT_TRUE(r.err.contains(lab + QStringLiteral(": /devices/0/params/cost_us (simulation): 1000000000000000 is above the maximum 60000000")))
        << r.err.toStdString();
    EXPECT_FALSE(QFileInfo::exists(nw.marker)) << "a worker was started for an invalid lab";
}

TEST(PlanLimitsCli, ARunWhoseFileCannotFitIsRefusedWithBothNumbers) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString plan = writeFile(dir, "huge.json", R"({"version": 1, "name": "huge", "scan": {"type": "count", "points": 1000000000},
        "detectors": ["camera"]})");
    const auto r = runProcess(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("run"), plan, QStringLiteral("--workers"), QStringLiteral("1"),
                                                                QStringLiteral("--out"), dir.path()});
    ASSERT_TRUE(r.finished) << r.err.toStdString();
    EXPECT_EQ(r.exitCode, 1) << r.output().toStdString();
    EXPECT_TRUE(r.err.contains(QStringLiteral("estimate: 1000000000 points x 38416 bytes = about 34.9 TiB"))) << r.err.toStdString();
    EXPECT_TRUE(r.out.contains(QStringLiteral("not enough disk space: the run file needs about 34.9 TiB (1000000000 points x 38416 bytes) but ") +
                               dir.path() + QStringLiteral(" has only ")))
        << r.out.toStdString();
    EXPECT_TRUE(QDir(dir.path()).entryList({QStringLiteral("*.h5*")}, QDir::Files).isEmpty()) << "a refused run must leave no file";
}
