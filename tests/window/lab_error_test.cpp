// An invalid lab file: the window refuses it before any worker sees it, shows every problem and stays up.
#include "UiTestSupport.h"

#include "ui/window/UiMain.h"

#include <QFile>

using namespace acquila;
using namespace acquila::test;

class LabErrorWindow : public UiFixture {};

TEST_F(LabErrorWindow, InvalidLabIsShownAndTheWindowStaysUpWithoutDevices) {
    const QString path = dataDir_.filePath(QStringLiteral("lab.json"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"devices": [{"name": "camera", "driver": "sim.camera", "params": {"width": 1e9}},
                            {"name": "diode", "driver": "sim.gaussian", "params": {"axes": ["nosuch"]}}]})");
    f.close();
    if (!qEnvironmentVariableIsSet("ACQUILA_WORKER")) qputenv("ACQUILA_WORKER", ACQUILA_WORKER_EXE);
    QString labError;
    const engine::EngineConfig config = ui::window::windowConfig(path, &labError);
    EXPECT_EQ(labError, path + QStringLiteral(": /devices/0/params/width (camera): 1000000000 is above the maximum 8192\n") + path +
                            QStringLiteral(": /devices/1/params/axes/0 (diode): 'nosuch' is not an axis of this lab (axes: none)"));
    EXPECT_TRUE(config.lab.devices.empty()) << "the refused lab must not reach the workers";

    ui::window::MainWindow w(config);
    w.show();
    w.showProblem(labError);
    ASSERT_TRUE(waitUntil([&] { return w.isReady(); })) << "the window's engine never came up";
    EXPECT_TRUE(w.bannerText().contains(QStringLiteral("/devices/0/params/width (camera)")));
    QString why;
    EXPECT_FALSE(w.startPlan(planFile(QStringLiteral("camera-grid.json")), &why));
    EXPECT_FALSE(w.isShutDown());
    closeWindow(w);
}

TEST_F(LabErrorWindow, TheBuiltInLabIsAccepted) {
    QString labError;
    const engine::EngineConfig config = ui::window::windowConfig(QString(), &labError);
    EXPECT_TRUE(labError.isEmpty()) << labError.toStdString();
    EXPECT_FALSE(config.lab.devices.empty());
}
