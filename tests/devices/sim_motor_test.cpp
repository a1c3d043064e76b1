#include "devices/sim/SimWorld.h"
#include "devices/Device.h"

#include <gtest/gtest.h>
#include <chrono>
#include <thread>

using namespace acquila::devices;
using acquila::model::DeviceSpec;
using Clock = std::chrono::steady_clock;

namespace {
std::unique_ptr<Device> make(const QString& name, const QString& driver, QVariantMap params,
                             SimWorld* world) {
    return createDevice(DeviceSpec{name, driver, std::move(params)}, LabContext{1, world});
}

std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const DeviceError& e) {
        return e.what();
    }
    return "(no error)";
}
}  // namespace

TEST(SimMotor, MovesAndPublishesItsPositionToTheWorld) {
    SimWorld world;
    auto dev = make(
        QStringLiteral("motor"), QStringLiteral("sim.motor"),
        {{QStringLiteral("min"), -100}, {QStringLiteral("max"), 100}, {QStringLiteral("start"), 5}},
        &world);
    Actuator* m = dev->asActuator();
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(dev->asDetector(), nullptr);
    EXPECT_EQ(world.position(QStringLiteral("motor"), -1), 5.0);
    CancelToken token;
    EXPECT_EQ(m->moveTo(0, 42.5, token), Checkpoint::Continue);
    EXPECT_EQ(m->position(0), 42.5);
    EXPECT_EQ(world.position(QStringLiteral("motor")), 42.5);

    const auto d = dev->describe();
    EXPECT_EQ(d.kind, acquila::model::DeviceKind::Actuator);
    EXPECT_EQ(d.concurrency, acquila::model::Concurrency::Replicable);
    ASSERT_EQ(d.axes.size(), 1u);
    EXPECT_EQ(d.axes[0].name, QStringLiteral("motor"));
    EXPECT_EQ(d.axes[0].unit, QStringLiteral("mm"));
    EXPECT_EQ(d.axes[0].min, -100.0);
    EXPECT_EQ(d.axes[0].max, 100.0);
    ASSERT_EQ(d.positions.size(), 1u);
    EXPECT_EQ(d.positions[0], 42.5);
}

TEST(SimMotor, RejectsTargetsOutsideTheLimits) {
    SimWorld world;
    auto dev = make(QStringLiteral("motor"), QStringLiteral("sim.motor"),
                    {{QStringLiteral("min"), -100}, {QStringLiteral("max"), 100}}, &world);
    CancelToken token;
    EXPECT_EQ(errorOf([&] { dev->asActuator()->moveTo(0, 250, token); }),
              "motor: position 250 mm is outside the limits [-100, 100] mm");
    EXPECT_EQ(dev->asActuator()->position(0), 0.0);
    EXPECT_NE(errorOf([&] { dev->asActuator()->moveTo(1, 0, token); }), "(no error)");
    EXPECT_NE(errorOf([&] { dev->asActuator()->moveTo(0, std::nan(""), token); }), "(no error)");
}

TEST(SimMotor, MoveTakesDistanceOverVelocityPlusSettle) {
    auto dev =
        make(QStringLiteral("m"), QStringLiteral("sim.motor"),
             {{QStringLiteral("velocity"), 1000}, {QStringLiteral("settle_s"), 0.02}}, nullptr);
    CancelToken token;
    const auto t0 = Clock::now();
    EXPECT_EQ(dev->asActuator()->moveTo(0, 30, token),
              Checkpoint::Continue);  // 30 ms travel + 20 ms settle
    EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(50));
    EXPECT_EQ(dev->asActuator()->position(0), 30.0);
}

