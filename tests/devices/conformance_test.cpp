// The conformance test every registered driver passes (the driver kit's contract,
// docs/architecture.md, "Devices and workers"): its description survives the wire form;
// every writable property takes the ends of its range and every allowed value, and refuses
// what lies outside with an error naming the device and the property; read-only and unknown
// properties are refused; outputs are written at their declared size; an abort interrupts a
// blocking call quickly; a device can be opened and closed again and again. Each driver is
// opened as the default lab configures it (or with no parameters when the lab has none); the
// SCPI driver on the instrument simulator, and the Tango driver on the TangoTest server, each
// as a detector and as an actuator.
#include "core/model/DriverSchema.h"
#include "core/model/LabConfig.h"
#include "devices/Device.h"
#include "devices/PluginLoader.h"
#include "devices/sim/SimWorld.h"
#include "support/ScpiSimulator.h"
#include "support/TangoTestServer.h"

#include <QCborMap>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

// Driver names in test names and messages, not their UTF-16 bytes.
void PrintTo(const QString& s, std::ostream* os) { *os << s.toStdString(); }

using namespace acquila;
using namespace acquila::devices;
using Clock = std::chrono::steady_clock;

namespace {

/** The SCPI instrument simulator's port, started once for the SCPI cases. */
QString simulatorPort() {
    static auto* sim = new acquila::test::ScpiSimulator(QStringLiteral("--tcp"));  // lives as long as the test process
    return sim->address();
}

/** The TangoTest server's device name, started once for the Tango cases. */
QString tangoTestDevice() {
    static auto* server = new acquila::test::TangoTestServer;  // lives as long as the test process
    return server->device();
}

/**
 * How each case opens its device: as the default lab configures its driver (or with no
 * parameters), the SCPI driver as a detector ("scpi") and as an actuator ("scpi.actuator") on
 * the simulator, and the Tango driver ("tango", "tango.actuator") on TangoTest.
 */
model::DeviceSpec specFor(const QString& driver) {
    if (driver.startsWith(QLatin1String("tango"))) {
        QVariantMap p{{QStringLiteral("device"), tangoTestDevice()}, {QStringLiteral("timeout_s"), 3.0}};
        p.insert(QStringLiteral("properties"), QVariantList{QVariantMap{{QStringLiteral("attribute"), QStringLiteral("ampli")}, {QStringLiteral("min"), 0}, {QStringLiteral("max"), 100}},
                                                            QVariantMap{{QStringLiteral("attribute"), QStringLiteral("short_scalar")}},
                                                            QVariantMap{{QStringLiteral("attribute"), QStringLiteral("boolean_scalar")}},
                                                            QVariantMap{{QStringLiteral("attribute"), QStringLiteral("long_scalar_rww")}}});
        if (driver.endsWith(QLatin1String("actuator")))
            p.insert(QStringLiteral("axes"), QVariantList{QVariantMap{{QStringLiteral("attribute"), QStringLiteral("double_scalar")}, {QStringLiteral("readback"), QStringLiteral("setpoint")},
                                                                      {QStringLiteral("min"), 0}, {QStringLiteral("max"), 100}}});
        else
            p.insert(QStringLiteral("outputs"), QVariantList{QVariantMap{{QStringLiteral("attribute"), QStringLiteral("double_spectrum_ro")}},
                                                             QVariantMap{{QStringLiteral("attribute"), QStringLiteral("long_scalar")}},
                                                             QVariantMap{{QStringLiteral("attribute"), QStringLiteral("ushort_image_ro")}}});
        return model::DeviceSpec{QStringLiteral("dut"), QStringLiteral("tango"), p};
    }
    if (driver.startsWith(QLatin1String("scpi"))) {
        QVariantMap p{{QStringLiteral("host"), QStringLiteral("127.0.0.1")}, {QStringLiteral("port"), simulatorPort().toInt()}};
        const QVariantMap voltage{{QStringLiteral("id"), QStringLiteral("source_volt")}, {QStringLiteral("get"), QStringLiteral("SOUR:VOLT?")},
                                  {QStringLiteral("set"), QStringLiteral("SOUR:VOLT {value}")}, {QStringLiteral("min"), -30}, {QStringLiteral("max"), 30},
                                  {QStringLiteral("unit"), QStringLiteral("V")}};
        p.insert(QStringLiteral("properties"), QVariantList{voltage});
        if (driver.endsWith(QLatin1String("actuator")))
            p.insert(QStringLiteral("axes"), QVariantList{QVariantMap{{QStringLiteral("set"), QStringLiteral("POS {value}")}, {QStringLiteral("get"), QStringLiteral("POS?")},
                                                                      {QStringLiteral("busy"), QStringLiteral("MOV?")}, {QStringLiteral("min"), 0}, {QStringLiteral("max"), 100},
                                                                      {QStringLiteral("unit"), QStringLiteral("mm")}}});
        else
            p.insert(QStringLiteral("outputs"), QVariantList{QVariantMap{{QStringLiteral("name"), QStringLiteral("volt")}, {QStringLiteral("query"), QStringLiteral("MEAS:VOLT?")},
                                                                         {QStringLiteral("unit"), QStringLiteral("V")}}});
        return model::DeviceSpec{QStringLiteral("dut"), QStringLiteral("scpi"), p};
    }
    const auto lab = model::loadLabConfig(QString());
    if (lab)
        for (const model::DeviceSpec& d : lab->devices)
            if (d.driver == driver) return d;
    return model::DeviceSpec{QStringLiteral("dut"), driver, {}};
}

/** A value of `decl`'s type at `x`, for Int and Double. */
QVariant numberOf(const model::PropertyDecl& decl, double x) {
    return decl.type == model::PropertyType::Int ? QVariant(qint64(x)) : QVariant(x);
}

class Conformance : public ::testing::TestWithParam<QString> {
protected:
    void SetUp() override {
        spec_ = specFor(GetParam());
        device_ = createDevice(spec_, LabContext{1, &world_});
        ASSERT_TRUE(device_);
    }
    /** Sets `id` to `v`; empty when accepted, else the error. */
    QString set(const QString& id, const QVariant& v) {
        try {
            device_->setProperty(id, v);
            return {};
        } catch (const DeviceError& e) {
            return QString::fromStdString(e.what());
        }
    }

