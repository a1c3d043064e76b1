// GUI benchmark: the main window on real workers (offscreen), event-loop lag and
// plot frame rate while (a) the fastest 0D scan and (b) a camera grid scan run
// at full rate, then the replot time of a 10^6-point line and a 1000x1000
// colour map. Prints one JSON document; log lines go to stderr.
// Usage: bench_ui [--points N] [--grid N] [--camera-exposure S] [--workers N] [--probe-ms N] [--replots N] [--no-storage]
//                 [--no-scans] [--no-replot] [--fast-polylines]
#include "BenchSupport.h"
#include "core/engine/Engine.h"
#include "core/plan/Plan.h"
#include "core/util/Logging.h"
#include "ui/plots/DetectorView.h"
#include "ui/plots/LinePlot.h"
#include "ui/plots/PlotCanvas.h"
#include "ui/plots/PlotPanel.h"
#include "ui/window/MainWindow.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <sys/resource.h>

using namespace acquila;

namespace {

struct Options {
    qint64 points = 2000000;
    int grid = 40;
    double cameraExposureS = 0;
    int workers = 0;
    int probeMs = 2;
    int replots = 15;
    bool storage = true;
    bool scans = true;
    bool replot = true;
    bool fastPolylines = false;  // applies QCP::phFastPolylines to the live plots (the suggested fix), for comparison
};

double round2(double x) { return std::round(x * 100) / 100; }


/** Nearest-rank percentile of `v` (sorted in place). */
double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

double median(std::vector<double> v) { return percentile(v, 50); }

double threadCpuS() {
    rusage u{};
    getrusage(RUSAGE_THREAD, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

/**
 * Times every top-level event delivery on the GUI thread, per receiver class and
 * event type, so a long lag can be traced to the handler that caused it.
 */
class TimedApplication : public QApplication {
public:
    using QApplication::QApplication;

    struct Slow {
        double ms;
        QString what;
    };

    bool notify(QObject* receiver, QEvent* event) override {
        if (!recording_ || QThread::currentThread() != thread() || depth_ > 0) return QApplication::notify(receiver, event);
        // Taken before delivery: a DeferredDelete destroys the receiver.
        const char* cls = receiver->metaObject()->className();
        // A timer is named after its owner, which says whose tick it is.
        const char* owner = receiver->parent() && qobject_cast<QTimer*>(receiver) ? receiver->parent()->metaObject()->className() : nullptr;
        const QEvent::Type type = event->type();
        ++depth_;
        QElapsedTimer t;
        t.start();
        const bool r = QApplication::notify(receiver, event);
        const double ms = static_cast<double>(t.nsecsElapsed()) * 1e-6;
        --depth_;
        if (ms >= 1.0) {
            const QString what = QStringLiteral("%1%2 %3")
                                     .arg(QString::fromLatin1(cls),
                                          owner ? QStringLiteral(" of %1").arg(QString::fromLatin1(owner)) : QString(), eventName(type));
            auto& agg = totals_[what];
            agg.first += ms;
            agg.second += 1;
            slow_.push_back({ms, what});
        }
        return r;
    }

    void startRecording() {
        slow_.clear();
        totals_.clear();
        recording_ = true;
    }
    void stopRecording() { recording_ = false; }

    /** The slowest deliveries (≥ 1 ms) and the time per kind, for the JSON. */
    QJsonObject report() const {
        std::vector<Slow> s = slow_;
        std::sort(s.begin(), s.end(), [](const Slow& a, const Slow& b) { return a.ms > b.ms; });
        QJsonArray top;
        for (size_t i = 0; i < std::min<size_t>(8, s.size()); ++i)
            top.append(QStringLiteral("%1 ms %2").arg(round2(s[i].ms)).arg(s[i].what));
        std::vector<std::pair<QString, std::pair<double, int>>> kinds(totals_.begin(), totals_.end());
        std::sort(kinds.begin(), kinds.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
        QJsonObject byKind;
        for (size_t i = 0; i < std::min<size_t>(6, kinds.size()); ++i)
            byKind.insert(kinds[i].first, QStringLiteral("%1 x, %2 ms total").arg(kinds[i].second.second).arg(round2(kinds[i].second.first)));
        return QJsonObject{{QStringLiteral("slowest"), top}, {QStringLiteral("by_kind_total"), byKind},
                           {QStringLiteral("count_over_1ms"), static_cast<qint64>(slow_.size())},
                           {QStringLiteral("count_over_5ms"),
                            static_cast<qint64>(std::count_if(slow_.begin(), slow_.end(), [](const Slow& x) { return x.ms > 5; }))}};
    }

private:
    static QString eventName(QEvent::Type t) {
        switch (t) {
        case QEvent::Timer: return QStringLiteral("Timer");
        case QEvent::MetaCall: return QStringLiteral("MetaCall (queued signal)");
        case QEvent::Paint: return QStringLiteral("Paint");
        case QEvent::UpdateRequest: return QStringLiteral("UpdateRequest");
        case QEvent::LayoutRequest: return QStringLiteral("LayoutRequest");
        case QEvent::Resize: return QStringLiteral("Resize");
        case QEvent::DeferredDelete: return QStringLiteral("DeferredDelete");
        default: return QStringLiteral("event %1").arg(static_cast<int>(t));
        }
    }

    bool recording_ = false;
    int depth_ = 0;
    std::vector<Slow> slow_;
    std::map<QString, std::pair<double, int>> totals_;
};

/** Runs the event loop (a real one, not a busy poll) until `done()` or the timeout. */
bool spinUntil(const std::function<bool()>& done, int timeoutMs) {
    if (done()) return true;
    QEventLoop loop;
    QTimer poll;
    poll.setInterval(20);
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done()) loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    poll.start();
    loop.exec();
    return done();
}

/** A PreciseTimer on the GUI thread; lateness = measured interval − nominal interval. */
class LagProbe {
public:
    explicit LagProbe(int intervalMs) : intervalMs_(intervalMs) {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(intervalMs);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            const qint64 now = clock_.nsecsElapsed();
            lateMs_.push_back(std::max(0.0, static_cast<double>(now - last_) * 1e-6 - intervalMs_));
            last_ = now;
        });
    }
    void start() {
        lateMs_.clear();
        clock_.start();
        last_ = 0;
        timer_.start();
    }
    void stop() { timer_.stop(); }
    std::vector<double> samples() const { return lateMs_; }

private:
    int intervalMs_;
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ = 0;
    std::vector<double> lateMs_;
};

QJsonObject runScenario(TimedApplication& app, ui::window::MainWindow& w, const QByteArray& planJson, const Options& o) {
    auto plan = plan::parsePlan(planJson, QStringLiteral("bench-plan.json"), QString());
    if (!plan.ok()) return {{QStringLiteral("error"), plan.error()}};
    const quint64 before = w.lastFinished().runId;
    const QString loadStart = acquila::bench::loadAverage();
    LagProbe probe(o.probeMs);
    const double cpu0 = threadCpuS();
    QElapsedTimer wall;
    wall.start();
    app.startRecording();
    probe.start();
    QString error;
    if (!w.startPlan(*plan, &error)) return {{QStringLiteral("error"), error}};
    // Every replot of the visible tab's plots, with QCustomPlot's own replot time.
    std::vector<double> liveReplotMs;
    std::map<QString, int> replotsPerCanvas;
    double firstReplotS = -1, lastReplotS = -1;
    auto* view = qobject_cast<ui::plots::DetectorView*>(w.plots()->currentWidget());
    const qint64 frames0 = w.plots()->frames();
    qint64 framesAtFirst = frames0;
    std::vector<QMetaObject::Connection> connections;
    qint64 resultSignals = 0, resultBatches = 0;
    connections.push_back(QObject::connect(w.engine(), &engine::Engine::resultsReady, &w, [&](const engine::BatchListPtr& b) {
        ++resultSignals;
        resultBatches += b ? static_cast<qint64>(b->size()) : 0;
    }));
    if (view && o.fastPolylines)
        for (ui::plots::PlotCanvas* c : view->canvases()) c->setPlottingHint(QCP::phFastPolylines, true);
    if (view) {
        for (ui::plots::PlotCanvas* c : view->canvases())
            connections.push_back(QObject::connect(c, &QCustomPlot::afterReplot, c, [&, c] {
                liveReplotMs.push_back(c->replotTime());
                ++replotsPerCanvas[QString::fromLatin1(c->metaObject()->className())];
                lastReplotS = static_cast<double>(wall.nsecsElapsed()) * 1e-9;
                if (firstReplotS < 0) {
                    firstReplotS = lastReplotS;
                    framesAtFirst = w.plots()->frames();
                }
            }));
    }
    const bool finished = spinUntil([&] { return w.lastFinished().runId != before; }, 100000);
    const double seconds = static_cast<double>(wall.nsecsElapsed()) * 1e-9;
    probe.stop();
    app.stopRecording();
    for (const auto& c : connections) QObject::disconnect(c);
    const double guiCpu = threadCpuS() - cpu0;
    const qint64 frames = w.plots()->frames() - frames0;
    const engine::RunProgress done = w.lastFinished();
    std::vector<double> lag = probe.samples();
    const double p50 = percentile(lag, 50), p99 = percentile(lag, 99), mx = lag.empty() ? 0 : lag.back();
    // Frames per second while data was arriving (first live replot to the run's end): replots of the
    // visible tab's busiest plot, as the user sees them.
    const double fpsWindow = firstReplotS >= 0 ? seconds - firstReplotS : 0;
    int busiest = 0;
    QJsonObject perCanvas;
    for (const auto& [name, n] : replotsPerCanvas) {
        busiest = std::max(busiest, n);
        perCanvas.insert(name, n);
    }
    const double fps = fpsWindow > 0 ? std::max(0, busiest - 1) / fpsWindow : 0;
    const double ticksPerS = fpsWindow > 0 ? static_cast<double>(w.plots()->frames() - framesAtFirst) / fpsWindow : 0;
    std::vector<double> live = liveReplotMs;
    QJsonObject r{
        {QStringLiteral("plan"), QString::fromUtf8(QJsonDocument::fromJson(planJson).toJson(QJsonDocument::Compact))},
        {QStringLiteral("status"), finished ? QString::fromLatin1(model::runStatusName(done.status)) : QStringLiteral("timeout")},
        {QStringLiteral("reason"), done.reason},
        {QStringLiteral("points"), done.done},
        {QStringLiteral("points_total"), done.total},
        {QStringLiteral("points_shown"), view ? view->pointsShown() : 0},
        {QStringLiteral("engine_elapsed_s"), std::round(done.elapsedS * 1000) / 1000},
        {QStringLiteral("points_per_s"), done.elapsedS > 0 ? std::round(static_cast<double>(done.done) / done.elapsedS) : 0.0},
        {QStringLiteral("wall_s"), round2(seconds)},
        {QStringLiteral("lag_samples"), static_cast<qint64>(lag.size())},
        {QStringLiteral("lag_p50_ms"), round2(p50)},
        {QStringLiteral("lag_p99_ms"), round2(p99)},
        {QStringLiteral("lag_max_ms"), round2(mx)},
        {QStringLiteral("lag_over_5ms"), static_cast<qint64>(std::count_if(lag.begin(), lag.end(), [](double x) { return x > 5; }))},
        {QStringLiteral("plot_fps"), round2(fps)},
        {QStringLiteral("results_signals_per_s"), round2(static_cast<double>(resultSignals) / seconds)},
        {QStringLiteral("result_batches"), resultBatches},
        {QStringLiteral("plot_frames"), frames},
        {QStringLiteral("panel_replot_ticks_per_s"), round2(ticksPerS)},
        {QStringLiteral("replots_per_canvas"), perCanvas},
        {QStringLiteral("plot_fps_window_s"), round2(fpsWindow)},
        {QStringLiteral("live_replots"), static_cast<qint64>(live.size())},
        {QStringLiteral("live_replot_median_ms"), round2(median(live))},
        {QStringLiteral("live_replot_max_ms"), round2(live.empty() ? 0 : *std::max_element(live.begin(), live.end()))},
        {QStringLiteral("gui_thread_cpu_s"), round2(guiCpu)},
        {QStringLiteral("gui_thread_cpu_share"), round2(guiCpu / seconds)},
        {QStringLiteral("gui_events"), app.report()},
        {QStringLiteral("loadavg_at_start"), loadStart},
        {QStringLiteral("loadavg_at_end"), acquila::bench::loadAverage()},
    };
    std::fprintf(stderr, "%s: %s, %lld points, %.0f points/s, lag p99 %.2f ms max %.2f ms, %.1f fps\n",
                 qPrintable(plan->name), qPrintable(r.value(QStringLiteral("status")).toString()),
                 static_cast<long long>(done.done), r.value(QStringLiteral("points_per_s")).toDouble(), p99, mx, fps);
    return r;
}

/** Median QCustomPlot::replotTime() of `n` replots, calling `change` before each one. */
QJsonObject timeReplots(QCustomPlot& plot, int n, const std::function<void(int)>& change) {
    std::vector<double> ms;
    plot.replot();  // first replot sets up the paint buffers
    for (int i = 0; i < n; ++i) {
        if (change) change(i);
        plot.replot();
        ms.push_back(plot.replotTime());
    }
    std::vector<double> all = ms;
    return {{QStringLiteral("median_ms"), round2(median(ms))},
            {QStringLiteral("min_ms"), round2(*std::min_element(all.begin(), all.end()))},
            {QStringLiteral("max_ms"), round2(*std::max_element(all.begin(), all.end()))},
            {QStringLiteral("replots"), n}};
}

QJsonObject replotBench(const Options& o) {
    QJsonObject out;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0, 5);
    {
        // A 0D scan's line: 10^6 sorted keys, a peak plus noise; adaptive sampling is on by default.
        QCustomPlot plot;
        plot.resize(1000, 700);
        plot.show();
        QCPGraph* g = plot.addGraph();
        g->setAdaptiveSampling(true);
        const int n = 1000000;
        QVector<double> x(n), y(n);
        for (int i = 0; i < n; ++i) {
            x[i] = -50.0 + 100.0 * i / (n - 1);
            y[i] = 20 + 1000 * std::exp(-0.5 * std::pow((x[i] - 10) / 15, 2)) + noise(rng);
        }
        g->setData(x, y, true);
        plot.rescaleAxes();
        QJsonObject line = timeReplots(plot, o.replots, {});
        // The live case: each frame also rescales to the data, as PlotCanvas::autoRange does.
        line.insert(QStringLiteral("with_rescale_median_ms"),
                    timeReplots(plot, o.replots, [&](int) { plot.rescaleAxes(); }).value(QStringLiteral("median_ms")));
        line.insert(QStringLiteral("adaptive_sampling"), g->adaptiveSampling());
        line.insert(QStringLiteral("points"), n);
        // The same data drawn with the live plot's 1.5 px pen: a wide pen is stroked into a path and filled.
        g->setPen(QPen(QColor(31, 119, 180), 1.5));
        line.insert(QStringLiteral("pen_1_5px_median_ms"), timeReplots(plot, o.replots, {}).value(QStringLiteral("median_ms")));
        // The project's LinePlot (what the live 0D tab shows), as it is and with QCP::phFastPolylines.
        ui::plots::LinePlot live;
        live.resize(1000, 700);
        live.show();
        live.setSeries(x, y);
        live.rescaleAxes();
        line.insert(QStringLiteral("ui_lineplot_median_ms"), timeReplots(live, std::max(3, o.replots / 3), {}).value(QStringLiteral("median_ms")));
        live.setPlottingHint(QCP::phFastPolylines, true);
        line.insert(QStringLiteral("ui_lineplot_fast_polylines_median_ms"),
                    timeReplots(live, o.replots, {}).value(QStringLiteral("median_ms")));
        out.insert(QStringLiteral("line_1e6"), line);
    }
    {
        QCustomPlot plot;
        plot.resize(1000, 700);
        plot.show();
        auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);
        const int n = 1000;
        map->data()->setSize(n, n);
        map->data()->setRange(QCPRange(-100, 100), QCPRange(-100, 100));
        for (int ix = 0; ix < n; ++ix)
            for (int iy = 0; iy < n; ++iy)
                map->data()->setCell(ix, iy, 10 + 500 * std::exp(-((ix - 600.0) * (ix - 600.0) / 40000 + (iy - 450.0) * (iy - 450.0) / 22500)) + noise(rng));
        map->setGradient(QCPColorGradient(QCPColorGradient::gpThermal));
        map->rescaleDataRange(true);
        plot.rescaleAxes();
        // A live map changes between frames: one new cell invalidates the cached image as a live update does.
        QJsonObject changed = timeReplots(plot, o.replots, [&](int i) { map->data()->setCell(i % n, (i * 7) % n, 300 + i); });
        changed.insert(QStringLiteral("cached_image_median_ms"), timeReplots(plot, o.replots, {}).value(QStringLiteral("median_ms")));
        changed.insert(QStringLiteral("cells"), n * n);
        out.insert(QStringLiteral("colormap_1000"), changed);
    }
    return out;
}

