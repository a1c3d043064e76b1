#include "core/plan/Plan.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila::model;
using namespace acquila::plan;

namespace {

DeviceDescription actuator(const QString& name, const QStringList& axes, double limit, const std::vector<double>& positions) {
    DeviceDescription d;
    d.name = name;
    d.kind = DeviceKind::Actuator;
    for (const QString& a : axes) d.axes.push_back(AxisDecl{a, QStringLiteral("mm"), -limit, limit});
    d.positions = positions;
    return d;
}

DeviceDescription detector(const QString& name) {
    DeviceDescription d;
    d.name = name;
    d.outputs.push_back(OutputDecl{name, QStringLiteral("counts"), DType::Float64, {}, {}});
    return d;
}

/** The default lab, as its workers would describe it. */
std::vector<DeviceDescription> lab(double motorPosition = 0, double stageX = 0, double stageY = 0) {
    std::vector<DeviceDescription> devs;
    devs.push_back(actuator(QStringLiteral("motor"), {QStringLiteral("motor")}, 100, {motorPosition}));
    devs.push_back(actuator(QStringLiteral("stage"), {QStringLiteral("stage.x"), QStringLiteral("stage.y")}, 200, {stageX, stageY}));
    for (const char* n : {"diode", "spot", "spectrometer", "camera", "simulation"}) devs.push_back(detector(QLatin1String(n)));
    DeviceDescription fault = detector(QStringLiteral("fault"));
    PropertyDecl mode;
    mode.id = QStringLiteral("mode");
    mode.type = PropertyType::Enum;
    mode.allowed = QStringList{QStringLiteral("none"), QStringLiteral("crash"), QStringLiteral("hang")};
    PropertyDecl at;
    at.id = QStringLiteral("at_point");
    at.type = PropertyType::Int;
    at.min = 0;
    at.max = 1000;
    PropertyDecl version;
    version.id = QStringLiteral("firmware");
    version.type = PropertyType::String;
    version.readOnly = true;
    fault.properties = {mode, at, version};
    devs.push_back(fault);
    return devs;
}

Plan parse(const QByteArray& json) {
    auto r = parsePlan(json, QStringLiteral("plan.json"));
    EXPECT_TRUE(r.ok()) << r.error().toStdString();
    Plan p = r.ok() ? r.value() : Plan{};
    p.sourceFile = QStringLiteral("/some/dir/plan.json");
    return p;
}

Plan stageGrid(const char* xAxis, const char* extra = "") {
    return parse(QByteArray(R"({"version": 1, "name": "g", "scan": {"type": "grid"}, "axes": [)") +
                 R"({"device": "stage.y", "start": -10, "stop": 10, "steps": 3}, )" + xAxis + R"(], "detectors": ["spot"])" + extra +
                 "}");
}

}  // namespace

TEST(PlanValidate, EveryExamplePlanIsValidForTheDefaultLab) {
    const QDir dir(acquila::test::sourcePath(QStringLiteral("resources/plans")));
    const auto devices = lab();
    int n = 0;
    for (const QString& f : dir.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        const auto p = loadPlanFile(dir.filePath(f));
        ASSERT_TRUE(p.ok()) << p.error().toStdString();
        EXPECT_EQ(validatePlan(*p, devices), QString()) << f.toStdString();
        ++n;
    }
    EXPECT_GE(n, 8);
}

TEST(PlanValidate, UnknownAxisListsTheKnownOnes) {
    const Plan p = stageGrid(R"({"device": "stage.z", "start": 0, "stop": 1, "steps": 2})");
    EXPECT_EQ(validatePlan(p, lab()), QStringLiteral("plan.json: /axes/1/device: unknown axis 'stage.z' (known: motor, stage.x, stage.y)"));
}

TEST(PlanValidate, UnknownDetectorOutput) {
    const Plan p = parse(R"({"version": 1, "name": "c", "scan": {"type": "count", "points": 2}, "detectors": ["diode", "thermo"]})");
    EXPECT_EQ(validatePlan(p, lab()),
              QStringLiteral("plan.json: /detectors/1: unknown detector output 'thermo' "
                             "(known: camera, diode, fault, simulation, spectrometer, spot)"));
}

TEST(PlanValidate, AbsolutePositionsOutsideLimits) {
    EXPECT_EQ(validatePlan(stageGrid(R"({"device": "stage.x", "start": 0, "stop": 250, "steps": 2})"), lab()),
              QStringLiteral("plan.json: /axes/1/stop: 250 is above the limit 200 mm of axis 'stage.x'"));
    EXPECT_EQ(validatePlan(stageGrid(R"({"device": "stage.x", "start": -200.5, "stop": 0, "steps": 2})"), lab()),
              QStringLiteral("plan.json: /axes/1/start: -200.5 is below the limit -200 mm of axis 'stage.x'"));
    // Limits are inclusive.
    EXPECT_EQ(validatePlan(stageGrid(R"({"device": "stage.x", "start": -200, "stop": 200, "steps": 5})"), lab()), QString());
}