    SimWorld world_;
    model::DeviceSpec spec_;
    std::unique_ptr<Device> device_;
};

TEST_P(Conformance, DescriptionSurvivesTheWireForm) {
    const model::DeviceDescription d = device_->describe();
    EXPECT_EQ(d.name, spec_.name);
    EXPECT_EQ(d.driver, spec_.driver);
    auto back = model::DeviceDescription::fromCbor(d.toCbor());
    ASSERT_TRUE(back.ok()) << back.error().toStdString();
    EXPECT_EQ(back->toCbor(), d.toCbor());
    // Every declared property has a value, and timeout_s is one of them.
    for (const model::PropertyDecl& p : d.properties)
        EXPECT_TRUE(d.values.contains(p.id)) << p.id.toStdString() << " has no value";
    EXPECT_TRUE(d.values.contains(QStringLiteral("timeout_s")));
    EXPECT_EQ(device_->asActuator() != nullptr, !d.axes.empty());
    EXPECT_EQ(device_->asDetector() != nullptr, !d.outputs.empty());
}

TEST_P(Conformance, EveryPropertyTakesItsLimitsAndRefusesWhatLiesOutside) {
    const model::DeviceDescription d = device_->describe();
    for (const model::PropertyDecl& p : d.properties) {
        const std::string id = p.id.toStdString();
        if (p.readOnly) {
            const QString error = set(p.id, d.values.value(p.id));
            EXPECT_TRUE(error.contains(QStringLiteral("'%1' is read-only").arg(p.id))) << id << ": " << error.toStdString();
            EXPECT_TRUE(error.startsWith(spec_.name + ':')) << error.toStdString();
            continue;
        }
        switch (p.type) {
            case model::PropertyType::Int:
            case model::PropertyType::Double: {
                for (double end : {p.min, p.max}) {
                    if (!std::isfinite(end)) continue;
                    EXPECT_EQ(set(p.id, numberOf(p, end)), QString()) << id << " = " << end;
                    EXPECT_DOUBLE_EQ(device_->describe().values.value(p.id).toDouble(), end) << id;
                    const double outside = end == p.min ? end - std::max(1.0, std::abs(end)) : end + std::max(1.0, std::abs(end));
                    const QString error = set(p.id, numberOf(p, outside));
                    EXPECT_TRUE(error.startsWith(spec_.name + ':') && error.contains(p.id)) << id << " = " << outside << ": " << error.toStdString();
                    EXPECT_DOUBLE_EQ(device_->describe().values.value(p.id).toDouble(), end) << id << " changed by a refused value";
                }
                const QString nan = set(p.id, std::nan(""));
                EXPECT_FALSE(nan.isEmpty()) << id << " took NaN";
                EXPECT_TRUE(set(p.id, QStringLiteral("fast")).contains(p.id)) << id << " took a word";
                EXPECT_EQ(set(p.id, d.values.value(p.id)), QString()) << id << " refused its own value";
                break;
            }
            case model::PropertyType::Enum:
                for (const QString& v : p.allowed) {
                    if (v.startsWith(QLatin1String("hang"))) continue;  // sim.fault: the next set would never return
                    EXPECT_EQ(set(p.id, v), QString()) << id << " = " << v.toStdString();
                    EXPECT_EQ(device_->describe().values.value(p.id).toString(), v);
                }
                EXPECT_TRUE(set(p.id, QStringLiteral("no-such-value")).contains(p.id)) << id;
                EXPECT_EQ(set(p.id, d.values.value(p.id)), QString()) << id;
                break;
            case model::PropertyType::Bool:
                EXPECT_EQ(set(p.id, true), QString()) << id;
                EXPECT_EQ(set(p.id, false), QString()) << id;
                break;
            case model::PropertyType::String:
                EXPECT_EQ(set(p.id, d.values.value(p.id)), QString()) << id;
                break;
        }
    }
    const QString unknown = set(QStringLiteral("no_such_property"), 1);
    EXPECT_EQ(unknown, spec_.name + QStringLiteral(": no property 'no_such_property'"));
}

TEST_P(Conformance, APropertyThatIsAlsoALabParameterHasTheParametersRange) {
    // The app checks a lab against core/model/DriverSchema before any worker starts: a value it
    // accepts in the lab must be one the property accepts later, and the other way round.
    const model::DriverDecl* decl = model::findDriverDecl(spec_.driver);
    ASSERT_NE(decl, nullptr) << "the app does not know the driver";
    for (const model::PropertyDecl& p : device_->describe().properties) {
        const model::ParamDecl* param = decl->find(p.id);
        if (!param || p.readOnly) continue;
        if (param->type == model::ParamType::Number || param->type == model::ParamType::Integer) {
            EXPECT_EQ(p.min, param->min) << p.id.toStdString();
            EXPECT_EQ(p.max, param->max) << p.id.toStdString();
        }
        if (param->type == model::ParamType::String && !param->allowed.isEmpty()) {
            EXPECT_EQ(p.allowed, param->allowed) << p.id.toStdString();
        }
    }
}

TEST_P(Conformance, OutputsAreWrittenAtTheirDeclaredSize) {
    Detector* detector = device_->asDetector();
    if (!detector) GTEST_SKIP() << "not a detector";
    const model::DeviceDescription d = device_->describe();
    std::vector<std::vector<char>> storage;
    std::vector<OutputBuffer> out;
    for (const model::OutputDecl& o : d.outputs) {
        storage.emplace_back(size_t(o.bytesPerPoint()));
        out.push_back(OutputBuffer{storage.back().data(), o.bytesPerPoint(), -1});
    }
    CancelToken token;
    for (qint64 point = 0; point < 3; ++point) {
        PointContext ctx;
        ctx.index = point;
        ASSERT_EQ(detector->read(ctx, out, token), Checkpoint::Continue);
        for (size_t i = 0; i < out.size(); ++i)
            EXPECT_TRUE(out[i].written == -1 || out[i].written == out[i].capacity)
                << d.outputs[i].name.toStdString() << " wrote " << out[i].written << " of " << out[i].capacity << " bytes";
    }
}

TEST_P(Conformance, AnAbortEndsABlockingCallQuickly) {
    // A long call: a detector's exposure, or an actuator's slow move across its range.
    CancelToken token;
    std::function<Checkpoint()> call;
    const model::DeviceDescription d = device_->describe();
    if (Actuator* a = device_->asActuator()) {
        const model::AxisDecl& axis = d.axes.front();
        if (!std::isfinite(axis.min) || !std::isfinite(axis.max) || axis.max <= axis.min) GTEST_SKIP() << "no finite range";
        for (const model::PropertyDecl& p : d.properties)
            if (p.id.startsWith(QLatin1String("velocity")) && !p.readOnly) device_->setProperty(p.id, (axis.max - axis.min) / 60);
        const double target = std::abs(a->position(0) - axis.max) > std::abs(a->position(0) - axis.min) ? axis.max : axis.min;
        call = [a, target, &token] { return a->moveTo(0, target, token); };
    } else {
        Detector* det = device_->asDetector();
        auto out = std::make_shared<std::vector<OutputBuffer>>();
        auto keep = std::make_shared<std::vector<std::vector<char>>>();
        for (const model::OutputDecl& o : d.outputs) {
            keep->emplace_back(size_t(o.bytesPerPoint()));
            out->push_back(OutputBuffer{keep->back().data(), o.bytesPerPoint(), -1});
        }
        call = [det, out, keep, &token] {
            PointContext ctx;
            ctx.exposureS = 60;
            return det->read(ctx, *out, token);
        };
    }
    Clock::time_point requested;
    std::thread aborter([&] {
        // The scenario: an abort 100 ms into the call. The result does not depend on the call having
        // started by then (an abort before its first check ends it as quickly).
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        requested = Clock::now();
        token.request(model::CancelLevel::Abort);
        device_->stop();
    });
    const auto t0 = Clock::now();
    const Checkpoint c = call();
    const auto ended = Clock::now();
    aborter.join();
    if (ended - t0 < std::chrono::milliseconds(90)) GTEST_SKIP() << "the call does not block (no exposure)";
    EXPECT_EQ(c, Checkpoint::Abort);
    const double latencyMs = std::chrono::duration<double, std::milli>(ended - requested).count();
    // The contract is 10 ms; the bound leaves room for a loaded or instrumented machine.
    EXPECT_LT(latencyMs, 100.0) << "the call went on " << latencyMs << " ms after the abort";
    RecordProperty("abort_latency_ms", std::to_string(latencyMs));
}

TEST_P(Conformance, OpensAndClosesAgainAndAgain) {
    for (int i = 0; i < 5; ++i) {
        device_.reset();
        device_ = createDevice(spec_, LabContext{1, &world_});
        EXPECT_EQ(device_->describe().name, spec_.name);
    }
}

#ifdef ACQUILA_CONFORMANCE_OF_PLUGINS
/** The drivers of the example plugin, loaded as a worker loads it (tests/plugins). */
std::vector<QString> registeredDrivers() {
    // Called once per test of the suite: the plugins load on the first call only.
    for (const PluginReport& r : loadPlugins({QStringLiteral(ACQUILA_EXAMPLE_PLUGIN_DIR)}))
        if (!r.error.isEmpty()) std::fprintf(stderr, "%s\n", qPrintable(r.error));
    std::vector<QString> names;
    for (const PluginReport& r : pluginReports())
        for (const QString& d : r.drivers) names.push_back(d);
    return names;
}

TEST(PluginConformance, TheExamplePluginLoadsWithItsDrivers) {
    QStringList drivers;
    for (const PluginReport& r : pluginReports()) drivers << r.drivers;
    drivers.sort();
    EXPECT_EQ(drivers, (QStringList{QStringLiteral("example.counter"), QStringLiteral("example.stage")}));
}
#else
std::vector<QString> registeredDrivers() {
    QStringList names = driverNames();
    if (names.contains(QLatin1String("scpi"))) names << QStringLiteral("scpi.actuator");
    if (names.contains(QLatin1String("tango"))) names << QStringLiteral("tango.actuator");
    return {names.begin(), names.end()};
}
#endif

INSTANTIATE_TEST_SUITE_P(EveryDriver, Conformance, ::testing::ValuesIn(registeredDrivers()),
                         [](const ::testing::TestParamInfo<QString>& info) {
                             return QString(info.param).replace('.', '_').toStdString();
                         });

}  // namespace
