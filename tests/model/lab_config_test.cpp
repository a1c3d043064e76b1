#include "core/model/DriverSchema.h"
#include "core/model/LabConfig.h"

#include <gtest/gtest.h>
#include <QCborArray>
#include <QFile>
#include <QTemporaryDir>

using acquila::model::LabConfig;
using acquila::model::loadLabConfig;
using acquila::model::parseLabConfig;

namespace {
QString parseError(const char* json) {
    const auto r = parseLabConfig(QByteArray(json), QStringLiteral("lab.json"));
    EXPECT_FALSE(r.ok()) << json;
    return r.ok() ? QString() : r.error();
}
}  // namespace

TEST(LabConfig, ParsesDevicesSeedAndParams) {
    const auto r = parseLabConfig(R"({"version": 1, "seed": 7, "devices": [
        {"name": "m1", "driver": "sim.motor", "params": {"min": -5, "max": 5.5, "unit": "deg"}},
        {"name": "d", "driver": "sim.gaussian", "params": {"axes": ["m1"]}},
        {"name": "e", "driver": "sim.gaussian"}]})",
                                  QStringLiteral("lab.json"));
    ASSERT_TRUE(r.ok()) << r.error().toStdString();
    EXPECT_EQ(r->seed, 7u);
    ASSERT_EQ(r->devices.size(), 3u);
    EXPECT_EQ(r->devices[0].name, QStringLiteral("m1"));
    EXPECT_EQ(r->devices[0].driver, QStringLiteral("sim.motor"));
    EXPECT_EQ(r->devices[0].params.value(QStringLiteral("min")).toDouble(), -5.0);
    EXPECT_EQ(r->devices[0].params.value(QStringLiteral("max")).toDouble(), 5.5);
    EXPECT_EQ(r->devices[0].params.value(QStringLiteral("unit")).toString(), QStringLiteral("deg"));
    EXPECT_EQ(r->devices[1].params.value(QStringLiteral("axes")).toStringList(), QStringList{QStringLiteral("m1")});
    EXPECT_TRUE(r->devices[2].params.isEmpty());
}

TEST(LabConfig, ErrorsNameTheFileAndJsonPointer) {
    EXPECT_EQ(
        parseError(
            R"({"devices": [{"name": "a", "driver": "sim.motor"}, {"name": "b", "driver": "sim.motor"},
                                          {"name": "c", "driver": 3}]})"),
        QStringLiteral("lab.json: /devices/2/driver: expected a string, got a number"));
    EXPECT_EQ(parseError(R"({"devices": [{"driver": "sim.motor"}]})"),
              QStringLiteral("lab.json: /devices/0/name: expected a string, got nothing"));
    EXPECT_EQ(parseError(R"({"devices": {}})"),
              QStringLiteral("lab.json: /devices: expected an array, got an object"));
    EXPECT_EQ(parseError(R"({"seed": "x", "devices": []})"),
              QStringLiteral("lab.json: /seed: expected a number, got a string"));
    EXPECT_TRUE(parseError(R"({"seed": -1, "devices": []})")
                    .startsWith(QStringLiteral("lab.json: /seed: ")));
    EXPECT_TRUE(parseError(R"({"seed": 1.5, "devices": []})")
                    .startsWith(QStringLiteral("lab.json: /seed: ")));
    EXPECT_TRUE(parseError(R"({"version": 2, "devices": []})")
                    .contains(QStringLiteral("/version: unsupported version 2")));
    EXPECT_EQ(parseError(R"({"devices": [{"name": "a", "driver": "x", "params": []}]})"),
              QStringLiteral("lab.json: /devices/0/params: expected an object, got an array"));
    EXPECT_TRUE(parseError(R"({"devices": [{"name": "a", "driver": "x", "parms": {}}]})")
                    .startsWith(QStringLiteral("lab.json: /devices/0/parms: unknown field")));
    EXPECT_TRUE(parseError(R"({"devics": []})")
                    .startsWith(QStringLiteral("lab.json: /devics: unknown field")));
    EXPECT_EQ(parseError(R"({"seed": 1})"),
              QStringLiteral("lab.json: /devices: missing (the list of devices)"));
    EXPECT_EQ(parseError(R"([1, 2])"), QStringLiteral("lab.json: /: expected an object"));
}

