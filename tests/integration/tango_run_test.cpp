// A plan that scans TangoTest's double_scalar while reading its spectrum, run by `acquila run`
// with real workers on the real TangoTest server (package tango-test, no database, a free
// loopback port). The file, read back by h5py, holds every point's spectrum, the positions
// written and each device's Tango name. A server that goes away mid-run fails the run naming
// the device and the point, and the next run reaches the restarted server.
#include "support/RunProcess.h"
#include "support/TangoTestServer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila::test;

namespace {

/** The example lab (resources/lab/tango-test.json) pointed at `server`; `extra` is merged into every device's params. */
QString writeLab(const QTemporaryDir& dir, const TangoTestServer& server, const QVariantMap& extra = {}) {
    QFile in(sourcePath(QStringLiteral("resources/lab/tango-test.json")));
    in.open(QIODevice::ReadOnly);
    QVariantMap lab = QJsonDocument::fromJson(in.readAll()).toVariant().toMap();
    QVariantList devices = lab.value(QStringLiteral("devices")).toList();
    for (qsizetype i = 0; i < devices.size(); ++i) {
        QVariantMap d = devices[i].toMap();
        QVariantMap p = d.value(QStringLiteral("params")).toMap();
        p.insert(QStringLiteral("device"), server.device());
        p.insert(extra);
        d.insert(QStringLiteral("params"), p);
        devices[i] = d;
    }
    lab.insert(QStringLiteral("devices"), devices);
    const QString path = dir.filePath(QStringLiteral("lab.json"));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(QJsonDocument::fromVariant(lab).toJson());
    return path;
}

ProcessResult runPlan(const QString& plan, const QString& lab, const QTemporaryDir& dir) {
    return runProcess(QStringLiteral(ACQUILA_APP_EXE),
                      {QStringLiteral("run"), plan, QStringLiteral("--lab"), lab, QStringLiteral("--out"), dir.path(), QStringLiteral("--disk-reserve"), QStringLiteral("1")},
                      std::chrono::seconds(120));
}

/** h5py: every point's spectrum (256 values), the positions written, the status, each device's Tango name and ampli. */
const char* kCheck = R"(
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
e = f["entry"]
n = int(np.asarray(e["data/points_written"][()]).reshape(-1)[0])
assert n > 0 and (sys.argv[2] == "any" or n == int(sys.argv[2])), n
s = e["data/tgd_spectrum"][()][:n]  # a failed run's file keeps its planned size: the points written come first
assert e["status"][()].decode() == sys.argv[3], e["status"][()]
assert s.shape == (n, 256) and s.dtype == np.float64, (s.shape, s.dtype)
assert np.all(np.isfinite(s)) and np.all(np.abs(s).sum(axis=1) > 0), s
x = e["data/tg"][()][:n]
assert np.allclose(x, np.linspace(0, 10, 11)[:n]), x
for d in ("tg", "tgd"):
    name = e["instrument/%s/tango_device" % d][()]
    name = name.decode() if isinstance(name, bytes) else str(name)
    assert name == sys.argv[4], (d, name)
assert "ampli" in e["instrument/tgd"], list(e["instrument/tgd"])
if sys.argv[3] == "failed":
    reason = e["status_reason"][()].decode()
    assert "device 'tg" in reason and "at point %d" % n in reason and sys.argv[4] in reason, reason
print("ok", n)
)";

QString onlyFile(const QTemporaryDir& dir) {
    const QStringList files = QDir(dir.path()).entryList({QStringLiteral("*.h5")});
    return files.size() == 1 ? dir.filePath(files[0]) : QString();
}