Options parseOptions(const QStringList& args) {
    Options o;
    for (int i = 1; i < args.size(); ++i) {
        const QString& a = args[i];
        auto next = [&] { return i + 1 < args.size() ? args[++i].toLongLong() : 0; };
        if (a == QLatin1String("--points")) o.points = next();
        else if (a == QLatin1String("--grid")) o.grid = static_cast<int>(next());
        else if (a == QLatin1String("--camera-exposure")) o.cameraExposureS = i + 1 < args.size() ? args[++i].toDouble() : 0;
        else if (a == QLatin1String("--workers")) o.workers = static_cast<int>(next());
        else if (a == QLatin1String("--probe-ms")) o.probeMs = static_cast<int>(next());
        else if (a == QLatin1String("--replots")) o.replots = static_cast<int>(next());
        else if (a == QLatin1String("--no-storage")) o.storage = false;
        else if (a == QLatin1String("--no-scans")) o.scans = false;
        else if (a == QLatin1String("--no-replot")) o.replot = false;
        else if (a == QLatin1String("--fast-polylines")) o.fastPolylines = true;
        else {
            std::fprintf(stderr, "unknown option %s\n", qPrintable(a));
            std::exit(2);
        }
    }
    o.points = std::max<qint64>(o.points, 2);
    o.grid = std::max(o.grid, 2);
    o.probeMs = std::max(o.probeMs, 1);
    o.replots = std::max(o.replots, 1);
    return o;
}