TEST(LabConfig, RejectsDuplicateAndUnsafeDeviceNames) {
    EXPECT_EQ(
        parseError(R"({"devices": [{"name": "m", "driver": "sim.motor"}, {"name": "m", "driver": "sim.motor"}]})"),
        QStringLiteral("lab.json: /devices/1/name: duplicate device name 'm'"));
    EXPECT_TRUE(
        parseError(R"({"devices": [{"name": "a.b", "driver": "a"}]})")
            .startsWith(QStringLiteral("lab.json: /devices/0/name: device name 'a.b' must be")));
    EXPECT_TRUE(parseError(R"({"devices": [{"name": "a/b", "driver": "a"}]})")
                    .contains(QStringLiteral("/devices/0/name")));
    EXPECT_TRUE(parseError(R"({"devices": [{"name": "", "driver": "a"}]})")
                    .contains(QStringLiteral("/devices/0/name")));
}

TEST(LabConfig, SyntaxErrorsGiveLineAndColumn) {
    const QString e = parseError("{\n  \"devices\": [\n    {\"name\": \"a\",, }\n  ]\n}");
    EXPECT_TRUE(e.startsWith(QStringLiteral("lab.json: line 3, column "))) << e.toStdString();
    EXPECT_TRUE(e.contains(QStringLiteral("JSON syntax error")));
}

TEST(LabConfig, LoadsTheEmbeddedDefaultLab) {
    const auto r = loadLabConfig(QString());
    ASSERT_TRUE(r.ok()) << r.error().toStdString();
    EXPECT_GE(r->devices.size(), 7u);
    QStringList drivers;
    for (const auto& d : r->devices) drivers << d.driver;
    for (const char* d : {"sim.motor", "sim.xy_stage", "sim.gaussian", "sim.spectrometer",
                          "sim.camera", "sim.cpu", "sim.fault"})
        EXPECT_TRUE(drivers.contains(QLatin1String(d))) << d;
}

TEST(LabConfig, LoadsAFileAndReportsMissingFiles) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("lab.json"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"seed": 3, "devices": [{"name": "m", "driver": "sim.motor"}]})");
    f.close();
    const auto r = loadLabConfig(path);
    ASSERT_TRUE(r.ok()) << r.error().toStdString();
    EXPECT_EQ(r->seed, 3u);

    const auto missing = loadLabConfig(dir.filePath(QStringLiteral("nope.json")));
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(missing.error().startsWith(dir.filePath(QStringLiteral("nope.json")) +
                                           QStringLiteral(": cannot open")));
}

TEST(LabConfig, CborRoundTripKeepsEverything) {
    LabConfig lab;
    lab.seed = 0xFEDCBA9876543210ull;  // above 2^63: must survive the signed CBOR integer
    lab.devices.push_back(
        {QStringLiteral("m"), QStringLiteral("sim.motor"),
         QVariantMap{{QStringLiteral("min"), -3.5}, {QStringLiteral("exclusive"), true}}});
    lab.devices.push_back(
        {QStringLiteral("g"), QStringLiteral("sim.gaussian"),
         QVariantMap{{QStringLiteral("axes"), QVariantList{QStringLiteral("m")}}}});
    const auto back = LabConfig::fromCbor(lab.toCbor());
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_EQ(back->seed, lab.seed);
    ASSERT_EQ(back->devices.size(), 2u);
    EXPECT_EQ(back->devices[0].name, QStringLiteral("m"));
    EXPECT_EQ(back->devices[0].params.value(QStringLiteral("min")).toDouble(), -3.5);
    EXPECT_TRUE(back->devices[0].params.value(QStringLiteral("exclusive")).toBool());
    EXPECT_EQ(back->devices[1].params.value(QStringLiteral("axes")).toStringList(),
              QStringList{QStringLiteral("m")});
}

TEST(LabConfig, CborDecoderRejectsHostileInput) {
    EXPECT_FALSE(LabConfig::fromCbor(QCborMap()).ok());
    QCborMap badSeed;
    badSeed.insert(QStringLiteral("seed"), QStringLiteral("x"));
    badSeed.insert(QStringLiteral("devices"), QCborArray());
    EXPECT_TRUE(LabConfig::fromCbor(badSeed).error().contains(QStringLiteral("seed")));

    QCborMap notMap;
    notMap.insert(QStringLiteral("seed"), 1);
    notMap.insert(QStringLiteral("devices"), QCborArray{1, 2});
    EXPECT_EQ(LabConfig::fromCbor(notMap).error(), QStringLiteral("lab: devices[0] must be a map"));

    QCborMap dev;
    dev.insert(QStringLiteral("name"), 5);
    dev.insert(QStringLiteral("driver"), QStringLiteral("sim.motor"));
    QCborMap badName;
    badName.insert(QStringLiteral("seed"), 1);
    badName.insert(QStringLiteral("devices"), QCborArray{dev});
    const auto r = LabConfig::fromCbor(badName);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().contains(QStringLiteral("name"))) << r.error().toStdString();

    dev.insert(QStringLiteral("name"), QStringLiteral("ok"));
    dev.insert(QStringLiteral("params"), QCborArray{});
    QCborMap badParams;
    badParams.insert(QStringLiteral("seed"), 1);
    badParams.insert(QStringLiteral("devices"), QCborArray{dev});
    EXPECT_TRUE(LabConfig::fromCbor(badParams).error().contains(QStringLiteral("params")));
}

