#include "devices/Device.h"

#include <gtest/gtest.h>
#include <chrono>
#include <cstring>

using namespace acquila::devices;
using acquila::model::DeviceSpec;

namespace {
struct FaultRig {
    std::unique_ptr<Device> dev;
    double value = 0;
    OutputBuffer buffer{reinterpret_cast<char*>(&value), sizeof(double), -1};
    std::vector<OutputBuffer> out;
    CancelToken token;

    explicit FaultRig(QVariantMap params = {}) {
        dev = createDevice(
            DeviceSpec{QStringLiteral("fault"), QStringLiteral("sim.fault"), std::move(params)},
            LabContext{42, nullptr});
    }
    Checkpoint read(qint64 index) {
        out = {buffer};
        PointContext ctx;
        ctx.index = index;
        return dev->asDetector()->read(ctx, out, token);
    }
};
}  // namespace

TEST(SimFault, BehavesNormallyAwayFromTheChosenPoint) {
    FaultRig r(
        {{QStringLiteral("mode"), QStringLiteral("throw")}, {QStringLiteral("at_point"), 3}});
    EXPECT_EQ(r.read(2), Checkpoint::Continue);
    EXPECT_EQ(r.out[0].written, -1);
    const double v2 = r.value;
    FaultRig twin;
    twin.read(2);
    EXPECT_EQ(twin.value, v2);  // deterministic
    EXPECT_EQ(r.read(4), Checkpoint::Continue);
    EXPECT_NE(r.value, v2);
    const auto d = r.dev->describe();
    EXPECT_EQ(d.concurrency, acquila::model::Concurrency::Replicable);
    EXPECT_EQ(d.outputs.at(0).name, QStringLiteral("fault"));
    EXPECT_EQ(d.values.value(QStringLiteral("mode")).toString(), QStringLiteral("throw"));
    EXPECT_EQ(d.values.value(QStringLiteral("at_point")).toLongLong(), 3);
}

TEST(SimFault, ThrowModeFailsThePointWithANamedError) {
    FaultRig r(
        {{QStringLiteral("mode"), QStringLiteral("throw")}, {QStringLiteral("at_point"), 3}});
    try {
        r.read(3);
        FAIL() << "expected DeviceError";
    } catch (const DeviceError& e) {
        EXPECT_STREQ(e.what(), "fault: injected failure at point 3");
    }
}

TEST(SimFault, MalformedModeReportsAWrongSize) {
    FaultRig r;
    r.dev->setProperty(QStringLiteral("mode"), QStringLiteral("malformed"));
    r.dev->setProperty(QStringLiteral("at_point"), 0);
    EXPECT_EQ(r.read(0), Checkpoint::Continue);
    EXPECT_EQ(r.out[0].written, 3);
    EXPECT_EQ(r.read(1), Checkpoint::Continue);
    EXPECT_EQ(r.out[0].written, -1);
}

TEST(SimFault, SlowModeWaitsCooperatively) {
    FaultRig r({{QStringLiteral("mode"), QStringLiteral("slow")}, {QStringLiteral("at_point"), 1}});
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(r.read(1), Checkpoint::Continue);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(200));
    r.token.request(acquila::model::CancelLevel::Abort);
    EXPECT_EQ(r.read(1), Checkpoint::Abort);
}

TEST(SimFault, PropertiesAreValidated) {
    FaultRig r;
    EXPECT_THROW(r.dev->setProperty(QStringLiteral("mode"), QStringLiteral("explode")),
                 DeviceError);
    EXPECT_THROW(r.dev->setProperty(QStringLiteral("at_point"), -2), DeviceError);
    EXPECT_THROW(r.dev->setProperty(QStringLiteral("at_point"), 1.5), DeviceError);
    try {
        r.dev->setProperty(QStringLiteral("mode"), QStringLiteral("explode"));
    } catch (const DeviceError& e) {
        EXPECT_EQ(
            std::string(e.what()).rfind("fault: property 'mode' expects one of none, crash", 0), 0u)
            << e.what();
    }
    EXPECT_THROW(FaultRig({{QStringLiteral("mode"), QStringLiteral("explode")}}), DeviceError);
    EXPECT_EQ(r.dev->describe().values.value(QStringLiteral("mode")).toString(),
              QStringLiteral("none"));
}

TEST(SimFaultDeathTest, CrashModeKillsTheProcess) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    EXPECT_DEATH(
        {
            FaultRig r({{QStringLiteral("mode"), QStringLiteral("crash")},
                        {QStringLiteral("at_point"), 5}});
            r.read(4);
            r.read(5);
        },
        "");
}
