// The devices dock's "Set now", its moves and its monitors, offscreen on real workers.
#include "UiTestSupport.h"

#include "ui/window/DevicesDock.h"
#include "ui/window/RunControls.h"

#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>

using namespace acquila;
using namespace acquila::test;

namespace {
/** The described value of a property (what the engine last heard from worker 0). */
QVariant described(const ui::window::MainWindow& w, const QString& device, const QString& id) {
    for (const auto& d : w.engine()->devices())
        if (d.name == device) return d.values.value(id);
    return {};
}

/** Measures the GUI thread's longest stall while it lives: a 10 ms timer that notes how late it fires. */
struct LagProbe {
    LagProbe() {
        clock.start();
        timer.setInterval(10);
        QObject::connect(&timer, &QTimer::timeout, [this] {
            const qint64 now = clock.elapsed();
            maxLag = std::max(maxLag, now - last - 10);
            last = now;
        });
        last = clock.elapsed();
        timer.start();
    }
    QElapsedTimer clock;
    QTimer timer;
    qint64 last = 0;
    qint64 maxLag = 0;
};
}  // namespace

class DevicesDockTest : public UiFixture {};

TEST_F(DevicesDockTest, SetNowAppliesTheEditorsValueAndShowsTheResult) {
    auto w = makeWindow(2, false);
    ui::window::DevicesDock* dock = w->devicesDock();
    auto* background = qobject_cast<QDoubleSpinBox*>(dock->propertyEditor(QStringLiteral("diode"), QStringLiteral("background")));
    QToolButton* set = dock->setNowButton(QStringLiteral("diode"), QStringLiteral("background"));
    ASSERT_NE(background, nullptr);
    ASSERT_NE(set, nullptr);
    EXPECT_EQ(dock->setNowButton(QStringLiteral("camera"), QStringLiteral("width")), nullptr) << "a read-only property has no Set now";
    background->setValue(5);
    set->click();
    ASSERT_TRUE(waitUntil([&] { return dock->resultText() == QLatin1String("diode.background = 5 counts"); }))
        << dock->resultText().toStdString();
    EXPECT_TRUE(waitUntil([&] { return described(*w, QStringLiteral("diode"), QStringLiteral("background")).toDouble() == 5; }));
    // The dock's move goes the same way and shows the position read back.
    dock->targetBox(QStringLiteral("motor"))->setValue(12.5);
    dock->moveButton(QStringLiteral("motor"))->click();
    ASSERT_TRUE(waitUntil([&] { return dock->resultText() == QLatin1String("motor = 12.5 mm"); })) << dock->resultText().toStdString();
    EXPECT_TRUE(waitUntil([&] { return dock->positionText(QStringLiteral("motor")) == QLatin1String("12.500 mm"); }));
    closeWindow(*w);
}

TEST_F(DevicesDockTest, AHangingSetShowsTheErrorAndTheWindowNeverWaits) {
    auto w = makeWindow(1, false, [](engine::EngineConfig& c) {
        for (auto& d : c.lab.devices)
            if (d.name == QLatin1String("fault")) d.params = {{QStringLiteral("mode"), QStringLiteral("hang_set")}, {QStringLiteral("timeout_s"), 1}};
    });
    ui::window::DevicesDock* dock = w->devicesDock();
    auto* atPoint = qobject_cast<QSpinBox*>(dock->propertyEditor(QStringLiteral("fault"), QStringLiteral("at_point")));
    ASSERT_NE(atPoint, nullptr);
    atPoint->setValue(3);
    LagProbe probe;
    dock->setNowButton(QStringLiteral("fault"), QStringLiteral("at_point"))->click();
    EXPECT_TRUE(dock->resultText().startsWith(QLatin1String("Setting fault.at_point to 3"))) << dock->resultText().toStdString();
    ASSERT_TRUE(waitUntil([&] { return dock->resultText().startsWith(QLatin1String("cannot set fault.at_point to 3: ")); }))
        << dock->resultText().toStdString();
    EXPECT_TRUE(dock->resultText().contains(QLatin1String("device 'fault' did not complete set property within 1 s"))) << dock->resultText().toStdString();
    EXPECT_LT(probe.maxLag, 500) << "the GUI thread stalled " << probe.maxLag << " ms while the device hung";
    std::printf("max event-loop lag while the set hung: %lld ms\n", static_cast<long long>(probe.maxLag));
    // The worker comes back and the window goes on.
    ASSERT_TRUE(waitUntil([&] { return !w->engine()->devices().empty(); }));
    ASSERT_TRUE(w->startPlan(planJson(R"({"version":1,"name":"after","scan":{"type":"count","points":5},"detectors":["diode"]})")));
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, std::chrono::seconds(30)));
    EXPECT_EQ(w->lastFinished().status, model::RunStatus::Completed) << w->lastFinished().reason.toStdString();
    closeWindow(*w);
}

TEST_F(DevicesDockTest, MonitoredValuesFollowTheDeviceWhileIdleAndSetNowIsDisabledDuringARun) {
    auto w = makeWindow(1, false, [](engine::EngineConfig& c) { c.lab.monitorIntervalS = 0.1; });
    ui::window::DevicesDock* dock = w->devicesDock();
    auto* temperature = qobject_cast<QDoubleSpinBox*>(dock->propertyEditor(QStringLiteral("camera"), QStringLiteral("sensor_temp")));
    ASSERT_NE(temperature, nullptr);
    // Described once at -20.000 °C when the camera opened; only the monitors show it drift.
    EXPECT_TRUE(waitUntil([&] { return temperature->value() != -20.0; }, std::chrono::seconds(5))) << temperature->value();
    // During a run the moves and sets are disabled.
    ASSERT_TRUE(w->startPlan(planJson(R"({"version":1,"name":"slow","scan":{"type":"count","points":400},"detectors":["diode"],"exposure_s":0.01})")));
    EXPECT_FALSE(dock->setNowButton(QStringLiteral("diode"), QStringLiteral("background"))->isEnabled());
    EXPECT_FALSE(dock->moveButton(QStringLiteral("motor"))->isEnabled());
    w->engine()->stop();
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, std::chrono::seconds(30)));
    EXPECT_TRUE(dock->setNowButton(QStringLiteral("diode"), QStringLiteral("background"))->isEnabled());
    closeWindow(*w);
}
