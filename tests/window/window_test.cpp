// The main window driven like a user would, on a real engine with real worker processes.
#include "UiTestSupport.h"

#include "ui/plots/DetectorView.h"
#include "ui/plots/LinePlot.h"
#include "ui/plots/MapPlot.h"
#include "ui/plots/PlotPanel.h"
#include "ui/window/PlanEditor.h"
#include "ui/window/RunControls.h"
#include "ui/window/StatusPanel.h"

#include <QAction>
#include <QFileInfo>
#include <QApplication>
#include <QKeyEvent>
#include <unistd.h>

using namespace acquila;
using namespace acquila::test;

namespace {
// Slow enough to act on mid-run: 400 points with a settle time each.
const QByteArray kSlowPlan = R"({"version":1,"name":"slow-line","scan":{"type":"linear"},
    "axes":[{"device":"motor","start":-50,"stop":50,"steps":400}],"detectors":["diode"],"settle_s":0.01})";

qint64 shown(ui::window::MainWindow& w, const QString& det) {
    ui::plots::DetectorView* v = w.plots()->view(det);
    return v ? v->pointsShown() : -1;
}
}  // namespace

class WindowTest : public UiFixture {};

TEST_F(WindowTest, GridScanFillsTheColourMapAndCompletes) {
    auto w = makeWindow();
    QString error;
    ASSERT_TRUE(loadPlan(*w->planEditor(), sourcePath(QStringLiteral("resources/plans/grid-stage.json")), &error))
        << error.toStdString();
    ASSERT_TRUE(w->runControls()->startAction()->isEnabled());
    w->runControls()->startAction()->trigger();
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, std::chrono::seconds(60)));
    const engine::RunProgress done = w->lastFinished();
    EXPECT_EQ(done.status, model::RunStatus::Completed) << done.reason.toStdString();
    ui::plots::DetectorView* v = w->plots()->view(QStringLiteral("spot"));
    ASSERT_NE(v, nullptr);
    ASSERT_NE(v->map(), nullptr) << "a 2D grid must show a colour map";
    EXPECT_EQ(v->map()->buffer().nx(), 41);
    EXPECT_EQ(v->map()->buffer().ny(), 31);
    EXPECT_EQ(v->map()->buffer().filled(), 31 * 41);
    EXPECT_GT(v->map()->buffer().max(), v->map()->buffer().min());
    EXPECT_TRUE(w->runControls()->statusText().contains(QStringLiteral("Completed")));
    if (done.filePath.isEmpty()) {
        std::printf("note: RunProgress.filePath is empty (storage not wired yet); file check skipped\n");
    } else {
        EXPECT_TRUE(QFileInfo::exists(done.filePath)) << done.filePath.toStdString();
        EXPECT_EQ(w->statusPanel()->file(), done.filePath);
    }
    closeWindow(*w);
}

TEST_F(WindowTest, PauseHoldsPointsAndResumeCompletes) {
    auto w = makeWindow();
    ui::window::RunControls* rc = w->runControls();
    ASSERT_TRUE(w->startPlan(planJson(kSlowPlan)));
    ASSERT_TRUE(waitUntil([&] { return shown(*w, QStringLiteral("diode")) > 20; }, std::chrono::seconds(30)));
    ASSERT_TRUE(rc->pauseAction()->isEnabled());
    EXPECT_EQ(rc->pauseAction()->text(), QStringLiteral("Pause"));
    rc->pauseAction()->trigger();
    ASSERT_TRUE(waitUntil([&] { return rc->state() == model::RunState::Paused && w->lastProgress().inFlight == 0; },
                          std::chrono::seconds(20)));
    EXPECT_EQ(rc->pauseAction()->text(), QStringLiteral("Resume"));
    EXPECT_FALSE(rc->startAction()->isEnabled());
    // Let anything already queued arrive, then no new point may appear while paused.
    waitUntil([] { return false; }, std::chrono::milliseconds(200));
    const qint64 held = shown(*w, QStringLiteral("diode"));
    EXPECT_FALSE(waitUntil([&] { return shown(*w, QStringLiteral("diode")) != held; }, std::chrono::milliseconds(600)))
        << "points arrived while paused";
    EXPECT_LT(held, 400);
    rc->pauseAction()->trigger();
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, std::chrono::seconds(60)));
    EXPECT_EQ(w->lastFinished().status, model::RunStatus::Completed);
    EXPECT_EQ(shown(*w, QStringLiteral("diode")), 400);
    EXPECT_EQ(w->plots()->view(QStringLiteral("diode"))->line()->pointCount(), 400);
    closeWindow(*w);
}

struct CancelCase {
    bool abort;
    bool shortcut;
};

class CancelTest : public UiFixture, public ::testing::WithParamInterface<CancelCase> {};

