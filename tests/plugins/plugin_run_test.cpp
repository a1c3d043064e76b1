// Driver plugins in real workers, through `acquila devices` and `acquila run`: the example
// plugin (examples/plugin, built out of tree against the installed SDK by the
// plugins_example_builds_against_the_installed_sdk fixture) is scanned and its readings are
// in the file; plugins of the wrong interface version, missing a symbol, or without the
// plugin marker make their devices unavailable with a reason naming the file, and the
// rest of the lab goes on working.
#include "support/RunProcess.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila::test;

namespace {

/** A lab of `devices` (JSON text of the list) looking for plugins in `dirs`, written to `dir`. */
QString writeLab(const QTemporaryDir& dir, const QStringList& dirs, const QString& devices) {
    const QString path = dir.filePath(QStringLiteral("lab.json"));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(QStringLiteral(R"({"version": 1, "plugin_dirs": ["%1"], "devices": %2})").arg(dirs.join(QLatin1String("\", \"")), devices).toUtf8());
    return path;
}

QString testPlugins(const char* which) { return QStringLiteral(ACQUILA_TEST_PLUGINS_DIR "/") + QLatin1String(which); }

ProcessResult acquila(const QStringList& args) { return runProcess(QStringLiteral(ACQUILA_APP_EXE), args, std::chrono::seconds(120)); }

const char* kCheck = R"(
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
e = f["entry"]
assert e["status"][()].decode() == "completed", e["status"][()]
stage = e["data/stage"][()]
counts = e["data/counter"][()]
assert len(stage) == 26 and len(counts) == 26, (stage, counts)
assert np.allclose(stage, np.linspace(0, 50, 26)), stage
# 20 kHz + 5 Hz dark over 2 ms: about 40 counts, Poisson noise, whole numbers
assert np.all(counts == np.round(counts)) and 20 < counts.mean() < 60, counts
print("ok")
)";

TEST(Plugins, TheExampleBuiltOutOfTreeIsListedAndScannedByRealWorkers) {
    QTemporaryDir dir;
    // The example's own lab and plan, with the plugin from the out-of-tree build.
    QFile in(sourcePath(QStringLiteral("examples/plugin/lab.json")));
    ASSERT_TRUE(in.open(QIODevice::ReadOnly));
    QVariantMap lab = QJsonDocument::fromJson(in.readAll()).toVariant().toMap();
    lab.insert(QStringLiteral("plugin_dirs"), QStringList{QStringLiteral(ACQUILA_EXAMPLE_PLUGIN_DIR)});
    const QString labPath = dir.filePath(QStringLiteral("lab.json"));
    QFile out(labPath);
    ASSERT_TRUE(out.open(QIODevice::WriteOnly));
    out.write(QJsonDocument::fromVariant(lab).toJson());
    out.close();

    const ProcessResult devices = acquila({QStringLiteral("devices"), QStringLiteral("--lab"), labPath});
    ASSERT_EQ(devices.exitCode, 0) << devices.output().toStdString();
    EXPECT_TRUE(devices.out.contains(QLatin1String("stage  (actuator, example.stage, exclusive)"))) << devices.out.toStdString();
    EXPECT_TRUE(devices.out.contains(QLatin1String("counter  (detector, example.counter, exclusive)"))) << devices.out.toStdString();
    EXPECT_TRUE(devices.out.contains(QLatin1String("prop   rate_hz"))) << devices.out.toStdString();

    const ProcessResult run = acquila({QStringLiteral("run"), sourcePath(QStringLiteral("examples/plugin/plan.json")), QStringLiteral("--lab"), labPath,
                                       QStringLiteral("--out"), dir.path(), QStringLiteral("--disk-reserve"), QStringLiteral("1")});
    ASSERT_EQ(run.exitCode, 0) << run.output().toStdString();
    EXPECT_TRUE(run.out.startsWith(QLatin1String("completed: 26/26 points"))) << run.out.toStdString();
    const QStringList files = QDir(dir.path()).entryList({QStringLiteral("*.h5")});
    ASSERT_EQ(files.size(), 1);
    const ProcessResult check = runProcess(kSystemPython, {QStringLiteral("-c"), QString::fromLatin1(kCheck), dir.filePath(files[0])});
    EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
}

