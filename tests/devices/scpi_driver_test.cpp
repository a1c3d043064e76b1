// The "scpi" driver on the instrument simulator (tests/tools/scpi_sim.py): what the lab maps
// is what the device does, *IDN? is kept, the instrument's error queue becomes a clear error
// naming the command (errors queued before connecting are cleared, not blamed on one), and a
// lab the app would refuse is refused by the driver too.
#include "core/model/DriverSchema.h"
#include "devices/Device.h"
#include "support/ScpiSimulator.h"

#include <gtest/gtest.h>
#include <cstring>

using namespace acquila;
using namespace acquila::devices;
using acquila::test::ScpiSimulator;

namespace {

QVariantMap entry(std::initializer_list<std::pair<const char*, QVariant>> fields) {
    QVariantMap m;
    for (const auto& [k, v] : fields) m.insert(QLatin1String(k), v);
    return m;
}

class ScpiDriver : public ::testing::Test {
protected:
    static void SetUpTestSuite() { acquila::test::ensureCoreApplication(); }
    void SetUp() override { ASSERT_FALSE(sim_.address().isEmpty()); }
    model::DeviceSpec spec(const QString& name, QVariantMap params) const {
        params.insert(QStringLiteral("host"), QStringLiteral("127.0.0.1"));
        params.insert(QStringLiteral("port"), sim_.address().toInt());
        params.insert(QStringLiteral("reply_timeout_s"), 1.0);
        return {name, QStringLiteral("scpi"), params};
    }
    std::unique_ptr<Device> psu() {
        return createDevice(spec(QStringLiteral("psu"),
                                 {{QStringLiteral("axes"), QVariantList{entry({{"set", "SOUR:VOLT {value}"}, {"get", "SOUR:VOLT?"}, {"min", -100}, {"max", 100}, {"unit", "V"}})}}}),
                            LabContext{});
    }
    std::unique_ptr<Device> dmm(QVariantList outputs = {}) {
        if (outputs.isEmpty()) outputs = {entry({{"name", "volt"}, {"query", "MEAS:VOLT?"}, {"unit", "V"}})};
        return createDevice(spec(QStringLiteral("dmm"), {{QStringLiteral("outputs"), outputs}}), LabContext{});
    }
    static double readOne(Device& d) {
        double value = 0;
        std::vector<OutputBuffer> out{{reinterpret_cast<char*>(&value), 8, -1}};
        CancelToken token;
        EXPECT_EQ(d.asDetector()->read(PointContext{}, out, token), Checkpoint::Continue);
        return value;
    }
    ScpiSimulator sim_{QStringLiteral("--tcp")};
    CancelToken token_;
};

TEST_F(ScpiDriver, ScansTheSupplyWhileTheMeterReadsIt) {
    auto source = psu();
    auto meter = dmm();
    const model::DeviceDescription d = meter->describe();
    EXPECT_EQ(d.values.value(QStringLiteral("idn")).toString(), QStringLiteral("Acquila,SimInstrument,0001,1.0"));
    EXPECT_EQ(d.values.value(QStringLiteral("address")).toString(), QStringLiteral("127.0.0.1:") + sim_.address());
    ASSERT_EQ(d.outputs.size(), 1u);
    EXPECT_EQ(d.outputs[0].name, QStringLiteral("dmm.volt"));
    EXPECT_EQ(d.outputs[0].unit, QStringLiteral("V"));
    ASSERT_EQ(source->describe().axes.size(), 1u);
    EXPECT_EQ(source->describe().axes[0].name, QStringLiteral("psu"));
    for (double v : {0.0, 2.5, -7.0}) {
        ASSERT_EQ(source->asActuator()->moveTo(0, v, token_), Checkpoint::Continue);
        EXPECT_DOUBLE_EQ(source->asActuator()->position(0), v);  // read back from the instrument
        EXPECT_NEAR(readOne(*meter), 0.999 * v + 0.001, 1e-12);
    }
}

TEST_F(ScpiDriver, AnErrorInTheInstrumentsQueueNamesTheCommand) {
    auto source = psu();
    // Within the lab's limits (±100 V) but not the instrument's (±30 V).
    try {
        source->asActuator()->moveTo(0, 99, token_);
        FAIL() << "the instrument's error was not reported";
    } catch (const DeviceError& e) {
        EXPECT_STREQ(e.what(), "psu: the instrument reports after 'SOUR:VOLT 99': -222,\"Data out of range\"");
    }
    // The queue is empty again: the next command goes through.
    EXPECT_EQ(source->asActuator()->moveTo(0, 1, token_), Checkpoint::Continue);
    // Outside the lab's limits the command is never sent.
    try {
        source->asActuator()->moveTo(0, 101, token_);
        FAIL() << "a target outside the limits was accepted";
    } catch (const DeviceError& e) {
        EXPECT_STREQ(e.what(), "psu: 101 is outside the limits [-100, 100] of psu");
    }
}

TEST_F(ScpiDriver, ErrorsQueuedBeforeConnectingAreClearedNotBlamedOnACommand) {
    // An earlier session left three errors in the instrument's queue.
    ScpiSimulator used(QStringLiteral("--tcp"), {QStringLiteral("--queued-errors"), QStringLiteral("3")});
    ASSERT_FALSE(used.address().isEmpty());
    model::DeviceSpec s = spec(QStringLiteral("psu"), {{QStringLiteral("axes"), QVariantList{entry({{"set", "SOUR:VOLT {value}"}, {"get", "SOUR:VOLT?"}, {"unit", "V"}})}}});
    s.params.insert(QStringLiteral("port"), used.address().toInt());
    std::unique_ptr<Device> source;
    ASSERT_NO_THROW(source = createDevice(s, LabContext{}));
    EXPECT_EQ(source->asActuator()->moveTo(0, 1, token_), Checkpoint::Continue) << "an old error was blamed on the first command";
    EXPECT_DOUBLE_EQ(source->asActuator()->position(0), 1.0);
}

TEST_F(ScpiDriver, AReplyThatIsNotANumberIsAClearError) {
    auto meter = dmm({entry({{"name", "id"}, {"query", "*IDN?"}})});
    double value = 0;
    std::vector<OutputBuffer> out{{reinterpret_cast<char*>(&value), 8, -1}};
    try {
        meter->asDetector()->read(PointContext{}, out, token_);
        FAIL() << "a text reply was taken as a number";
    } catch (const DeviceError& e) {
        EXPECT_STREQ(e.what(), "dmm: the reply to '*IDN?' is not a number: 'Acquila,SimInstrument,0001,1.0'");
    }
}

TEST_F(ScpiDriver, AnUnreachableInstrumentIsAClearErrorAtOpen) {
    model::DeviceSpec s = spec(QStringLiteral("dmm"), {{QStringLiteral("outputs"), QVariantList{entry({{"name", "v"}, {"query", "MEAS:VOLT?"}})}}});
    s.params.insert(QStringLiteral("host"), QStringLiteral("no-such-instrument.invalid"));
    try {
        createDevice(s, LabContext{});
        FAIL() << "opened an instrument that does not exist";
    } catch (const DeviceError& e) {
        EXPECT_TRUE(QString::fromUtf8(e.what()).startsWith(QLatin1String("dmm: cannot connect"))) << e.what();
    }
}

TEST_F(ScpiDriver, ABadMappingIsRefusedByTheAppsCheckAndByTheDriver) {
    const QVariantMap params{{QStringLiteral("host"), QStringLiteral("127.0.0.1")},
                             {QStringLiteral("axes"), QVariantList{entry({{"set", "SOUR:VOLT"}, {"speed", 3}})}}};
    const model::ParamProblems problems = model::checkParams(*model::findDriverDecl(QStringLiteral("scpi")), params);
    QStringList text;
    for (const auto& p : problems) text << QStringLiteral("%1[%2]: %3").arg(p.key).arg(p.index).arg(p.message);
    EXPECT_TRUE(text.contains(QStringLiteral("axes[0]: unknown field 'speed' (known: name, unit, set, get, busy, idle, min, max, settle_s, move_timeout_s)")))
        << text.join('\n').toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("axes[0]: 'set' must be a command with {value}, e.g. \"POS {value}\""))) << text.join('\n').toStdString();
    try {
        createDevice({QStringLiteral("psu"), QStringLiteral("scpi"), params}, LabContext{});
        FAIL() << "the driver took a mapping the app refuses";
    } catch (const DeviceError& e) {
        EXPECT_TRUE(QString::fromUtf8(e.what()).startsWith(QLatin1String("psu: parameter 'axes' element 0:"))) << e.what();
    }
}

}  // namespace