TEST_P(CancelTest, EndsWithTheRightStatus) {
    const CancelCase c = GetParam();
    auto w = makeWindow();
    ui::window::RunControls* rc = w->runControls();
    ASSERT_TRUE(w->startPlan(planJson(kSlowPlan)));
    ASSERT_TRUE(waitUntil([&] { return shown(*w, QStringLiteral("diode")) > 10 && rc->state() == model::RunState::Running; },
                          std::chrono::seconds(30)));
    EXPECT_TRUE(rc->stopAction()->isEnabled());
    EXPECT_TRUE(rc->abortAction()->isEnabled());
    EXPECT_FALSE(rc->startAction()->isEnabled());
    if (c.shortcut) {
        // A non-spontaneous key press goes through the application's shortcut map, as a typed key does.
        w->activateWindow();
        ASSERT_TRUE(waitUntil([&] { return QApplication::activeWindow() == w.get(); }, std::chrono::seconds(5)));
        QKeyEvent press(QEvent::KeyPress, Qt::Key_Escape, c.abort ? Qt::ShiftModifier : Qt::NoModifier);
        QApplication::sendEvent(w.get(), &press);
    } else {
        (c.abort ? rc->abortAction() : rc->stopAction())->trigger();
    }
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, std::chrono::seconds(30)));
    EXPECT_EQ(w->lastFinished().status, c.abort ? model::RunStatus::Aborted : model::RunStatus::Stopped);
    EXPECT_LT(w->lastFinished().done, 400);
    EXPECT_TRUE(rc->startAction()->isEnabled());
    EXPECT_FALSE(rc->stopAction()->isEnabled() || rc->abortAction()->isEnabled() || rc->pauseAction()->isEnabled());
    EXPECT_TRUE(rc->statusText().contains(c.abort ? QStringLiteral("Aborted") : QStringLiteral("Stopped")));
    closeWindow(*w);
}

INSTANTIATE_TEST_SUITE_P(Window, CancelTest,
                         ::testing::Values(CancelCase{false, false}, CancelCase{true, false}, CancelCase{false, true},
                                           CancelCase{true, true}),
                         [](const auto& info) {
                             return std::string(info.param.abort ? "Abort" : "Stop") + (info.param.shortcut ? "Shortcut" : "Toolbar");
                         });

TEST_F(WindowTest, FaultCrashShowsTheReasonAndTheNextRunSucceeds) {
    auto w = makeWindow();
    ASSERT_TRUE(w->startPlan(planFile(QStringLiteral("fault-crash.json"))));
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, std::chrono::seconds(60)));
    const engine::RunProgress failed = w->lastFinished();
    EXPECT_EQ(failed.status, model::RunStatus::Failed);
    EXPECT_FALSE(failed.reason.isEmpty());
    EXPECT_TRUE(w->runControls()->statusText().contains(failed.reason)) << w->runControls()->statusText().toStdString();
    EXPECT_TRUE(w->runControls()->statusText().contains(QStringLiteral("Failed")));
    EXPECT_TRUE(w->bannerText().contains(failed.reason)) << w->bannerText().toStdString();
    const quint64 firstRun = failed.runId;
    ASSERT_TRUE(w->startPlan(planFile(QStringLiteral("linear-motor.json"))));
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != firstRun; }, std::chrono::seconds(60)));
    EXPECT_EQ(w->lastFinished().status, model::RunStatus::Completed) << w->lastFinished().reason.toStdString();
    EXPECT_EQ(shown(*w, QStringLiteral("diode")), 101);
    EXPECT_TRUE(w->bannerText().isEmpty());
    closeWindow(*w);
}

TEST_F(WindowTest, ClosingMidRunLeavesNoWorkerProcess) {
    auto w = makeWindow();
    ASSERT_TRUE(w->startPlan(planJson(kSlowPlan)));
    ASSERT_TRUE(waitUntil([&] { return shown(*w, QStringLiteral("diode")) > 5; }, std::chrono::seconds(30)));
    ASSERT_FALSE(childPids(getpid()).empty());
    bool asked = false;
    w->setCloseQuestion([&] {
        asked = true;
        return ui::window::MainWindow::CloseChoice::Stop;
    });
    w->close();
    EXPECT_TRUE(asked);
    ASSERT_TRUE(waitUntil([&] { return w->isShutDown() && !w->isVisible(); }, std::chrono::seconds(30)));
    EXPECT_EQ(w->lastFinished().status, model::RunStatus::Stopped);
    EXPECT_TRUE(waitUntil([] { return childPids(getpid()).empty(); }, std::chrono::seconds(10)))
        << childPids(getpid()).size() << " worker processes left";
}

TEST_F(WindowTest, EventLoopStaysResponsiveDuringAFastRun) {
    auto w = makeWindow(2);
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.elapsed(), maxLag = 0;
    QTimer probe;
    probe.setInterval(10);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        maxLag = std::max(maxLag, now - last - 10);
        last = now;
    });
    ASSERT_TRUE(w->startPlan(planJson(R"({"version":1,"name":"fast-grid","scan":{"type":"grid"},
        "axes":[{"device":"stage.y","start":-100,"stop":100,"steps":200},{"device":"stage.x","start":-100,"stop":100,"steps":200}],
        "detectors":["spot","diode"]})")));
    probe.start();
    last = clock.elapsed();
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, std::chrono::seconds(120)));
    probe.stop();
    EXPECT_EQ(w->lastFinished().status, model::RunStatus::Completed);
    EXPECT_EQ(w->plots()->view(QStringLiteral("spot"))->map()->buffer().filled(), 200 * 200);
    EXPECT_LT(maxLag, 1000) << "GUI event loop blocked for " << maxLag << " ms";
    std::printf("max event-loop lag during the run: %lld ms\n", static_cast<long long>(maxLag));
    closeWindow(*w);
}
