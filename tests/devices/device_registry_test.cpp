#include "core/model/DriverSchema.h"
#include "core/model/LabConfig.h"
#include "devices/sim/SimWorld.h"
#include "devices/Device.h"

#include <gtest/gtest.h>

using namespace acquila::devices;
using acquila::model::DeviceSpec;

TEST(DeviceRegistry, KnowsEverySimulatedDriver) {
    const QStringList names = driverNames();
    for (const char* d : {"sim.motor", "sim.xy_stage", "sim.gaussian", "sim.spectrometer",
                          "sim.camera", "sim.cpu", "sim.fault"})
        EXPECT_TRUE(names.contains(QLatin1String(d))) << d;
}

TEST(DeviceRegistry, EveryDriverIsDeclaredForTheAppAndEveryDeclarationHasADriver) {
    // The registry lists drivers by name; the declarations keep the lab's order.
    QStringList declared = acquila::model::knownDriverNames();
    declared.sort();
    EXPECT_EQ(driverNames(), declared);
}

TEST(DeviceRegistry, DriversReadTheirParametersThroughTheSharedDeclaration) {
    // A value the declaration refuses is refused by the driver with the same words the app uses.
    try {
        createDevice(DeviceSpec{QStringLiteral("camera"), QStringLiteral("sim.camera"), {{QStringLiteral("width"), 1e9}}},
                     LabContext{});
        FAIL() << "expected DeviceError";
    } catch (const DeviceError& e) {
        EXPECT_STREQ(e.what(), "camera: parameter 'width': 1000000000 is above the maximum 8192");
    }
    // Declared defaults reach the driver.
    const auto d = createDevice(DeviceSpec{QStringLiteral("s"), QStringLiteral("sim.spectrometer"), {}}, LabContext{})->describe();
    EXPECT_EQ(d.values.value(QStringLiteral("pixels")).toInt(), 512);
    EXPECT_EQ(d.values.value(QStringLiteral("timeout_s")).toDouble(), 10.0);
}

TEST(DeviceRegistry, UnknownDriverErrorNamesTheDevice) {
    try {
        createDevice(DeviceSpec{QStringLiteral("lamp"), QStringLiteral("sim.lamp"), {}},
                     LabContext{});
        FAIL() << "expected DeviceError";
    } catch (const DeviceError& e) {
        EXPECT_EQ(
            std::string(e.what()).rfind("lamp: unknown driver 'sim.lamp' (known: scpi, sim.camera, sim.cpu", 0), 0u)
            << e.what();
    }
}

TEST(DeviceRegistry, EveryDeviceOfTheDefaultLabOpensDescribesAndMeasures) {
    const auto lab = acquila::model::loadLabConfig(QString());
    ASSERT_TRUE(lab.ok()) << lab.error().toStdString();
    SimWorld world;
    CancelToken token;
    for (const DeviceSpec& spec : lab->devices) {
        SCOPED_TRACE(spec.name.toStdString());
        std::unique_ptr<Device> dev;
        ASSERT_NO_THROW(dev = createDevice(spec, LabContext{lab->seed, &world}));
        const auto d = dev->describe();
        EXPECT_EQ(d.name, spec.name);
        EXPECT_EQ(d.driver, spec.driver);
        EXPECT_FALSE(d.properties.empty());
        for (const auto& p : d.properties) {
            EXPECT_TRUE(d.values.contains(p.id)) << p.id.toStdString();
            EXPECT_TRUE(p.check(d.values.value(p.id)).isEmpty()) << p.id.toStdString();
        }
        ASSERT_NE(d.findProperty(QStringLiteral("timeout_s")), nullptr);
        EXPECT_DOUBLE_EQ(d.values.value(QStringLiteral("timeout_s")).toDouble(), dev->timeoutS());

        // The description crosses processes: it must survive CBOR.
        const auto back = acquila::model::DeviceDescription::fromCbor(d.toCbor());
        ASSERT_TRUE(back.ok()) << back.error().toStdString();
        EXPECT_EQ(back->properties.size(), d.properties.size());
        EXPECT_EQ(back->outputs.size(), d.outputs.size());

        if (Actuator* a = dev->asActuator()) {
            ASSERT_FALSE(d.axes.empty());
            EXPECT_EQ(d.positions.size(), d.axes.size());
            for (int i = 0; i < static_cast<int>(d.axes.size()); ++i) {
                const double target = std::clamp(1.0, d.axes[static_cast<size_t>(i)].min,
                                                 d.axes[static_cast<size_t>(i)].max);
                EXPECT_EQ(a->moveTo(i, target, token), Checkpoint::Continue);
                EXPECT_EQ(a->position(i), target);
            }
        }
        if (Detector* det = dev->asDetector()) {
            ASSERT_FALSE(d.outputs.empty());
            std::vector<QByteArray> storage;
            std::vector<OutputBuffer> out;
            for (const auto& o : d.outputs)
                storage.emplace_back(static_cast<qsizetype>(o.bytesPerPoint()), '\0');
            for (auto& s : storage) out.push_back(OutputBuffer{s.data(), s.size(), -1});
            PointContext ctx;
            ctx.index = 1;
            ASSERT_NO_THROW(det->read(ctx, out, token));
            for (const auto& b : out) EXPECT_EQ(b.written, -1);
        }
    }
}
