// The GUI thread never blocks: results and log lines reach it bounded and coalesced however
// far behind it is, plan files are read off it, and closing never waits long for a stuck engine.
#include "UiTestSupport.h"

#include "ui/plots/DetectorView.h"
#include "ui/plots/PlotPanel.h"
#include "ui/window/LogDock.h"
#include "ui/window/PlanEditor.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QTimer>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace acquila;
using namespace acquila::test;
using namespace std::chrono;

namespace {

/** Measures the GUI event loop's responsiveness: the longest gap between ticks of a 10 ms timer. */
class LagProbe {
public:
    LagProbe() {
        timer_.setInterval(10);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            if (last_.isValid()) maxGapMs_ = std::max(maxGapMs_, last_.restart());
            else last_.start();
        });
        timer_.start();
    }
    qint64 maxGapMs() const { return maxGapMs_; }

private:
    QTimer timer_;
    QElapsedTimer last_;
    qint64 maxGapMs_ = 0;
};

/** Keeps the GUI thread busy for `ms`, like a slow plot or a loaded machine. */
void busy(int ms) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
    }
}

std::vector<pid_t> storagePids(const std::vector<engine::WorkerStatus>& workers) {
    std::vector<pid_t> out;
    for (const auto& w : workers)
        if (w.role == QLatin1String("storage") && w.pid > 0) out.push_back(static_cast<pid_t>(w.pid));
    return out;
}

}  // namespace

class ThreadsTest : public UiFixture {};

TEST_F(ThreadsTest, ResultsReachASlowWindowWithoutQueueingBehindIt) {
    auto w = makeWindow(2, false);
    // Every delivery costs 30 ms: at the manager's ~60 batches a second the GUI thread is
    // nearly twice too slow; results must be merged, not queued one event each.
    int deliveries = 0;
    QObject::connect(w->engine(), &engine::Engine::resultsReady, w.get(), [&] {
        ++deliveries;
        busy(30);
    });
    const plan::Plan p = planJson(R"({"version":1,"name":"lag","scan":{"type":"linear"},
        "axes":[{"device":"motor","start":0,"stop":10,"steps":3000}],"detectors":["diode"],"exposure_s":0.002})");
    QString error;
    LagProbe probe;
    ASSERT_TRUE(w->startPlan(p, &error)) << error.toStdString();
    ASSERT_TRUE(waitUntil([&] { return w->lastFinished().runId != 0; }, seconds(120)));
    EXPECT_EQ(w->lastFinished().status, model::RunStatus::Completed) << w->lastFinished().reason.toStdString();
    // Merged, not dropped: the GUI fell behind by far less than the display budget.
    EXPECT_EQ(w->plots()->view(QStringLiteral("diode"))->pointsShown(), 3000);
    EXPECT_GT(deliveries, 0);
    std::printf("results: %d deliveries, longest event-loop gap %lld ms\n", deliveries, static_cast<long long>(probe.maxGapMs()));
    EXPECT_LT(probe.maxGapMs(), 1000) << "the event loop stalled behind queued results";
    closeWindow(*w);
}

TEST_F(ThreadsTest, LogFloodIsBoundedAndSaysWhatItDropped) {
    auto w = makeWindow(1, false);
    // Silence the console for the flood; the window's sink is the one under test.
    auto& sinks = spdlog::default_logger()->sinks();
    std::vector<spdlog::level::level_enum> levels;
    for (size_t i = 0; i + 1 < sinks.size(); ++i) {
        levels.push_back(sinks[i]->level());
        sinks[i]->set_level(spdlog::level::off);
    }
    constexpr int kLines = 300000;
    std::atomic<bool> done{false};
    LagProbe probe;
    std::thread flood([&] {
        for (int i = 0; i < kLines; ++i) spdlog::info("[flood] line {}", i);
        done = true;
    });
    const bool noted = waitUntil([&] {
        if (!done) return false;
        const QStringList lines = w->logDock()->visibleLines();
        return !lines.isEmpty() && lines.filter(QStringLiteral("log lines dropped")).size() > 0;
    }, seconds(120));
    flood.join();
    for (size_t i = 0; i < levels.size(); ++i) sinks[i]->set_level(levels[i]);
    EXPECT_TRUE(noted) << "no \"log lines dropped\" line after a flood of " << kLines;
    EXPECT_LT(w->logDock()->lineCount(), kLines / 2) << "the flood was not bounded";
    std::printf("log flood: %d lines kept of %d, longest event-loop gap %lld ms\n", w->logDock()->lineCount(), kLines,
                static_cast<long long>(probe.maxGapMs()));
    EXPECT_LT(probe.maxGapMs(), 1000) << "the event loop stalled behind queued log lines";
    closeWindow(*w);
}