TEST(SimMotor, AbortFromAnotherThreadInterruptsAMoveQuickly) {
    SimWorld world;
    auto dev = make(QStringLiteral("m"), QStringLiteral("sim.motor"),
                    {{QStringLiteral("velocity"), 1.0}}, &world);
    CancelToken token;
    std::atomic<bool> started{false};
    std::thread aborter([&] {
        while (!started.load()) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // let the move get under way
        token.request(acquila::model::CancelLevel::Abort);
    });
    started.store(true);
    const auto t0 = Clock::now();
    const Checkpoint c = dev->asActuator()->moveTo(0, 100, token);  // 100 s if not interrupted
    const auto took = Clock::now() - t0;
    aborter.join();
    EXPECT_EQ(c, Checkpoint::Abort);
    EXPECT_LT(took, std::chrono::seconds(2));
    // It stopped part-way, where it had got to, and the world agrees.
    const double p = dev->asActuator()->position(0);
    EXPECT_GE(p, 0.0);
    EXPECT_LT(p, 100.0);
    EXPECT_EQ(world.position(QStringLiteral("m")), p);
}

TEST(SimMotor, StopHookInterruptsAMove) {
    auto dev = make(QStringLiteral("m"), QStringLiteral("sim.motor"),
                    {{QStringLiteral("velocity"), 1.0}}, nullptr);
    CancelToken token;
    std::atomic<bool> started{false};
    std::thread stopper([&] {
        while (!started.load()) std::this_thread::yield();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        dev->stop();
    });
    started.store(true);
    const auto t0 = Clock::now();
    EXPECT_EQ(dev->asActuator()->moveTo(0, -50, token), Checkpoint::Abort);
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));
    stopper.join();
}

TEST(SimMotor, TimeoutDeadlineEndsAMove) {
    auto dev =
        make(QStringLiteral("m"), QStringLiteral("sim.motor"),
             {{QStringLiteral("velocity"), 1.0}, {QStringLiteral("timeout_s"), 0.05}}, nullptr);
    EXPECT_EQ(dev->timeoutS(), 0.05);
    CancelToken token;
    token.setDeadline(Clock::now() + std::chrono::milliseconds(50));
    EXPECT_EQ(dev->asActuator()->moveTo(0, 10, token), Checkpoint::Timeout);
}

TEST(SimMotor, PropertiesAreValidatedAndReported) {
    auto dev = make(
        QStringLiteral("motor"), QStringLiteral("sim.motor"),
        {{QStringLiteral("velocity"), 5}, {QStringLiteral("min"), -1}, {QStringLiteral("max"), 1}},
        nullptr);
    dev->setProperty(QStringLiteral("velocity"), 12.5);
    dev->setProperty(QStringLiteral("settle_s"), 0.25);
    auto d = dev->describe();
    EXPECT_EQ(d.values.value(QStringLiteral("velocity")).toDouble(), 12.5);
    EXPECT_EQ(d.values.value(QStringLiteral("settle_s")).toDouble(), 0.25);
    ASSERT_NE(d.findProperty(QStringLiteral("velocity")), nullptr);
    EXPECT_EQ(d.findProperty(QStringLiteral("velocity"))->unit, QStringLiteral("mm/s"));
    EXPECT_TRUE(d.findProperty(QStringLiteral("min"))->readOnly);

    EXPECT_EQ(errorOf([&] { dev->setProperty(QStringLiteral("min"), -5); }),
              "motor: property 'min' is read-only");
    EXPECT_EQ(errorOf([&] { dev->setProperty(QStringLiteral("speed"), 1); }),
              "motor: no property 'speed'");
    const std::string neg = errorOf([&] { dev->setProperty(QStringLiteral("velocity"), -1); });
    EXPECT_EQ(neg.rfind("motor: ", 0), 0u) << neg;
    EXPECT_NE(neg.find("velocity"), std::string::npos) << neg;
    EXPECT_NE(
        errorOf([&] { dev->setProperty(QStringLiteral("velocity"), QStringLiteral("fast")); }),
        "(no error)");
    EXPECT_NE(errorOf([&] { dev->setProperty(QStringLiteral("velocity"), std::nan("")); }),
              "(no error)");
    EXPECT_EQ(dev->describe().values.value(QStringLiteral("velocity")).toDouble(),
              12.5);  // unchanged by rejects
}