struct Refused {
    const char* dir;       // under test-plugins/
    const char* driver;
    const char* reason;    // in the device's reason
};

void PrintTo(const Refused& c, std::ostream* os) { *os << c.dir; }

class RefusedPlugin : public ::testing::TestWithParam<Refused> {};

TEST_P(RefusedPlugin, MakesItsDevicesUnavailableWithTheReasonAndTheRestOfTheLabWorks) {
    const Refused c = GetParam();
    QTemporaryDir dir;
    const QString file = testPlugins(c.dir) + QLatin1Char('/') + QLatin1String(c.dir) + QLatin1String(".so");
    ASSERT_TRUE(QFile::exists(file)) << file.toStdString();
    const QString lab = writeLab(dir, {testPlugins(c.dir)},
                                 QStringLiteral(R"([{"name": "thing", "driver": "%1"}, {"name": "motor", "driver": "sim.motor"},
                                                   {"name": "det", "driver": "sim.gaussian", "params": {"axes": "motor"}}])").arg(QLatin1String(c.driver)));

    const ProcessResult devices = acquila({QStringLiteral("devices"), QStringLiteral("--lab"), lab});
    EXPECT_EQ(devices.exitCode, 1) << devices.output().toStdString();
    QString listed;
    for (const QString& l : devices.out.split(QLatin1Char('\n')))
        if (l.startsWith(QLatin1String("thing  (UNAVAILABLE, "))) listed = l;
    ASSERT_FALSE(listed.isEmpty()) << devices.output().toStdString();
    EXPECT_TRUE(listed.contains(file)) << listed.toStdString();
    EXPECT_TRUE(listed.contains(QLatin1String(c.reason))) << listed.toStdString();
    EXPECT_TRUE(devices.out.contains(QLatin1String("motor  (actuator, sim.motor"))) << devices.out.toStdString();

    // A plan reading it fails before it starts, with the reason; one without it runs.
    const QString plan = dir.filePath(QStringLiteral("plan.json"));
    QFile p(plan);
    ASSERT_TRUE(p.open(QIODevice::WriteOnly));
    p.write(R"({"version": 1, "name": "p", "scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 1, "steps": 3}], "detectors": ["thing"]})");
    p.close();
    const ProcessResult bad = acquila({QStringLiteral("run"), plan, QStringLiteral("--lab"), lab, QStringLiteral("--out"), dir.path()});
    EXPECT_NE(bad.exitCode, 0) << bad.output().toStdString();
    EXPECT_TRUE(bad.err.contains(QLatin1String("/detectors/0: device 'thing' is unavailable: "))) << bad.output().toStdString();
    EXPECT_TRUE(bad.err.contains(QLatin1String(c.reason))) << bad.output().toStdString();
    EXPECT_TRUE(QDir(dir.path()).entryList({QStringLiteral("*.h5")}).isEmpty());

    ASSERT_TRUE(p.open(QIODevice::WriteOnly | QIODevice::Truncate));
    p.write(R"({"version": 1, "name": "p", "scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 1, "steps": 3}], "detectors": ["det"]})");
    p.close();
    const ProcessResult good = acquila({QStringLiteral("run"), plan, QStringLiteral("--lab"), lab, QStringLiteral("--out"), dir.path(),
                                        QStringLiteral("--disk-reserve"), QStringLiteral("1")});
    EXPECT_EQ(good.exitCode, 0) << good.output().toStdString();
    EXPECT_TRUE(good.out.startsWith(QLatin1String("completed: 3/3 points"))) << good.output().toStdString();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RefusedPlugin,
    ::testing::Values(Refused{"wrong-api", "wrongapi.detector", "was built for plugin interface 999, but this Acquila " ACQUILA_VERSION " provides plugin interface 1"},
                      Refused{"missing-symbol", "missing.detector", "cannot be loaded: "},
                      Refused{"not-a-plugin", "other.detector", "is not an Acquila plugin (no ACQUILA_PLUGIN marker"}),
    [](const auto& info) { return QString::fromLatin1(info.param.dir).replace(QLatin1Char('-'), QLatin1Char('_')).toStdString(); });

