#pragma once
#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"
#include "core/engine/EngineTypes.h"
#include "core/plan/Plan.h"

#include <QMutex>
#include <vector>

namespace acquila::engine {

/** What a sink learns when a run starts. */
struct RunOpened {
    quint64 runId = 0;
    plan::Plan plan;
    std::vector<qint64> shape;            // scan shape (PointGenerator::shape)
    qint64 total = 0;
    QStringList axes;                     // full axis names, plan order
    std::vector<model::DeviceDescription> devices;  // snapshot at start
    QDateTime startTime;
};

/**
 * Where results go besides the GUI and the storage worker (docs/architecture.md,
 * "Threads and ownership"): memory, in tests and headless summaries. Every method is called on the manager thread and must not block
 * (no file I/O, no waits): hand the data on and return.
 */
class ResultSink {
public:
    virtual ~ResultSink() = default;
    virtual void runOpened(const RunOpened& run) {}
    virtual void write(const model::ResultBatchPtr& batch) = 0;
    virtual void runClosed(const RunProgress& final) {}
    /** True while the sink cannot take more: the manager then stops dispatching (backpressure). */
    virtual bool saturated() const { return false; }
};

/**
 * Keeps every batch in memory (tests, headless summaries). Batches are shared,
 * not copied. Written by the manager thread, read by any thread under mutex_.
 */
class MemorySink : public ResultSink {
public:
    void runOpened(const RunOpened& run) override;
    void write(const model::ResultBatchPtr& batch) override;
    void runClosed(const RunProgress& final) override;

    struct Run {
        RunOpened opened;
        std::vector<model::ResultBatchPtr> batches;
        RunProgress final;
        bool closed = false;
    };
    /** Copy of the runs seen so far, in start order. Any thread. */
    std::vector<Run> runs() const;

private:
    mutable QMutex mutex_;  // guards runs_
    std::vector<Run> runs_;
};

}  // namespace acquila::engine