TEST(TangoRun, APlanScansDoubleScalarWhileReadingTheSpectrumAndTheFileHoldsEveryReading) {
    TangoTestServer server;
    ASSERT_FALSE(server.device().isEmpty()) << server.error().toStdString();
    QTemporaryDir dir;
    const ProcessResult r = runPlan(sourcePath(QStringLiteral("resources/plans/tango/scalar-scan.json")), writeLab(dir, server), dir);
    ASSERT_TRUE(r.finished);
    ASSERT_EQ(r.exitCode, 0) << r.output().toStdString();
    EXPECT_TRUE(r.out.startsWith(QLatin1String("completed: 11/11 points"))) << r.out.toStdString();
    const QString file = onlyFile(dir);
    ASSERT_FALSE(file.isEmpty());
    const ProcessResult check = runProcess(kSystemPython, {QStringLiteral("-c"), QString::fromLatin1(kCheck), file, QStringLiteral("11"), QStringLiteral("completed"), server.device()});
    EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
}

TEST(TangoRun, AServerThatGoesAwayMidRunFailsTheRunNamingTheDeviceAndPointAndTheNextRunReconnects) {
    TangoTestServer server;
    ASSERT_FALSE(server.device().isEmpty()) << server.error().toStdString();
    QTemporaryDir dir;
    const QString lab = writeLab(dir, server);
    // The example plan, slowed down (settle_s) so that the server can be killed mid-run.
    QFile in(sourcePath(QStringLiteral("resources/plans/tango/scalar-scan.json")));
    in.open(QIODevice::ReadOnly);
    QVariantMap plan = QJsonDocument::fromJson(in.readAll()).toVariant().toMap();
    plan.insert(QStringLiteral("settle_s"), 0.5);
    const QString planPath = dir.filePath(QStringLiteral("slow.json"));
    QFile out(planPath);
    out.open(QIODevice::WriteOnly);
    out.write(QJsonDocument::fromVariant(plan).toJson());
    out.close();

    QProcess run;
    run.setProcessChannelMode(QProcess::MergedChannels);
    run.start(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("run"), planPath, QStringLiteral("--lab"), lab, QStringLiteral("--out"), dir.path(), QStringLiteral("--disk-reserve"), QStringLiteral("1")});
    ASSERT_TRUE(run.waitForStarted(10000));
    // Kill the server once the progress line says points were measured: the run is under way.
    QByteArray output;
    ASSERT_TRUE(waitUntil([&] {
        run.waitForReadyRead(20);
        output += run.readAll();
        return QRegularExpression(QStringLiteral(R"(\] [1-9]/11 points)")).match(QString::fromUtf8(output)).hasMatch() || run.state() == QProcess::NotRunning;
    }, std::chrono::seconds(60)));
    ASSERT_EQ(run.state(), QProcess::Running) << output.toStdString();
    server.kill();
    ASSERT_TRUE(run.waitForFinished(60000));
    output += run.readAll();
    const QString text = QString::fromUtf8(output);
    EXPECT_NE(run.exitCode(), 0) << text.toStdString();
    EXPECT_TRUE(text.contains(QLatin1String("device 'tg")) && text.contains(QLatin1String(" at point "))) << text.toStdString();
    EXPECT_TRUE(text.contains(server.device())) << text.toStdString();  // the Tango device, in the device's error
    const QString failed = onlyFile(dir);
    ASSERT_FALSE(failed.isEmpty());
    const ProcessResult check = runProcess(kSystemPython, {QStringLiteral("-c"), QString::fromLatin1(kCheck), failed, QStringLiteral("any"), QStringLiteral("failed"), server.device()});
    EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();  // every point before the failure

    // The next run, on the restarted server, completes.
    ASSERT_TRUE(server.restart()) << server.error().toStdString();
    QTemporaryDir dir2;
    const ProcessResult r = runPlan(sourcePath(QStringLiteral("resources/plans/tango/scalar-scan.json")), lab, dir2);
    ASSERT_EQ(r.exitCode, 0) << r.output().toStdString();
    EXPECT_TRUE(r.out.startsWith(QLatin1String("completed: 11/11 points"))) << r.out.toStdString();
}

}  // namespace
