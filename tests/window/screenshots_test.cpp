// Screenshots of the main window for the docs: runs only when ACQUILA_SCREENSHOT_DIR is set
// (under `xvfb-run -a`, so fonts and styles render as on a desktop).
#include "UiTestSupport.h"

#include "ui/plots/DetectorView.h"
#include "ui/plots/PlotPanel.h"
#include "ui/window/PlanEditor.h"

#include <QDir>
#include <QPixmap>

using namespace acquila;
using namespace acquila::test;

class ScreenshotTest : public UiFixture {
protected:
    void shoot(const QString& plan, const QString& file, model::RunStatus expected) {
        const QString dir = qEnvironmentVariable("ACQUILA_SCREENSHOT_DIR");
        if (dir.isEmpty()) GTEST_SKIP() << "set ACQUILA_SCREENSHOT_DIR to write screenshots";
        auto w = makeWindow(2, true);
        QString error;
        ASSERT_TRUE(loadPlan(*w->planEditor(), sourcePath(QStringLiteral("resources/plans/") + plan), &error));
        ASSERT_TRUE(w->startPlan(*w->planEditor()->plan(), &error)) << error.toStdString();
        ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, std::chrono::seconds(60)));
        EXPECT_EQ(w->lastFinished().status, expected);
        // ROI sums come from the thread pool: let them land, then the last replot and the status updates.
        waitUntil([&] {
            for (auto* v : w->plots()->views())
                if (v->roiPending()) return false;
            return true;
        }, std::chrono::seconds(30));
        waitUntil([] { return false; }, std::chrono::milliseconds(300));
        const QString path = QDir(dir).filePath(file);
        ASSERT_TRUE(w->grab().save(path)) << path.toStdString();
        closeWindow(*w);
    }
};

TEST_F(ScreenshotTest, Grid) { shoot(QStringLiteral("grid-stage.json"), QStringLiteral("window-grid.png"), model::RunStatus::Completed); }
TEST_F(ScreenshotTest, Camera) { shoot(QStringLiteral("camera-grid.json"), QStringLiteral("window-camera.png"), model::RunStatus::Completed); }
TEST_F(ScreenshotTest, Failed) { shoot(QStringLiteral("fault-crash.json"), QStringLiteral("window-failed.png"), model::RunStatus::Failed); }
