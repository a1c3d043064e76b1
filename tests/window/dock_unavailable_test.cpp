// The Devices dock with devices a worker could not use: they are listed under
// "Unavailable" with the reason (which names the plugin file), and nothing of them
// (no editor, no move button) is offered. Offscreen; set ACQUILA_SHOT to save a picture.
#include "ui/window/DevicesDock.h"

#include <QApplication>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <gtest/gtest.h>

using namespace acquila;

namespace {

QApplication& app() {
    static int argc = 1;
    static char name[] = "dock_unavailable_test";
    static char* argv[] = {name, nullptr};
    static auto* a = new QApplication(argc, argv);
    return *a;
}

QTreeWidgetItem* topLevel(QTreeWidget* tree, const QString& text) {
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        if (tree->topLevelItem(i)->text(0) == text) return tree->topLevelItem(i);
    return nullptr;
}

TEST(DevicesDock, UnavailableDevicesAreListedWithTheirReasonAndOfferNothing) {
    app();
    ui::window::DevicesDock dock;
    model::DeviceDescription motor;
    motor.name = QStringLiteral("motor");
    motor.driver = QStringLiteral("sim.motor");
    motor.kind = model::DeviceKind::Actuator;
    motor.axes.push_back({QStringLiteral("motor"), QStringLiteral("mm"), -10, 10});
    motor.positions.push_back(1.5);
    const QString why = QStringLiteral("no plugin provides driver 'acme.laser'; 1 plugin(s) failed to load: plugin /opt/acme/laser.so was built "
                                       "for plugin interface 2, but this Acquila 0.1.0 provides plugin interface 1");
    auto laser = model::DeviceDescription::unavailableDevice(QStringLiteral("laser"), QStringLiteral("acme.laser"), why);
    laser.kind = model::DeviceKind::Actuator;  // a kind the worker could not know must not put it among the usable ones
    dock.setDevices({motor, laser});
    dock.resize(520, 420);
    dock.show();

    auto* tree = dock.findChild<QTreeWidget*>();
    ASSERT_TRUE(tree);
    QTreeWidgetItem* actuators = topLevel(tree, QStringLiteral("Actuators"));
    ASSERT_TRUE(actuators);
    ASSERT_EQ(actuators->childCount(), 1);
    EXPECT_EQ(actuators->child(0)->text(0), QStringLiteral("motor"));

    QTreeWidgetItem* unavailable = topLevel(tree, QStringLiteral("Unavailable"));
    ASSERT_TRUE(unavailable) << "no Unavailable group";
    ASSERT_EQ(unavailable->childCount(), 1);
    QTreeWidgetItem* item = unavailable->child(0);
    EXPECT_EQ(item->text(0), QStringLiteral("laser"));
    EXPECT_EQ(item->text(1), QStringLiteral("acme.laser"));
    EXPECT_EQ(item->toolTip(0), why);
    ASSERT_EQ(item->childCount(), 1);
    auto* label = qobject_cast<QLabel*>(tree->itemWidget(item->child(0), 0));
    ASSERT_TRUE(label);
    EXPECT_EQ(label->text(), why);
    // One Move button: the motor's; the laser offers nothing.
    EXPECT_EQ(dock.findChildren<QPushButton*>().size(), 1);

    if (const QByteArray shot = qgetenv("ACQUILA_SHOT"); !shot.isEmpty()) dock.grab().save(QString::fromLocal8Bit(shot));

    // Once the plugin is fixed, the worker describes it and the group goes away.
    model::DeviceDescription fixed = motor;
    fixed.name = QStringLiteral("laser");
    fixed.driver = QStringLiteral("acme.laser");
    fixed.axes = {{QStringLiteral("laser"), QStringLiteral("nm"), 400, 800}};
    dock.setDevices({motor, fixed});
    EXPECT_FALSE(topLevel(tree, QStringLiteral("Unavailable")));
    EXPECT_EQ(topLevel(tree, QStringLiteral("Actuators"))->childCount(), 2);
}

}  // namespace
