#pragma once
#include "TestSupport.h"

#include "core/engine/Engine.h"
#include "core/plan/Plan.h"

#include <QDir>
#include <QProcess>
#include <gtest/gtest.h>
#include <map>
#include <memory>

namespace acquila::test {

/** A linear scan of `motor` over [-50, 50] in `points` steps; `extra` is spliced in as more top-level fields. */
inline QByteArray linearPlan(int points, const QByteArray& extra = {}, const QByteArray& detectors = R"(["diode"])") {
    return R"({"version": 1, "name": "lin", "scan": {"type": "linear"},
               "axes": [{"device": "motor", "start": -50, "stop": 50, "steps": )" +
           QByteArray::number(points) + R"(}], "detectors": )" + detectors + extra + "}";
}

/** Harness options beyond the worker count; `dataDirectory` non-empty turns storage (HDF5 files) on. */
struct HarnessOptions {
    QString dataDirectory;
    qint64 diskReserveBytes = 16ll << 20;
    double flushIntervalS = 0.5;
    qint64 storageQueueBytes = 256ll << 20;
};

/**
 * A real engine with real worker processes and a memory sink, driven from the
 * test thread's event loop. Collects everything the engine reports.
 */
class EngineHarness {
public:
    explicit EngineHarness(int workers, model::LabConfig lab = {}, bool defaultLab = true, HarnessOptions options = HarnessOptions()) {
        ensureCoreApplication();
        engine::EngineConfig c;
        c.workerExe = workerExecutable();
        c.workers = workers;
        if (defaultLab) {
            auto l = model::loadLabConfig(QString());
            EXPECT_TRUE(l.ok()) << l.error().toStdString();
            c.lab = *l;
        } else {
            c.lab = std::move(lab);
        }
        c.storage = !options.dataDirectory.isEmpty();
        c.dataDirectory = options.dataDirectory;
        c.diskReserveBytes = options.diskReserveBytes;
        c.flushIntervalS = options.flushIntervalS;
        c.storageQueueBytes = options.storageQueueBytes;
        engine = std::make_unique<engine::Engine>(c);
        sink = std::make_shared<engine::MemorySink>();
        engine->addSink(sink);
        QObject::connect(engine.get(), &engine::Engine::runFinished, [this](const engine::RunProgress& p) { finished.push_back(p); });
        QObject::connect(engine.get(), &engine::Engine::progressChanged, [this](const engine::RunProgress& p) { progress = p; });
        QObject::connect(engine.get(), &engine::Engine::storageChanged, [this](const engine::StorageStatus& s) {
            storage = s;
            peakBacklogBytes = std::max(peakBacklogBytes, s.backlogBytes);
        });
        QObject::connect(engine.get(), &engine::Engine::workersChanged, [this](const std::vector<engine::WorkerStatus>& w) { workers_ = w; });
        QObject::connect(engine.get(), &engine::Engine::logged, [this](const engine::LogEntry& e) { log.push_back(e); });
        QObject::connect(engine.get(), &engine::Engine::resultsReady, [this](const engine::BatchListPtr& b) {
            for (const auto& batch : *b) delivered += batch->count;
        });
        engine->start();
        EXPECT_TRUE(waitUntil([this] { return !engine->devices().empty(); }, std::chrono::seconds(20))) << "workers never described their devices";
        if (c.storage) {
            EXPECT_TRUE(waitUntil([this] {
                for (const auto& w : workers_)
                    if (w.role == QLatin1String("storage") && w.state == engine::WorkerState::Ready) return true;
                return false;
            }, std::chrono::seconds(20))) << "storage worker never became ready";
        }
    }
    ~EngineHarness() {
        if (engine && !engine->isShutDown()) shutdown();
    }

    void shutdown() {
        engine->shutdown();
        EXPECT_TRUE(waitUntil([this] { return engine->isShutDown(); }, std::chrono::seconds(15)));
    }

    static plan::Plan plan(const QByteArray& json) {
        auto p = plan::parsePlan(json, QStringLiteral("test-plan.json"), QString());
        EXPECT_TRUE(p.ok()) << p.error().toStdString();
        return p.ok() ? *p : plan::Plan{};
    }

    /** Enqueues and waits for the run to finish; returns its final progress. */
    engine::RunProgress run(const plan::Plan& p, std::chrono::seconds timeout = std::chrono::seconds(60)) {
        const size_t before = finished.size();
        engine->enqueue(p);
        EXPECT_TRUE(waitUntil([&] { return finished.size() > before; }, timeout)) << "run did not finish";
        return finished.size() > before ? finished.back() : engine::RunProgress{};
    }

    /** Point indices delivered to the sink for `runId`, with multiplicity. */
    std::map<qint64, int> pointCounts(quint64 runId) const {
        std::map<qint64, int> counts;
        for (const auto& r : sink->runs())
            if (r.opened.runId == runId)
                for (const auto& b : r.batches)
                    for (qint64 i = b->first; i < b->first + b->count; ++i) ++counts[i];
        return counts;
    }

    /** Values of a float64 scalar channel by point index. */
    std::map<qint64, double> scalar(quint64 runId, const QString& channel) const {
        std::map<qint64, double> out;
        for (const auto& r : sink->runs())
            if (r.opened.runId == runId)
                for (const auto& b : r.batches)
                    if (const model::Channel* c = b->find(channel))
                        for (qint64 i = 0; i < b->count; ++i) out[b->first + i] = c->at<double>(i);
        return out;
    }

    int restarts() const {
        int n = 0;
        for (const auto& w : workers_) n += w.restarts;
        return n;
    }
    const std::vector<engine::WorkerStatus>& workers() const { return workers_; }

    std::unique_ptr<engine::Engine> engine;
    std::shared_ptr<engine::MemorySink> sink;
    std::vector<engine::RunProgress> finished;
    engine::RunProgress progress;
    engine::StorageStatus storage;
    qint64 peakBacklogBytes = 0;  // the most result data the storage worker was behind, as reported
    qint64 delivered = 0;
    std::vector<engine::LogEntry> log;  // every log line the engine delivered

private:
    std::vector<engine::WorkerStatus> workers_;
};

}  // namespace acquila::test