TEST(SimMotor, ExclusiveParameterForcesExclusiveConcurrency) {
    auto dev = make(QStringLiteral("m"), QStringLiteral("sim.motor"),
                    {{QStringLiteral("exclusive"), true}}, nullptr);
    EXPECT_EQ(dev->describe().concurrency, acquila::model::Concurrency::Exclusive);
}

TEST(SimMotor, BadParametersNameTheDeviceAndParameter) {
    EXPECT_EQ(errorOf([] {
                  make(QStringLiteral("mx"), QStringLiteral("sim.motor"),
                       {{QStringLiteral("velocity"), QStringLiteral("x")}}, nullptr);
              }),
              "mx: parameter 'velocity': expected a number, got the string \"x\"");
    EXPECT_EQ(errorOf([] {
                  make(QStringLiteral("mx"), QStringLiteral("sim.motor"),
                       {{QStringLiteral("min"), 5}, {QStringLiteral("max"), 1}}, nullptr);
              }),
              "mx: parameter 'min': min 5 is above max 1");
    const std::string typo = errorOf([] {
        make(QStringLiteral("mx"), QStringLiteral("sim.motor"), {{QStringLiteral("velocty"), 1}},
             nullptr);
    });
    EXPECT_EQ(typo.rfind("mx: parameter 'velocty': unknown parameter for driver sim.motor", 0), 0u) << typo;
    EXPECT_NE(errorOf([] {
                  make(QStringLiteral("mx"), QStringLiteral("sim.motor"),
                       {{QStringLiteral("min"), 0}, {QStringLiteral("start"), -3}}, nullptr);
              }),
              "(no error)");
}

TEST(SimXYStage, HasTwoNamedAxesWithPerAxisLimitsAndVelocity) {
    SimWorld world;
    auto dev = make(QStringLiteral("stage"), QStringLiteral("sim.xy_stage"),
                    {{QStringLiteral("min"), QVariantList{-10, -20}},
                     {QStringLiteral("max"), 10},
                     {QStringLiteral("velocity"), QVariantList{0, 2000}}},
                    &world);
    auto d = dev->describe();
    ASSERT_EQ(d.axes.size(), 2u);
    EXPECT_EQ(d.axes[0].name, QStringLiteral("stage.x"));
    EXPECT_EQ(d.axes[1].name, QStringLiteral("stage.y"));
    EXPECT_EQ(d.axes[0].min, -10.0);
    EXPECT_EQ(d.axes[1].min, -20.0);
    EXPECT_EQ(d.axes[1].max, 10.0);
    EXPECT_EQ(d.values.value(QStringLiteral("velocity_y")).toDouble(), 2000.0);

    CancelToken token;
    Actuator* a = dev->asActuator();
    EXPECT_EQ(a->moveTo(0, 3, token), Checkpoint::Continue);
    EXPECT_EQ(a->moveTo(1, -15, token), Checkpoint::Continue);
    EXPECT_EQ(world.position(QStringLiteral("stage.x")), 3.0);
    EXPECT_EQ(world.position(QStringLiteral("stage.y")), -15.0);
    EXPECT_EQ(errorOf([&] { a->moveTo(0, -15, token); }),
              "stage.x: position -15 mm is outside the limits [-10, 10] mm");
    EXPECT_NE(errorOf([&] { a->moveTo(2, 0, token); }), "(no error)");
    EXPECT_EQ(dev->describe().positions, (std::vector<double>{3, -15}));

    dev->setProperty(QStringLiteral("velocity_x"), 7);
    EXPECT_EQ(dev->describe().values.value(QStringLiteral("velocity_x")).toDouble(), 7.0);
    EXPECT_NE(errorOf([] {
                  make(QStringLiteral("s"), QStringLiteral("sim.xy_stage"),
                       {{QStringLiteral("min"), QVariantList{1, 2, 3}}}, nullptr);
              }),
              "(no error)");
}
