// What set-now and `acquila set`/`get` name, how they parse and check a value and how they print it.
#include "core/model/DeviceTarget.h"

#include <gtest/gtest.h>
#include <cmath>

using namespace acquila::model;

namespace {
PropertyDecl prop(const char* id, PropertyType type, double min = -INFINITY, double max = INFINITY) {
    PropertyDecl p;
    p.id = QString::fromLatin1(id);
    p.type = type;
    p.min = min;
    p.max = max;
    return p;
}

std::vector<DeviceDescription> lab() {
    DeviceDescription stage;
    stage.name = QStringLiteral("stage");
    stage.kind = DeviceKind::Actuator;
    stage.axes = {{QStringLiteral("stage.x"), QStringLiteral("mm"), -200, 200}, {QStringLiteral("stage.y"), QStringLiteral("mm"), -200, 200}};
    stage.positions = {1.5, -2};
    PropertyDecl velocity = prop("velocity_x", PropertyType::Double, 0, INFINITY);
    velocity.unit = QStringLiteral("mm/s");
    stage.properties = {velocity};
    stage.values.insert(QStringLiteral("velocity_x"), 5000.0);

    DeviceDescription camera;
    camera.name = QStringLiteral("camera");
    PropertyDecl sigma = prop("spot_sigma", PropertyType::Double, 0.1, 100);
    sigma.unit = QStringLiteral("px");
    PropertyDecl width = prop("width", PropertyType::Int, 1, 8192);
    width.readOnly = true;
    PropertyDecl frames = prop("frames", PropertyType::Int, 1, 1000);
    PropertyDecl cooler = prop("cooler", PropertyType::Bool);
    PropertyDecl mode = prop("mode", PropertyType::Enum);
    mode.allowed = {QStringLiteral("none"), QStringLiteral("slow")};
    PropertyDecl label = prop("label", PropertyType::String);
    PropertyDecl center = prop("center.stage.x", PropertyType::Double);
    camera.properties = {sigma, width, frames, cooler, mode, label, center};
    camera.values.insert(QStringLiteral("spot_sigma"), 6.0);
    return {stage, camera};
}
}  // namespace

TEST(DeviceTarget, NamesAnAxisOrADevicesPropertyWhoseIdMayHoldDots) {
    const auto devices = lab();
    const auto x = findTarget(devices, QStringLiteral("stage.x"));
    ASSERT_TRUE(x.ok()) << x.error().toStdString();
    EXPECT_TRUE(x->isAxis());
    EXPECT_EQ(x->name(), QStringLiteral("stage.x"));
    EXPECT_EQ(x->format(x->current()), QStringLiteral("1.5 mm"));
    const auto v = findTarget(devices, QStringLiteral("stage.velocity_x"));
    ASSERT_TRUE(v.ok());
    EXPECT_FALSE(v->isAxis());
    EXPECT_EQ(v->format(v->current()), QStringLiteral("5000 mm/s"));
    const auto c = findTarget(devices, QStringLiteral("camera.center.stage.x"));
    ASSERT_TRUE(c.ok()) << c.error().toStdString();
    EXPECT_EQ(c->property->id, QStringLiteral("center.stage.x"));
}

TEST(DeviceTarget, UnknownNamesSayWhatIsKnown) {
    const auto devices = lab();
    EXPECT_EQ(findTarget(devices, QStringLiteral("nodev.x")).error(),
              QStringLiteral("no device 'nodev' in 'nodev.x' (devices: stage, camera)"));
    EXPECT_EQ(findTarget(devices, QStringLiteral("motor")).error(),
              QStringLiteral("no axis or device 'motor' (axes: stage.x, stage.y; devices: stage, camera)"));
    EXPECT_TRUE(findTarget(devices, QStringLiteral("camera.nope")).error().startsWith(
        QStringLiteral("device 'camera' has no property 'nope' (properties: camera.spot_sigma, camera.width")));
    EXPECT_TRUE(findTarget(devices, QStringLiteral("stage")).error().contains(QLatin1String("stage.x, stage.y")));
    EXPECT_TRUE(findTarget(devices, QStringLiteral("camera")).error().contains(QLatin1String("camera.spot_sigma")));
}