TEST_F(ThreadsTest, DestroyingTheWindowDoesNotWaitLongForAStuckEngine) {
    // A stopped storage worker is not declared dead for a minute, and closing the file may take
    // 30 s: a shutdown would take that long.
    auto w = makeWindow(1, true, [](engine::EngineConfig& c) {
        c.heartbeatTimeoutMs = 60000;
        c.closeTimeoutMs = 30000;
    });
    std::vector<engine::WorkerStatus> workers;
    QObject::connect(w->engine(), &engine::Engine::workersChanged, [&](const std::vector<engine::WorkerStatus>& s) { workers = s; });
    const plan::Plan p = planJson(R"({"version":1,"name":"stuck","scan":{"type":"linear"},
        "axes":[{"device":"motor","start":0,"stop":10,"steps":2000}],"detectors":["diode"],"exposure_s":0.01})");
    QString error;
    ASSERT_TRUE(w->startPlan(p, &error)) << error.toStdString();
    ASSERT_TRUE(waitUntil([&] { return w->lastProgress().done > 10 && !storagePids(workers).empty(); }, seconds(60)));
    const pid_t storage = storagePids(workers).front();
    ASSERT_EQ(::kill(storage, SIGSTOP), 0);  // the file can no longer be closed: shutdown cannot finish

    QElapsedTimer t;
    t.start();
    w.reset();
    const qint64 ms = t.elapsed();
    std::printf("window with a stuck engine destroyed in %lld ms\n", static_cast<long long>(ms));
    EXPECT_LT(ms, 8000) << "the window waited " << ms << " ms for the engine (bound: shutdown "
                        << engine::Engine::kExitShutdownWaitMs << " ms + thread " << engine::Engine::kExitThreadWaitMs << " ms)";
    ::kill(storage, SIGCONT);
    EXPECT_TRUE(waitUntil([&] { return ::kill(storage, 0) != 0; }, seconds(20))) << "the storage worker outlived the window";
}

TEST_F(ThreadsTest, PlanFilesAreReadOffTheGuiThread) {
    auto w = makeWindow(1, false);
    // A named pipe: opening it blocks until the test writes the plan.
    const QString fifo = dataDir_.filePath(QStringLiteral("plan.json"));
    ASSERT_EQ(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    std::mutex m;
    std::condition_variable cv;
    bool go = false;
    std::thread writer([&] {
        {
            // Without a go within 10 s the GUI thread is the reader, blocked in open(): unblock it.
            std::unique_lock lock(m);
            cv.wait_for(lock, seconds(10), [&] { return go; });
        }
        const int fd = ::open(QFile::encodeName(fifo).constData(), O_WRONLY);
        const QByteArray plan = R"({"version":1,"name":"from-a-pipe","scan":{"type":"linear"},
            "axes":[{"device":"motor","start":0,"stop":1,"steps":3}],"detectors":["diode"]})";
        if (fd >= 0) {
            [[maybe_unused]] const auto n = ::write(fd, plan.constData(), static_cast<size_t>(plan.size()));
            ::close(fd);
        }
    });
    QString loadedError = QStringLiteral("(not loaded)");
    QObject::connect(w->planEditor(), &ui::window::PlanEditor::fileLoaded, [&](const QString&, const QString& e) { loadedError = e; });
    QElapsedTimer t;
    t.start();
    w->planEditor()->loadFile(fifo);
    const qint64 ms = t.elapsed();
    {
        std::lock_guard lock(m);
        go = true;
    }
    cv.notify_all();
    EXPECT_LT(ms, 2000) << "loadFile blocked the GUI thread for " << ms << " ms";
    EXPECT_TRUE(waitUntil([&] { return loadedError.isEmpty(); }, seconds(30))) << loadedError.toStdString();
    writer.join();
    EXPECT_EQ(w->planEditor()->nameEdit()->text(), QStringLiteral("from-a-pipe"));
    closeWindow(*w);
}

TEST_F(ThreadsTest, APlanWhoseCsvCannotBeReadShowsTheErrorUnderTheForm) {
    auto w = makeWindow(1, false);
    const QString path = dataDir_.filePath(QStringLiteral("list.json"));
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"version":1,"name":"csv-missing","scan":{"type":"list","csv":"missing-points.csv"},
        "axes":[{"device":"motor"}],"detectors":["diode"]})");
    f.close();
    QString error;
    EXPECT_FALSE(loadPlan(*w->planEditor(), path, &error));
    EXPECT_TRUE(error.contains(QStringLiteral("missing-points.csv"))) << error.toStdString();
    EXPECT_EQ(w->planEditor()->errorLabel()->text(), error);
    closeWindow(*w);
}
