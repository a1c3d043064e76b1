#include "core/engine/ResultSink.h"

namespace acquila::engine {

void MemorySink::runOpened(const RunOpened& run) {
    QMutexLocker lock(&mutex_);
    runs_.push_back(Run{run, {}, {}, false});
}

void MemorySink::write(const model::ResultBatchPtr& batch) {
    QMutexLocker lock(&mutex_);
    for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) {
        if (it->opened.runId == batch->runId) {
            it->batches.push_back(batch);
            return;
        }
    }
}

void MemorySink::runClosed(const RunProgress& final) {
    QMutexLocker lock(&mutex_);
    for (auto& r : runs_) {
        if (r.opened.runId == final.runId) {
            r.final = final;
            r.closed = true;
        }
    }
}

std::vector<MemorySink::Run> MemorySink::runs() const {
    QMutexLocker lock(&mutex_);
    return runs_;
}

}  // namespace acquila::engine
