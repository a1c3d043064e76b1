// Fault matrix, window cases: the main window offscreen on real workers, at the
// middle of a run. The window stays up, shows the terminal status with its
// reason, the file agrees, the next run completes, and closing leaves nothing.
// docs/reliability.md states the expected behaviour.
#include "support/FaultMatrix.h"
#include "window/UiTestSupport.h"

#include "ui/window/RunControls.h"

#include <QAction>

using namespace acquila;
using namespace acquila::test;
using namespace acquila::test::fault;

namespace {

constexpr auto kBound = std::chrono::seconds(15);
const PlanSpec kSlow = planSpec(Speed::Slow);

class Window : public UiFixture {
protected:
    /** Starts the slow plan (with `faultProps`) and waits until a device worker reaches point p. */
    const WorkerProc* startAndReach(ui::window::MainWindow& w, const QByteArray& faultProps, qint64 p) {
        EXPECT_TRUE(w.startPlan(planJson(fault::planJson(kSlow, faultProps))));
        EXPECT_TRUE(waitUntil([&] {
            workers_.clear();
            for (const WorkerProc& x : workerProcs(::getpid())) {
                workers_.push_back(x);
                pids_.insert(x.pid);
                if (runtimeDir_.isEmpty()) runtimeDir_ = QFileInfo(x.socket).path();
            }
            for (const WorkerProc& x : workers_)
                if (x.role == QLatin1String("device") && blackBoxPoint(x.box) >= p) return true;
            return w.lastFinished().runId != 0;
        }, std::chrono::seconds(30)));
        for (const WorkerProc& x : workers_)
            if (x.role == QLatin1String("device") && blackBoxPoint(x.box) >= p) return &x;
        return nullptr;
    }

    /** Waits for the terminal status: the window is still up and shows it. */
    engine::RunProgress waitFinished(ui::window::MainWindow& w, model::RunStatus expected) {
        QElapsedTimer t;
        t.start();
        EXPECT_TRUE(waitUntil([&] { return w.lastFinished().runId != 0; }, kBound)) << "the run did not end within " << kBound.count() << " s";
        const engine::RunProgress r = w.lastFinished();
        seconds_ = t.elapsed() / 1000.0;
        EXPECT_EQ(r.status, expected) << r.reason.toStdString();
        EXPECT_TRUE(w.isVisible() && !w.isShutDown()) << "the window went down";
        EXPECT_TRUE(w.runControls()->statusText().contains(QLatin1String(model::runStatusName(r.status)), Qt::CaseInsensitive))
            << w.runControls()->statusText().toStdString();
        return r;
    }

    /** The file the window names exists and its status agrees; every point below p is in it once. */
    FileReport expectFile(const engine::RunProgress& r, qint64 p) {
        EXPECT_TRUE(QFileInfo::exists(r.filePath)) << "the file the window names does not exist: " << r.filePath.toStdString();
        const FileReport f = checkFile(r.filePath);
        EXPECT_TRUE(f.ok) << f.error.toStdString();
        // A storage worker killed mid-run cannot write the end status: the window then says the file still reads "running".
        if (f.status == QLatin1String("running") && r.status == model::RunStatus::Failed) {
            EXPECT_TRUE(r.reason.contains(QLatin1String("keeps status 'running'"))) << r.reason.toStdString();
        } else {
            EXPECT_EQ(f.status.toStdString(), model::runStatusName(r.status));
        }
        const std::set<qint64> unique(f.stored.begin(), f.stored.end());
        EXPECT_EQ(unique.size(), f.stored.size()) << "a point is stored twice";
        EXPECT_TRUE(f.nanPoints.empty());
        expectPointsBelow(f, p);
        return f;
    }

    /** A next run completes in the same window; closing it leaves no worker and no runtime directory. */
    void expectNextRunAndClose(ui::window::MainWindow& w) {
        const qint64 before = static_cast<qint64>(w.lastFinished().runId);
        ASSERT_TRUE(w.startPlan(planJson(fault::planJson({20, 0}))));
        ASSERT_TRUE(waitUntil([&] { return static_cast<qint64>(w.lastFinished().runId) != before; }, std::chrono::seconds(30)));
        EXPECT_EQ(w.lastFinished().status, model::RunStatus::Completed) << w.lastFinished().reason.toStdString();
        for (const WorkerProc& x : workerProcs(::getpid())) pids_.insert(x.pid);
        closeWindow(w);
        EXPECT_TRUE(waitUntil([&] { return std::none_of(pids_.begin(), pids_.end(), processAlive); }, std::chrono::seconds(5)));
        EXPECT_FALSE(runtimeDir_.isEmpty());
        EXPECT_FALSE(QFileInfo::exists(runtimeDir_)) << "left behind: " << runtimeDir_.toStdString();
    }

