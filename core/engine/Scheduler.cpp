#include "core/engine/Scheduler.h"

#include <algorithm>
#include <cmath>

namespace acquila::engine {

Scheduler::Scheduler(const Config& config) : config_(config), boundary_(config.total) {
    if (config_.total > 0) pending_[0] = config_.total;
}

qint64 Scheduler::nextJobSize(qint64 available) const {
    if (config_.fixedJobSize > 0) return std::min(config_.fixedJobSize, available);
    qint64 size = 64;  // first jobs are small: we know nothing about the devices yet
    if (secondsPerPoint_ > 0) size = static_cast<qint64>(config_.targetJobSeconds / secondsPerPoint_);
    else if (secondsPerPoint_ == 0) size = config_.maxJobSize;
    // Near the end keep every worker busy rather than leaving one long tail job.
    const qint64 remaining = boundary_ - std::min(boundary_, done_);
    const qint64 share = (remaining + 2 * config_.workerCount - 1) / (2 * std::max(1, config_.workerCount));
    size = std::min({size, std::max<qint64>(share, 256), config_.maxJobSize});
    return std::clamp<qint64>(size, 1, available);
}

std::optional<JobRange> Scheduler::next(int worker) {
    if (paused_ || pending_.empty()) return std::nullopt;
    if (inFlight(worker) >= config_.maxInFlightPerWorker) return std::nullopt;
    auto it = pending_.begin();
    if (it->first >= boundary_) return std::nullopt;
    const qint64 first = it->first;
    const qint64 end = std::min(it->second, boundary_);
    const qint64 count = nextJobSize(end - first);
    const qint64 rangeEnd = it->second;
    pending_.erase(it);
    if (first + count < rangeEnd) pending_[first + count] = rangeEnd;
    JobRange r{nextId_++, first, count, worker};
    jobs_.emplace(r.id, Job{r, first});
    ++inFlight_[worker];
    return r;
}

bool Scheduler::onResult(quint64 id, qint64 first, qint64 count, double seconds) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    Job& j = it->second;
    // Results of a job are contiguous and in order; anything else is a protocol violation.
    if (first != j.measuredUpTo || count < 0 || first + count > j.range.first + j.range.count) return false;
    j.measuredUpTo += count;
    done_ += count;
    highWater_ = std::max(highWater_, first + count);
    if (count > 0 && seconds >= 0) {
        const double spp = seconds / static_cast<double>(count);
        secondsPerPoint_ = secondsPerPoint_ < 0 ? spp : 0.7 * secondsPerPoint_ + 0.3 * spp;
    }
    return true;
}

void Scheduler::addPending(qint64 first, qint64 end) {
    if (first >= end) return;
    auto [it, inserted] = pending_.emplace(first, end);
    // Merge with the following and preceding ranges so pending stays small.
    auto nextIt = std::next(it);
    if (nextIt != pending_.end() && nextIt->first == it->second) {
        it->second = nextIt->second;
        pending_.erase(nextIt);
    }
    if (it != pending_.begin()) {
        auto prev = std::prev(it);
        if (prev->second == it->first) {
            prev->second = it->second;
            pending_.erase(it);
        }
    }
}

void Scheduler::onJobEnded(quint64 id) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return;
    const Job& j = it->second;
    addPending(j.measuredUpTo, j.range.first + j.range.count);
    if (--inFlight_[j.range.worker] <= 0) inFlight_.erase(j.range.worker);
    jobs_.erase(it);
}

std::vector<quint64> Scheduler::onWorkerLost(int worker) {
    std::vector<quint64> ids;
    for (const auto& [id, j] : jobs_)
        if (j.range.worker == worker) ids.push_back(id);
    for (quint64 id : ids) onJobEnded(id);
    return ids;
}

void Scheduler::setBoundary(qint64 boundary) { boundary_ = std::clamp<qint64>(boundary, 0, boundary_); }

int Scheduler::inFlight(int worker) const {
    auto it = inFlight_.find(worker);
    return it == inFlight_.end() ? 0 : it->second;
}

qint64 Scheduler::firstPending() const {
    if (pending_.empty() || pending_.begin()->first >= boundary_) return -1;
    return pending_.begin()->first;
}

bool Scheduler::finished() const { return jobs_.empty() && firstPending() < 0; }

const JobRange* Scheduler::job(quint64 id) const {
    auto it = jobs_.find(id);
    return it == jobs_.end() ? nullptr : &it->second.range;
}

}  // namespace acquila::engine