TEST(PlanValidate, RelativeAxesAddTheCurrentPosition) {
    const Plan p = parse(R"({"version": 1, "name": "r", "scan": {"type": "linear"},
        "axes": [{"device": "motor", "start": -10, "stop": 10, "steps": 5, "relative": true}], "detectors": ["diode"]})");
    EXPECT_EQ(validatePlan(p, lab(0)), QString());
    EXPECT_EQ(validatePlan(p, lab(89)), QString());
    EXPECT_EQ(validatePlan(p, lab(95)),
              QStringLiteral("plan.json: /axes/0/stop: 105 (current position 95 + offset 10) is above the limit 100 mm of axis 'motor'"));
    EXPECT_EQ(validatePlan(p, lab(-95)),
              QStringLiteral("plan.json: /axes/0/start: -105 (current position -95 + offset -10) is below the limit -100 mm of axis 'motor'"));
}

TEST(PlanValidate, SpiralCenterPlusMinusRadius) {
    const Plan p = parse(R"({"version": 1, "name": "s", "scan": {"type": "spiral", "radius": 50, "step": 1},
        "axes": [{"device": "stage.x", "center": 160}, {"device": "stage.y", "center": 0}], "detectors": ["spot"]})");
    EXPECT_EQ(validatePlan(p, lab()),
              QStringLiteral("plan.json: /axes/0/center: 210 (center 160 + radius 50) is above the limit 200 mm of axis 'stage.x'"));
    Plan inside = p;
    inside.axes[0].center = 150;
    EXPECT_EQ(validatePlan(inside, lab()), QString());
    Plan relative = p;
    relative.axes[1].relative = true;
    relative.axes[0].center = 0;
    EXPECT_EQ(validatePlan(relative, lab(0, 0, -160)),
              QStringLiteral("plan.json: /axes/1/center: -210 (current position -160 + center 0 - radius 50) is below "
                             "the limit -200 mm of axis 'stage.y'"));
}

TEST(PlanValidate, ListPointsOutsideLimits) {
    const Plan p = parse(R"({"version": 1, "name": "l", "scan": {"type": "list", "points": [[0, 0], [10, 20], [30, -201]]},
        "axes": [{"device": "stage.x"}, {"device": "stage.y"}], "detectors": ["spot"]})");
    EXPECT_EQ(validatePlan(p, lab()), QStringLiteral("plan.json: /scan/points/2/1: -201 is below the limit -200 mm of axis 'stage.y'"));
}

TEST(PlanValidate, CsvPointsOutsideLimitsNameTheCsvFile) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    QFile csv(dir.filePath(QStringLiteral("pts.csv")));
    ASSERT_TRUE(csv.open(QIODevice::WriteOnly));
    csv.write("stage.x,stage.y\n0,0\n250,0\n");
    csv.close();
    QFile json(dir.filePath(QStringLiteral("table.json")));
    ASSERT_TRUE(json.open(QIODevice::WriteOnly));
    json.write(R"({"version": 1, "name": "l", "scan": {"type": "list", "csv": "pts.csv"},
        "axes": [{"device": "stage.x"}, {"device": "stage.y"}], "detectors": ["spot"]})");
    json.close();
    const auto p = loadPlanFile(json.fileName());
    ASSERT_TRUE(p.ok()) << p.error().toStdString();
    EXPECT_EQ(validatePlan(*p, lab()), QStringLiteral("table.json: /scan/csv: point 1 of pts.csv: 250 is above the limit 200 mm of axis 'stage.x'"));
}

TEST(PlanValidate, PropertiesCheckedAgainstDeclarations) {
    const auto withProps = [](const char* props) {
        return parse(QByteArray(R"({"version": 1, "name": "f", "scan": {"type": "count", "points": 3}, "detectors": ["fault"],
                                    "properties": )") + props + "}");
    };
    EXPECT_EQ(validatePlan(withProps(R"({"fault": {"mode": "crash", "at_point": 5}})"), lab()), QString());
    EXPECT_EQ(validatePlan(withProps(R"({"fault": {"at_point": 5000}})"), lab()),
              QStringLiteral("plan.json: /properties/fault/at_point: 5000 is above the maximum 1000 of property 'at_point' (device 'fault')"));
    EXPECT_EQ(validatePlan(withProps(R"({"fault": {"mode": "explode"}})"), lab()),
              QStringLiteral("plan.json: /properties/fault/mode: property 'mode' expects one of none, crash, hang (device 'fault')"));
    EXPECT_EQ(validatePlan(withProps(R"({"fault": {"speed": 1}})"), lab()),
              QStringLiteral("plan.json: /properties/fault/speed: unknown property 'speed' of device 'fault' (known: at_point, firmware, mode)"));
    EXPECT_EQ(validatePlan(withProps(R"({"fault": {"firmware": "2.0"}})"), lab()),
              QStringLiteral("plan.json: /properties/fault/firmware: property 'firmware' of device 'fault' is read-only"));
    EXPECT_TRUE(validatePlan(withProps(R"({"laser": {"power": 1}})"), lab())
                    .startsWith(QStringLiteral("plan.json: /properties/laser: unknown device 'laser' (known: camera, diode, fault,")));
}

TEST(PlanValidate, LabelIsTheFileNameOrPlan) {
    Plan p = stageGrid(R"({"device": "stage.q", "start": 0, "stop": 1, "steps": 2})");
    p.sourceFile.clear();
    EXPECT_TRUE(validatePlan(p, lab()).startsWith(QStringLiteral("plan: /axes/1/device: "))) << validatePlan(p, lab()).toStdString();
    p.sourceFile = QStringLiteral("/a/b/my-scan.json");
    EXPECT_TRUE(validatePlan(p, lab()).startsWith(QStringLiteral("my-scan.json: /axes/1/device: ")));
}
