// The "tango" driver on the real TangoTest device server (package tango-test), started
// without a database on a free loopback port (support/TangoTestServer.h): describe() comes
// from the attribute configuration the server reports, double_scalar is an axis, ampli a
// property, double_spectrum_ro and double_image_ro outputs of their shapes; errors name the
// device, the Tango device, the attribute and the Tango error; an abort ends a wait on a
// server that stopped answering within the deadline; a server that went away and came back
// is reached again.
#include "core/model/DriverSchema.h"
#include "devices/Device.h"
#include "support/TangoTestServer.h"

#include <gtest/gtest.h>
#include <chrono>
#include <cmath>
#include <thread>

using namespace acquila;
using namespace acquila::devices;
using acquila::test::TangoTestServer;
using Clock = std::chrono::steady_clock;

namespace {

QVariantMap entry(std::initializer_list<std::pair<const char*, QVariant>> fields) {
    QVariantMap m;
    for (const auto& [k, v] : fields) m.insert(QLatin1String(k), v);
    return m;
}

/** What createDevice threw, or empty. */
QString openError(const model::DeviceSpec& spec) {
    try {
        createDevice(spec, LabContext{});
        return {};
    } catch (const DeviceError& e) {
        return QString::fromStdString(e.what());
    }
}

class TangoDriver : public ::testing::Test {
protected:
    static void SetUpTestSuite() { acquila::test::ensureCoreApplication(); }
    void SetUp() override { ASSERT_FALSE(server_.device().isEmpty()) << server_.error().toStdString(); }

    model::DeviceSpec spec(const QString& name, QVariantMap params, const QString& device = {}) const {
        params.insert(QStringLiteral("device"), device.isEmpty() ? server_.device() : device);
        if (!params.contains(QStringLiteral("timeout_s"))) params.insert(QStringLiteral("timeout_s"), 3.0);
        return {name, QStringLiteral("tango"), params};
    }
    model::DeviceSpec detectorSpec(const QString& device = {}) const {
        return spec(QStringLiteral("tt"),
                    {{QStringLiteral("outputs"), QVariantList{entry({{"attribute", "double_spectrum_ro"}, {"name", "spectrum"}}), entry({{"attribute", "double_image_ro"}})}},
                     {QStringLiteral("properties"), QVariantList{entry({{"attribute", "ampli"}}), entry({{"attribute", "short_scalar"}, {"id", "short"}})}}},
                    device);
    }
    model::DeviceSpec axisSpec() const {
        return spec(QStringLiteral("motor"),
                    {{QStringLiteral("axes"), QVariantList{entry({{"attribute", "double_scalar"}, {"readback", "setpoint"}, {"min", -10}, {"max", 10}})}}});
    }
    /** Reads every output of `d` once; the buffers are kept in storage_. */
    Checkpoint readAll(Device& d, const CancelToken& token) {
        storage_.clear();
        out_.clear();
        for (const model::OutputDecl& o : d.describe().outputs) storage_.emplace_back(size_t(o.bytesPerPoint()));
        for (auto& s : storage_) out_.push_back(OutputBuffer{s.data(), qint64(s.size()), -1});
        return d.asDetector()->read(PointContext{}, out_, token);
    }