/** The default lab with the motor and the stage made instant (no velocity): the fastest scans. */
model::LabConfig instantLab() {
    auto lab = model::loadLabConfig(QString());
    if (!lab.ok()) {
        std::fprintf(stderr, "lab: %s\n", qPrintable(lab.error()));
        std::exit(1);
    }
    for (auto& d : lab->devices)
        if (d.name == QLatin1String("motor") || d.name == QLatin1String("stage")) d.params.insert(QStringLiteral("velocity"), 0);
    return *lab;
}

}  // namespace

int main(int argc, char** argv) {
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    TimedApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);  // recent files and settings stay out of the user's profile
    QCoreApplication::setOrganizationName(QStringLiteral("AcquilaBench"));
    QCoreApplication::setApplicationName(QStringLiteral("acquila-bench-ui"));
    const Options o = parseOptions(app.arguments());
    util::initLogging(QStringLiteral("bench-ui"), 3, false);  // warnings to stderr: stdout is the JSON

    QJsonObject out;
    out.insert(QStringLiteral("command"), app.arguments().join(QLatin1Char(' ')));
    out.insert(QStringLiteral("platform"), QGuiApplication::platformName());
    out.insert(QStringLiteral("logical_cores"), QThread::idealThreadCount());
    out.insert(QStringLiteral("loadavg_before"), acquila::bench::loadAverage());
    out.insert(QStringLiteral("probe_interval_ms"), o.probeMs);
    out.insert(QStringLiteral("fast_polylines_applied"), o.fastPolylines);
    bool ok = true;

    if (o.scans) {
        QTemporaryDir dataDir;
        engine::EngineConfig c;
        c.workerExe = QStringLiteral(ACQUILA_WORKER_EXE);
        c.workers = o.workers;
        c.lab = instantLab();
        c.storage = o.storage;
        c.dataDirectory = dataDir.path();
        {
            ui::window::MainWindow w(c);
            w.resize(1400, 900);
            w.show();
            if (!spinUntil([&] { return w.isReady(); }, 30000)) {
                std::fprintf(stderr, "the workers never described their devices\n");
                return 1;
            }
            out.insert(QStringLiteral("workers"), o.workers > 0 ? o.workers : QThread::idealThreadCount());
            out.insert(QStringLiteral("storage"), o.storage);
            const QByteArray scan0d = QStringLiteral(R"({"version":1,"name":"bench-0d","scan":{"type":"linear"},
                "axes":[{"device":"motor","start":-50,"stop":50,"steps":%1}],"detectors":["diode"],"settle_s":0,"exposure_s":0})")
                                          .arg(o.points).toUtf8();
            const QByteArray camera = QStringLiteral(R"({"version":1,"name":"bench-camera","scan":{"type":"grid"},
                "axes":[{"device":"stage.y","start":-20,"stop":20,"steps":%1},{"device":"stage.x","start":-20,"stop":20,"steps":%1}],
                "detectors":["camera"],"settle_s":0,"exposure_s":%2})")
                                          .arg(o.grid).arg(o.cameraExposureS).toUtf8();
            const QJsonObject a = runScenario(app, w, scan0d, o);
            spinUntil([] { return false; }, 500);  // let the previous run's tail (file close, deletes) settle
            const QJsonObject b = runScenario(app, w, camera, o);
            out.insert(QStringLiteral("scan_0d"), a);
            out.insert(QStringLiteral("camera_grid"), b);
            ok = a.value(QStringLiteral("status")).toString() == QLatin1String("completed") &&
                 b.value(QStringLiteral("status")).toString() == QLatin1String("completed");
            w.setCloseQuestion([] { return ui::window::MainWindow::CloseChoice::Abort; });
            w.close();
            spinUntil([&] { return w.isShutDown(); }, 30000);
        }
    }
    if (o.replot) {
        const QJsonObject r = replotBench(o);
        out.insert(QStringLiteral("replot"), r);
        out.insert(QStringLiteral("replot_line_1e6_ms"), r.value(QStringLiteral("line_1e6")).toObject().value(QStringLiteral("median_ms")));
        out.insert(QStringLiteral("replot_colormap_1000_ms"),
                   r.value(QStringLiteral("colormap_1000")).toObject().value(QStringLiteral("median_ms")));
    }
    out.insert(QStringLiteral("loadavg_after"), acquila::bench::loadAverage());

    QJsonObject targets{{QStringLiteral("lag_p99_ms_max"), 5}, {QStringLiteral("lag_max_ms_max"), 30},
                        {QStringLiteral("plot_fps_min"), 30}, {QStringLiteral("replot_line_1e6_ms_max"), 20}};
    for (const QString& s : {QStringLiteral("scan_0d"), QStringLiteral("camera_grid")}) {
        if (!out.contains(s)) continue;
        const QJsonObject r = out.value(s).toObject();
        targets.insert(s + QStringLiteral("_lag_p99_met"), r.value(QStringLiteral("lag_p99_ms")).toDouble() <= 5);
        targets.insert(s + QStringLiteral("_lag_max_met"), r.value(QStringLiteral("lag_max_ms")).toDouble() <= 30);
        targets.insert(s + QStringLiteral("_plot_fps_met"), r.value(QStringLiteral("plot_fps")).toDouble() >= 30);
    }
    if (out.contains(QStringLiteral("replot_line_1e6_ms")))
        targets.insert(QStringLiteral("replot_line_1e6_met"), out.value(QStringLiteral("replot_line_1e6_ms")).toDouble() <= 20);
    out.insert(QStringLiteral("targets"), targets);
    std::printf("%s", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return ok ? 0 : 1;
}