TEST(Plugins, AMissingSymbolIsNamed) {
    QTemporaryDir dir;
    const QString lab = writeLab(dir, {testPlugins("missing-symbol")}, QStringLiteral(R"([{"name": "thing", "driver": "missing.detector"}])"));
    const ProcessResult devices = acquila({QStringLiteral("devices"), QStringLiteral("--lab"), lab});
    EXPECT_TRUE(devices.out.contains(QLatin1String("undefined symbol: acquila_function_from_a_newer_sdk"))) << devices.output().toStdString();
}

TEST(Plugins, ADriverNoPluginProvidesSaysWhereItLooked) {
    QTemporaryDir dir;
    const QString lab = writeLab(dir, {dir.filePath(QStringLiteral("nothing-here"))}, QStringLiteral(R"([{"name": "thing", "driver": "acme.laser"}])"));
    const ProcessResult devices = acquila({QStringLiteral("devices"), QStringLiteral("--lab"), lab});
    EXPECT_EQ(devices.exitCode, 1);
    EXPECT_TRUE(devices.out.contains(QLatin1String("thing  (UNAVAILABLE, acme.laser): no plugin provides driver 'acme.laser'"))) << devices.output().toStdString();
    EXPECT_TRUE(devices.out.contains(dir.filePath(QStringLiteral("nothing-here")))) << devices.output().toStdString();
}

TEST(Plugins, ABuiltInDriverNameWithATypoIsStillRefusedByTheApp) {
    QTemporaryDir dir;
    const QString lab = writeLab(dir, {}, QStringLiteral(R"([{"name": "m", "driver": "sim.motr"}])"));
    const ProcessResult devices = acquila({QStringLiteral("devices"), QStringLiteral("--lab"), lab});
    EXPECT_EQ(devices.exitCode, 2) << devices.output().toStdString();
    EXPECT_TRUE(devices.err.contains(QLatin1String("/devices/0/driver (m): unknown driver 'sim.motr'"))) << devices.output().toStdString();
}

}  // namespace

namespace {

const char* kCheckPrefix = R"(
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
e = f["entry"]
assert e["status"][()].decode() == "failed", e["status"][()]
v = e["data/boom"][()]
# the points before the crash; the rest of the planned ten are unmeasured (NaN)
assert list(v[:3]) == [0.0, 1.0, 2.0] and np.all(np.isnan(v[3:])), v
print("ok")
)";

TEST(Plugins, APluginThatCrashesTakesDownOnlyItsWorkerAndThePointsBeforeAreKept) {
    QTemporaryDir dir;
    const QString lab = writeLab(dir, {testPlugins("crashing")}, QStringLiteral(R"([{"name": "boom", "driver": "crashing.detector"}])"));
    const QString plan = dir.filePath(QStringLiteral("plan.json"));
    QFile p(plan);
    ASSERT_TRUE(p.open(QIODevice::WriteOnly));
    p.write(R"({"version": 1, "name": "count", "scan": {"type": "count", "points": 10}, "detectors": ["boom"]})");
    p.close();
    const ProcessResult r = acquila({QStringLiteral("run"), plan, QStringLiteral("--lab"), lab, QStringLiteral("--out"), dir.path(),
                                     QStringLiteral("--disk-reserve"), QStringLiteral("1")});
    ASSERT_TRUE(r.finished) << r.output().toStdString();
    EXPECT_EQ(r.exitCode, 1) << r.output().toStdString();
    EXPECT_TRUE(r.output().contains(QLatin1String("device 'boom' crashed its worker during read at point 3"))) << r.output().toStdString();
    const QStringList files = QDir(dir.path()).entryList({QStringLiteral("*.h5")});
    ASSERT_EQ(files.size(), 1);
    const ProcessResult check = runProcess(kSystemPython, {QStringLiteral("-c"), QString::fromLatin1(kCheckPrefix), dir.filePath(files[0])});
    EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
}

}  // namespace