// ---- The whole lab is validated in the app, from the drivers' declarations ----

namespace {
/** A lab of the given devices (JSON array entries) and the single problem it must report. */
QString labError(const char* devices) {
    return parseError(QByteArray(R"({"version": 1, "devices": [)") + devices + "]}");
}
}  // namespace

TEST(LabValidation, CameraWidthAboveItsMaximum) {
    EXPECT_EQ(labError(R"({"name": "camera", "driver": "sim.camera", "params": {"width": 1e9}})"),
              QStringLiteral("lab.json: /devices/0/params/width (camera): 1000000000 is above the maximum 8192"));
}

TEST(LabValidation, SpectrometerPixelsBelowTheirMinimum) {
    EXPECT_EQ(labError(R"({"name": "spec", "driver": "sim.spectrometer", "params": {"pixels": -5}})"),
              QStringLiteral("lab.json: /devices/0/params/pixels (spec): -5 is below the minimum 2"));
}

TEST(LabValidation, UnknownFaultMode) {
    EXPECT_EQ(labError(R"({"name": "fault", "driver": "sim.fault", "params": {"mode": "explode"}})"),
              QStringLiteral("lab.json: /devices/0/params/mode (fault): 'explode' is not one of none, crash, hang, throw, "
                             "malformed, slow, wrong_shape, hang_open, hang_set"));
}

TEST(LabValidation, CpuCostAboveItsMaximum) {
    EXPECT_EQ(labError(R"({"name": "simulation", "driver": "sim.cpu", "params": {"cost_us": 1e15}})"),
              QStringLiteral("lab.json: /devices/0/params/cost_us (simulation): 1000000000000000 is above the maximum 60000000"));
}

TEST(LabValidation, UnknownDriverIsBlamedOnTheLab) {
    const QString e = labError(R"({"name": "motor", "driver": "sim.motr"})");
    EXPECT_TRUE(e.startsWith(QStringLiteral("lab.json: /devices/0/driver (motor): unknown driver 'sim.motr' (known: sim.motor, "))) << e.toStdString();
}

TEST(LabValidation, MinAboveMax) {
    EXPECT_EQ(labError(R"({"name": "motor", "driver": "sim.motor", "params": {"min": 5, "max": 1}})"),
              QStringLiteral("lab.json: /devices/0/params/min (motor): min 5 is above max 1"));
    EXPECT_EQ(labError(R"({"name": "stage", "driver": "sim.xy_stage", "params": {"min": [0, 9], "max": 5}})"),
              QStringLiteral("lab.json: /devices/0/params/min (stage): min 9 is above max 5"));
}

TEST(LabValidation, StringVelocity) {
    EXPECT_EQ(labError(R"({"name": "motor", "driver": "sim.motor", "params": {"velocity": "fast"}})"),
              QStringLiteral("lab.json: /devices/0/params/velocity (motor): expected a number, got the string \"fast\""));
}

TEST(LabValidation, UnknownParameter) {
    const QString e = labError(R"({"name": "motor", "driver": "sim.motor", "params": {"velocty": 5}})");
    EXPECT_TRUE(e.startsWith(QStringLiteral("lab.json: /devices/0/params/velocty (motor): unknown parameter for driver sim.motor "
                                            "(known: exclusive, max, min, settle_s, start, timeout_s, unit, velocity)")))
        << e.toStdString();
}

TEST(LabValidation, GaussianOverAnAxisNoDeviceProvides) {
    EXPECT_EQ(labError(R"({"name": "motor", "driver": "sim.motor"}, {"name": "stage", "driver": "sim.xy_stage"},
                          {"name": "diode", "driver": "sim.gaussian", "params": {"axes": ["stage.x", "nosuch"], "center": [0, 0]}})"),
              QStringLiteral("lab.json: /devices/2/params/axes/1 (diode): 'nosuch' is not an axis of this lab "
                             "(axes: motor, stage.x, stage.y)"));
    EXPECT_TRUE(labError(R"({"name": "spectrometer", "driver": "sim.spectrometer", "params": {"axis": "motor"}})")
                    .startsWith(QStringLiteral("lab.json: /devices/0/params/axis (spectrometer): 'motor' is not an axis")));
}