    TangoTestServer server_;
    CancelToken token_;
    std::vector<std::vector<char>> storage_;
    std::vector<OutputBuffer> out_;
};

TEST_F(TangoDriver, DescribesItselfFromTheAttributeConfiguration) {
    auto d = createDevice(detectorSpec(), LabContext{});
    const model::DeviceDescription desc = d->describe();
    EXPECT_EQ(desc.kind, model::DeviceKind::Detector);
    EXPECT_EQ(desc.concurrency, model::Concurrency::Exclusive);
    EXPECT_EQ(desc.values.value(QStringLiteral("tango_device")).toString(), server_.device());
    EXPECT_TRUE(desc.summary.contains(server_.device())) << desc.summary.toStdString();
    ASSERT_EQ(desc.outputs.size(), 2u);
    // The configuration says at most 4096 and 251 x 251; the shapes are those the server sends.
    EXPECT_EQ(desc.outputs[0].name, QStringLiteral("tt.spectrum"));
    EXPECT_EQ(desc.outputs[0].dtype, model::DType::Float64);
    EXPECT_EQ(desc.outputs[0].shape, (std::vector<int64_t>{256}));
    EXPECT_EQ(desc.outputs[1].name, QStringLiteral("tt.double_image_ro"));
    EXPECT_EQ(desc.outputs[1].shape, (std::vector<int64_t>{251, 251}));
    const auto prop = [&](const char* id) -> const model::PropertyDecl* {
        for (const model::PropertyDecl& p : desc.properties)
            if (p.id == QLatin1String(id)) return &p;
        return nullptr;
    };
    ASSERT_TRUE(prop("ampli"));
    EXPECT_EQ(prop("ampli")->type, model::PropertyType::Double);
    EXPECT_FALSE(prop("ampli")->readOnly);
    EXPECT_EQ(prop("ampli")->label, QStringLiteral("ampli"));  // the label the server reports
    ASSERT_TRUE(prop("short"));
    EXPECT_EQ(prop("short")->type, model::PropertyType::Int);  // a DevShort: an integer, within its type's range
    EXPECT_EQ(prop("short")->min, -32768);
    EXPECT_EQ(prop("short")->max, 32767);
    ASSERT_TRUE(prop("tango_device"));
    EXPECT_TRUE(prop("tango_device")->readOnly);
}

TEST_F(TangoDriver, ReadsTheSpectrumAndTheImage) {
    auto d = createDevice(detectorSpec(), LabContext{});
    for (int point = 0; point < 3; ++point) {
        ASSERT_EQ(readAll(*d, token_), Checkpoint::Continue);
        ASSERT_EQ(storage_[0].size(), 256u * 8);
        ASSERT_EQ(storage_[1].size(), 251u * 251 * 8);
        const auto* spectrum = reinterpret_cast<const double*>(storage_[0].data());
        double sum = 0;
        for (int i = 0; i < 256; ++i) sum += std::abs(spectrum[i]);
        EXPECT_GT(sum, 0) << "an empty spectrum";
    }
}

TEST_F(TangoDriver, AmpliIsAPropertyWrittenToTheServer) {
    auto d = createDevice(detectorSpec(), LabContext{});
    d->setProperty(QStringLiteral("ampli"), 3.25);
    EXPECT_EQ(d->describe().values.value(QStringLiteral("ampli")).toDouble(), 3.25);
    d->setProperty(QStringLiteral("short"), qint64(-12));
    // Another client (a fresh device) reads what the server holds.
    const model::DeviceDescription again = createDevice(detectorSpec(), LabContext{})->describe();
    EXPECT_EQ(again.values.value(QStringLiteral("ampli")).toDouble(), 3.25);
    EXPECT_EQ(again.values.value(QStringLiteral("short")).toLongLong(), -12);
    try {
        d->setProperty(QStringLiteral("short"), qint64(40000));
        FAIL() << "a DevShort took 40000";
    } catch (const DeviceError& e) {
        EXPECT_TRUE(QString::fromUtf8(e.what()).contains(QLatin1String("short"))) << e.what();
    }
}

TEST_F(TangoDriver, DoubleScalarIsAnAxisWrittenThenReadBack) {
    auto d = createDevice(axisSpec(), LabContext{});
    const model::DeviceDescription desc = d->describe();
    ASSERT_EQ(desc.axes.size(), 1u);
    EXPECT_EQ(desc.axes[0].name, QStringLiteral("motor"));
    EXPECT_EQ(desc.axes[0].min, -10);
    EXPECT_EQ(desc.axes[0].max, 10);
    for (double v : {2.5, -7.0, 0.125}) {
        ASSERT_EQ(d->asActuator()->moveTo(0, v, token_), Checkpoint::Continue);
        EXPECT_EQ(d->asActuator()->position(0), v);  // read back from the server (its set point)
    }
    try {
        d->asActuator()->moveTo(0, 11, token_);
        FAIL() << "moved outside the limits";
    } catch (const DeviceError& e) {
        EXPECT_TRUE(QString::fromUtf8(e.what()).startsWith(QLatin1String("motor: 11 is outside the limits [-10, 10]"))) << e.what();
    }
}

TEST_F(TangoDriver, AWrongDeviceNameIsRefusedNamingTheDeviceAndTheTangoError) {
    const QString wrong = server_.deviceNamed(QStringLiteral("sys/tg_test/9"));
    const QString error = openError(detectorSpec(wrong));
    EXPECT_TRUE(error.startsWith(QLatin1String("tt: cannot connect (") + wrong + QLatin1String("): "))) << error.toStdString();
    EXPECT_TRUE(error.contains(QLatin1String("(API_DeviceNotDefined)"))) << error.toStdString();
}

TEST_F(TangoDriver, AnUnreachablePortIsRefusedNamingTheDeviceAndTheTangoError) {
    QTcpServer probe;  // a port nothing listens on once the probe is closed
    ASSERT_TRUE(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    const QString unreachable = QStringLiteral("tango://127.0.0.1:%1/sys/tg_test/1#dbase=no").arg(port);
    const auto t0 = Clock::now();
    const QString error = openError(detectorSpec(unreachable));
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
    EXPECT_TRUE(error.startsWith(QLatin1String("tt: cannot connect (") + unreachable + QLatin1String("): "))) << error.toStdString();
    EXPECT_TRUE(error.contains(QLatin1String("API_"))) << error.toStdString();  // the Tango reasons
}

TEST_F(TangoDriver, AnUnknownAttributeIsRefusedNamingIt) {
    const QString error = openError(spec(QStringLiteral("tt"), {{QStringLiteral("outputs"), QVariantList{entry({{"attribute", "no_such_attr"}})}}}));
    EXPECT_TRUE(error.startsWith(QStringLiteral("tt: attribute 'no_such_attr' (%1): ").arg(server_.device()))) << error.toStdString();
    EXPECT_TRUE(error.contains(QLatin1String("(API_AttrNotFound)"))) << error.toStdString();
    // Something that is not a number is refused too, naming what it is.
    const QString text = openError(spec(QStringLiteral("tt"), {{QStringLiteral("outputs"), QVariantList{entry({{"attribute", "string_scalar"}})}}}));
    EXPECT_TRUE(text.startsWith(QStringLiteral("tt: attribute 'string_scalar' of %1 is a DevString").arg(server_.device()))) << text.toStdString();
    const QString readOnlyAxis = openError(spec(QStringLiteral("m"), {{QStringLiteral("axes"), QVariantList{entry({{"attribute", "double_spectrum_ro"}})}}}));
    EXPECT_TRUE(readOnlyAxis.contains(QLatin1String("an axis is a writable scalar number"))) << readOnlyAxis.toStdString();
}

TEST_F(TangoDriver, AnAbortEndsAWaitOnAServerThatStoppedAnsweringWithinTheDeadline) {
    auto d = createDevice(detectorSpec(), LabContext{});
    ASSERT_EQ(readAll(*d, token_), Checkpoint::Continue);
    ASSERT_TRUE(server_.freeze(true));
    Clock::time_point requested;
    std::thread aborter([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        requested = Clock::now();
        token_.request(model::CancelLevel::Abort);
    });
    const Checkpoint c = readAll(*d, token_);
    const auto ended = Clock::now();
    aborter.join();
    server_.freeze(false);
    EXPECT_EQ(c, Checkpoint::Abort);
    const double latencyMs = std::chrono::duration<double, std::milli>(ended - requested).count();
    EXPECT_LT(latencyMs, 100.0) << "the read went on " << latencyMs << " ms after the abort";  // 10 ms slices; room for a loaded machine
    RecordProperty("abort_latency_ms", std::to_string(latencyMs));
    token_.reset();
    EXPECT_EQ(readAll(*d, token_), Checkpoint::Continue);  // the server thawed: the device works on
}

TEST_F(TangoDriver, AServerThatStopsAnsweringTimesOutNamingTheAttribute) {
    auto d = createDevice(detectorSpec(), LabContext{});
    d->setProperty(QStringLiteral("timeout_s"), 0.5);
    ASSERT_TRUE(server_.freeze(true));
    const auto t0 = Clock::now();
    QString error;
    try {
        EXPECT_NE(readAll(*d, token_), Checkpoint::Continue) << "read from a frozen server";
    } catch (const DeviceError& e) {
        error = QString::fromUtf8(e.what());
    }
    const auto took = Clock::now() - t0;
    server_.freeze(false);
    EXPECT_LT(took, std::chrono::milliseconds(2500));
    EXPECT_TRUE(error.startsWith(QStringLiteral("tt: reading 'double_spectrum_ro', 'double_image_ro' (%1): ").arg(server_.device()))) << error.toStdString();
}

TEST_F(TangoDriver, AServerThatWentAwayFailsTheReadAndIsReachedAgainOnceBack) {
    auto d = createDevice(detectorSpec(), LabContext{});
    ASSERT_EQ(readAll(*d, token_), Checkpoint::Continue);
    server_.kill();
    try {
        readAll(*d, token_);
        FAIL() << "read from a server that is gone";
    } catch (const DeviceError& e) {
        EXPECT_TRUE(QString::fromUtf8(e.what()).startsWith(QStringLiteral("tt: reading 'double_spectrum_ro', 'double_image_ro' (%1): ").arg(server_.device()))) << e.what();
    }
    ASSERT_TRUE(server_.restart()) << server_.error().toStdString();
    EXPECT_EQ(readAll(*d, token_), Checkpoint::Continue);
}

TEST(TangoSchema, TheAppRefusesALabEntryWithoutADeviceOrWithBadMappings) {
    const model::DriverDecl* decl = model::findDriverDecl(QStringLiteral("tango"));
    ASSERT_TRUE(decl);
    QStringList messages;
    for (const model::ParamProblem& p :
         model::checkParams(*decl, {{QStringLiteral("axes"), QVariantList{entry({{"attribute", "a"}, {"readback", "later"}}), entry({{"attr", "b"}})}}}))
        messages << p.key + QLatin1Char(' ') + QString::number(p.index) + QLatin1String(": ") + p.message;
    EXPECT_TRUE(messages.contains(QLatin1String("device -1: a Tango device needs its name: tango://HOST:PORT/domain/family/member#dbase=no, or domain/family/member with TANGO_HOST set")))
        << messages.join('\n').toStdString();
    EXPECT_TRUE(messages.contains(QLatin1String("axes 0: 'readback': expected \"read\" or \"setpoint\", got the string \"later\""))) << messages.join('\n').toStdString();
    EXPECT_TRUE(messages.contains(QLatin1String("axes 1: 'attribute' is missing"))) << messages.join('\n').toStdString();
    EXPECT_TRUE(messages.contains(QLatin1String("axes 0: with several axes, each needs a 'name'"))) << messages.join('\n').toStdString();
}

}  // namespace