TEST(DeviceTarget, TextIsParsedFollowingTheDeclaredType) {
    const auto devices = lab();
    const auto parse = [&](const char* target, const char* text) { return findTarget(devices, QString::fromLatin1(target))->parseValue(QString::fromLatin1(text)); };
    EXPECT_EQ(parse("camera.spot_sigma", "0.5").value(), QVariant(0.5));
    EXPECT_EQ(parse("camera.frames", "12").value().typeId(), QMetaType::LongLong);
    EXPECT_EQ(parse("camera.frames", "12").value().toLongLong(), 12);
    EXPECT_EQ(parse("camera.cooler", "on").value(), QVariant(true));
    EXPECT_EQ(parse("camera.cooler", "FALSE").value(), QVariant(false));
    EXPECT_EQ(parse("camera.mode", "slow").value(), QVariant(QStringLiteral("slow")));
    EXPECT_EQ(parse("camera.label", "a b").value(), QVariant(QStringLiteral("a b")));
    EXPECT_EQ(parse("stage.x", "-12.5").value(), QVariant(-12.5));
    EXPECT_EQ(parse("camera.spot_sigma", "abc").error(), QStringLiteral("camera: property 'spot_sigma' expects a number, got 'abc'"));
    EXPECT_EQ(parse("camera.frames", "2.5").error(), QStringLiteral("camera: property 'frames' expects an integer"));
    EXPECT_EQ(parse("camera.cooler", "maybe").error(), QStringLiteral("camera: property 'cooler' expects true or false, got 'maybe'"));
    EXPECT_EQ(parse("camera.mode", "fast").error(), QStringLiteral("camera: property 'mode' expects one of none, slow"));
    EXPECT_EQ(parse("stage.x", "far").error(), QStringLiteral("axis 'stage.x' expects a number, got 'far'"));
}

TEST(DeviceTarget, ChecksRefuseReadOnlyOutOfRangeAndNonFiniteValues) {
    const auto devices = lab();
    const auto check = [&](const char* target, const QVariant& v) { return findTarget(devices, QString::fromLatin1(target))->checkValue(v); };
    EXPECT_EQ(check("camera.spot_sigma", 8.0), QString());
    EXPECT_EQ(check("camera.width", 10), QStringLiteral("camera: property 'width' is read-only"));
    EXPECT_EQ(check("camera.spot_sigma", 200.0), QStringLiteral("camera: 200 is above the maximum 100 px of property 'spot_sigma'"));
    EXPECT_EQ(check("camera.spot_sigma", std::nan("")), QStringLiteral("camera: property 'spot_sigma' expects a finite number"));
    EXPECT_EQ(check("stage.x", 250.0), QStringLiteral("250 is above the limit 200 mm of axis 'stage.x'"));
    EXPECT_EQ(check("stage.x", -201.0), QStringLiteral("-201 is below the limit -200 mm of axis 'stage.x'"));
    EXPECT_EQ(check("stage.x", QStringLiteral("3")), QStringLiteral("axis 'stage.x' expects a finite position"));
    EXPECT_EQ(check("stage.x", INFINITY), QStringLiteral("axis 'stage.x' expects a finite position"));
}

TEST(DeviceTarget, ValuesPrintWithTheirUnit) {
    EXPECT_EQ(formatValue(12.5, PropertyType::Double, QStringLiteral("mm")), QStringLiteral("12.5 mm"));
    EXPECT_EQ(formatValue(qlonglong(3), PropertyType::Int, {}), QStringLiteral("3"));
    EXPECT_EQ(formatValue(true, PropertyType::Bool, {}), QStringLiteral("true"));
    EXPECT_EQ(formatValue(QStringLiteral("slow"), PropertyType::Enum, {}), QStringLiteral("slow"));
}

TEST(DeviceTarget, AnUnavailableDeviceSaysWhy) {
    const std::vector<acquila::model::DeviceDescription> devices = {
        acquila::model::DeviceDescription::unavailableDevice(QStringLiteral("laser"), QStringLiteral("acme.laser"), QStringLiteral("no plugin provides driver 'acme.laser'"))};
    for (const char* name : {"laser", "laser.power"}) {
        const auto t = acquila::model::findTarget(devices, QLatin1String(name));
        ASSERT_FALSE(t.ok());
        EXPECT_EQ(t.error(), QStringLiteral("device 'laser' is unavailable: no plugin provides driver 'acme.laser'"));
    }
}