TEST(LabValidation, ListsEveryProblemNotJustTheFirst) {
    const QString e = parseError(R"({"devics": 1, "devices": [
        {"name": "camera", "driver": "sim.camera", "params": {"width": 1e9, "height": 0}},
        {"name": "bad name", "driver": "sim.motor", "params": {"min": "x"}},
        {"name": "lamp", "driver": "sim.lamp", "params": {"watts": 5}},
        {"name": "diode", "driver": "sim.gaussian", "params": {"axes": ["lamp", "nowhere"], "width": [1, -1]}}]})");
    const QStringList lines = e.split(QLatin1Char('\n'));
    EXPECT_EQ(lines, (QStringList{
                         QStringLiteral("lab.json: /devics: unknown field (expected one of version, seed, devices, description, plugin_dirs, monitor_interval_s)"),
                         QStringLiteral("lab.json: /devices/1/name: device name 'bad name' must be 1 to 64 letters, digits, '_' or '-'"),
                         QStringLiteral("lab.json: /devices/0/params/height (camera): 0 is below the minimum 1"),
                         QStringLiteral("lab.json: /devices/0/params/width (camera): 1000000000 is above the maximum 8192"),
                         QStringLiteral("lab.json: /devices/2/driver (lamp): unknown driver 'sim.lamp' (known: sim.motor, sim.xy_stage, "
                                        "sim.gaussian, sim.spectrometer, sim.camera, sim.cpu, sim.fault, scpi, tango)"),
                         QStringLiteral("lab.json: /devices/3/params/width/1 (diode): -1 is below the minimum 1e-12"),
                         QStringLiteral("lab.json: /devices/3/params/axes/1 (diode): 'nowhere' is not an axis of this lab (axes: none)"),
                     }))
        << e.toStdString();
}

TEST(LabValidation, ALabFileErrorNamesTheFile) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("mylab.json"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"devices": [{"name": "camera", "driver": "sim.camera", "params": {"width": 1e9}}]})");
    f.close();
    const auto r = loadLabConfig(path);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), path + QStringLiteral(": /devices/0/params/width (camera): 1000000000 is above the maximum 8192"));
}

TEST(LabValidation, ManyProblemsAreCutWithACount) {
    QByteArray devices;
    for (int i = 0; i < 60; ++i)
        devices += (i ? "," : "") + QByteArray(R"({"name": "c)") + QByteArray::number(i) + R"(", "driver": "sim.cpu", "params": {"cost_us": -1}})";
    const QStringList lines = labError(devices.constData()).split(QLatin1Char('\n'));
    ASSERT_EQ(lines.size(), 51);
    EXPECT_EQ(lines.last(), QStringLiteral("lab.json: ... and 10 more problems"));
}

TEST(LabConfig, PluginDirectoriesAreRelativeToTheLabFileAndTravelToTheWorkers) {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("lab.json"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"version": 1, "plugin_dirs": ["plugins", "/opt/acme/plugins"],
                "devices": [{"name": "laser", "driver": "acme.laser", "params": {"power_mw": 5}}]})");
    f.close();
    const auto lab = loadLabConfig(path);
    ASSERT_TRUE(lab.ok()) << lab.error().toStdString();  // a plugin's driver: the workers check it
    EXPECT_EQ(lab->pluginDirs, (QStringList{dir.filePath(QStringLiteral("plugins")), QStringLiteral("/opt/acme/plugins")}));
    const auto back = LabConfig::fromCbor(lab->toCbor());
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_EQ(back->pluginDirs, lab->pluginDirs);

    const auto bad = parseLabConfig(R"({"devices": [], "plugin_dirs": ["ok", 3, ""]})", QStringLiteral("lab.json"));
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(bad.error().contains(QLatin1String("lab.json: /plugin_dirs/1: expected a directory name"))) << bad.error().toStdString();
    EXPECT_TRUE(bad.error().contains(QLatin1String("lab.json: /plugin_dirs/2: expected a directory name"))) << bad.error().toStdString();
}