    std::vector<WorkerProc> workers_;
    std::set<qint64> pids_;
    QString runtimeDir_;
    double seconds_ = 0;
};

}  // namespace

TEST_F(Window, FaultDeviceCrash_Middle_Slow) {
    auto w = makeWindow();
    const qint64 p = faultPoint(Where::Middle, kSlow);
    startAndReach(*w, R"({"mode": "crash", "at_point": )" + QByteArray::number(p) + "}", p);
    const auto r = waitFinished(*w, model::RunStatus::Failed);
    expectReasonNames(r.reason, {QStringLiteral("'fault'"), QStringLiteral("at point %1").arg(p), QStringLiteral("worker")});
    const FileReport f = expectFile(r, p);
    EXPECT_EQ(static_cast<qint64>(f.stored.size()), r.done);
    expectNextRunAndClose(*w);
    record(QStringLiteral("window crash"), QLatin1String(model::runStatusName(r.status)), p, lostBelow(f, p), seconds_);
}

TEST_F(Window, DeviceWorkerSigkill_Middle_Slow) {
    auto w = makeWindow();
    const qint64 p = faultPoint(Where::Middle, kSlow);
    const WorkerProc* victim = startAndReach(*w, {}, p);
    ASSERT_NE(victim, nullptr);
    const int id = victim->id;
    ::kill(static_cast<pid_t>(victim->pid), SIGKILL);
    const auto r = waitFinished(*w, model::RunStatus::Failed);
    expectReasonNames(r.reason, {QStringLiteral("worker %1").arg(id), QStringLiteral("signal 9")});
    EXPECT_FALSE(r.reason.contains(QLatin1String("crashed"))) << "an outside signal is not a device crash: " << r.reason.toStdString();
    const qint64 q = reasonPoint(r.reason);
    EXPECT_GE(q, p);
    const FileReport f = expectFile(r, std::max(p, q));
    expectNextRunAndClose(*w);
    record(QStringLiteral("window worker SIGKILL"), QLatin1String(model::runStatusName(r.status)), p, lostBelow(f, std::max(p, q)), seconds_);
}

TEST_F(Window, StorageWorkerSigkill_Middle_Slow) {
    auto w = makeWindow();
    const qint64 p = faultPoint(Where::Middle, kSlow);
    ASSERT_NE(startAndReach(*w, {}, p), nullptr);
    qint64 storagePid = 0;
    for (const WorkerProc& x : workers_)
        if (x.role == QLatin1String("storage")) storagePid = x.pid;
    ASSERT_GT(storagePid, 0);
    ::kill(static_cast<pid_t>(storagePid), SIGKILL);
    const auto r = waitFinished(*w, model::RunStatus::Failed);
    expectReasonNames(r.reason, {QStringLiteral("storage worker"), QStringLiteral("signal 9"), QStringLiteral("keeps every point up to the last flush")});
    EXPECT_TRUE(r.filePath.endsWith(QLatin1String(".h5"))) << "not sealed by the next storage worker: " << r.filePath.toStdString();
    expectFile(r, 0);
    expectNextRunAndClose(*w);
    record(QStringLiteral("window storage SIGKILL"), QLatin1String(model::runStatusName(r.status)), p, -1, seconds_);
}

// The window's own buttons, back to back, right after a crash at the middle
// point (the worker is respawning): the run stays failed and ends in the bound.
TEST_F(Window, ControlsDuringRespawn_Middle_Slow) {
    auto w = makeWindow();
    const qint64 p = faultPoint(Where::Middle, kSlow);
    startAndReach(*w, R"({"mode": "crash", "at_point": )" + QByteArray::number(p) + "}", p);
    ASSERT_TRUE(waitUntil([&] { return !w->lastProgress().reason.isEmpty() || w->lastFinished().runId != 0; }, kBound));
    ui::window::RunControls* rc = w->runControls();
    for (QAction* a : {rc->pauseAction(), rc->pauseAction(), rc->stopAction(), rc->abortAction(), rc->stopAction()})
        if (a->isEnabled()) a->trigger();
    const auto r = waitFinished(*w, model::RunStatus::Failed);
    expectReasonNames(r.reason, {QStringLiteral("'fault'"), QStringLiteral("at point %1").arg(p)});
    const FileReport f = expectFile(r, p);
    expectNextRunAndClose(*w);
    record(QStringLiteral("window controls"), QLatin1String(model::runStatusName(r.status)), p, lostBelow(f, p), seconds_);
}