TEST(LabConfig, UnknownDriversOfTheBuiltInFamiliesAreRefusedOthersLeftToTheWorkers) {
    const auto lab = parseLabConfig(R"({"devices": [{"name": "a", "driver": "acme.laser"}, {"name": "m", "driver": "sim.motor"}]})",
                                    QStringLiteral("lab.json"));
    ASSERT_TRUE(lab.ok()) << lab.error().toStdString();
    // In a worker, after its plugins loaded, an unknown driver is a problem.
    const auto problems = acquila::model::checkLab(*lab, acquila::model::UnknownDrivers::Refuse);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].pointer, QStringLiteral("/devices/0/driver"));
    EXPECT_EQ(problems[0].device, QStringLiteral("a"));
    for (const char* driver : {"sim.lamp", "scpi2", "scpi"}) {
        const auto r = parseLabConfig(QStringLiteral(R"({"devices": [{"name": "x", "driver": "%1"}]})").arg(QLatin1String(driver)).toUtf8(),
                                      QStringLiteral("lab.json"));
        if (QLatin1String(driver) == QLatin1String("scpi")) {
            EXPECT_FALSE(r.ok());  // known, but needs a host and outputs or axes
        } else if (QLatin1String(driver) == QLatin1String("sim.lamp")) {
            ASSERT_FALSE(r.ok());
            EXPECT_TRUE(r.error().contains(QLatin1String("unknown driver 'sim.lamp'"))) << r.error().toStdString();
        } else {
            EXPECT_TRUE(r.ok()) << driver;  // "scpi2" is not of the built-in families
        }
    }
}

TEST(DriverSchema, APluginCannotTakeABuiltInNameOrOneAlreadyLoaded) {
    acquila::model::DriverDecl d;
    d.driver = QStringLiteral("sim.motor");
    EXPECT_TRUE(acquila::model::addDriverDecl(d).contains(QLatin1String("built-in")));
    d.driver = QStringLiteral("test.thing");
    d.params = {acquila::model::param::number("gain", 1, 0, 10)};
    EXPECT_EQ(acquila::model::addDriverDecl(d), QString());
    EXPECT_TRUE(acquila::model::addDriverDecl(d).contains(QLatin1String("already loaded")));
    const acquila::model::DriverDecl* found = acquila::model::findDriverDecl(QStringLiteral("test.thing"));
    ASSERT_TRUE(found);
    EXPECT_TRUE(found->find(QStringLiteral("timeout_s")));  // the common parameters come with it
    const auto problems = acquila::model::checkParams(*found, {{QStringLiteral("gain"), 11}});
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].message, QStringLiteral("11 is above the maximum 10"));
}

TEST(LabConfig, MonitorIntervalDefaultsToOneSecondAndTravelsWithTheLab) {
    const auto plain = parseLabConfig(R"({"version": 1, "devices": []})", QStringLiteral("lab.json"));
    ASSERT_TRUE(plain.ok()) << plain.error().toStdString();
    EXPECT_EQ(plain->monitorIntervalS, 1.0);
    for (double s : {0.0, 0.05, 2.5, 3600.0}) {
        const auto lab = parseLabConfig(QStringLiteral(R"({"version": 1, "monitor_interval_s": %1, "devices": []})").arg(s).toUtf8(),
                                        QStringLiteral("lab.json"));
        ASSERT_TRUE(lab.ok()) << lab.error().toStdString();
        EXPECT_EQ(lab->monitorIntervalS, s);
        const auto back = LabConfig::fromCbor(lab->toCbor());
        ASSERT_TRUE(back.ok()) << back.error().toStdString();
        EXPECT_EQ(back->monitorIntervalS, s);
    }
}

TEST(LabValidation, MonitorIntervalOutOfRangeOrNotANumber) {
    EXPECT_EQ(parseError(R"({"version": 1, "monitor_interval_s": 0.001, "devices": []})"),
              QStringLiteral("lab.json: /monitor_interval_s: expected 0 (no monitors) or 0.05 to 3600 seconds, got 0.001"));
    EXPECT_EQ(parseError(R"({"version": 1, "monitor_interval_s": -1, "devices": []})"),
              QStringLiteral("lab.json: /monitor_interval_s: expected 0 (no monitors) or 0.05 to 3600 seconds, got -1"));
    EXPECT_EQ(parseError(R"({"version": 1, "monitor_interval_s": "fast", "devices": []})"),
              QStringLiteral("lab.json: /monitor_interval_s: expected a number, got a string"));
    QCborMap hostile = LabConfig{}.toCbor();
    hostile.insert(QLatin1String("monitor_interval_s"), 1e-9);
    EXPECT_FALSE(LabConfig::fromCbor(hostile).ok());
}
