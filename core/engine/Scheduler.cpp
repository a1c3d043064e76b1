#include "core/engine/Scheduler.h"

#include <algorithm>
#include <cmath>

namespace acquila::engine {

Scheduler::Scheduler(const Config& config) : config_(config), boundary_(config.total) {
    if (config_.total > 0) pending_[0] = config_.total;
}

namespace {
constexpr qint64 kUnknownTimeJobSize = 1;  // nothing is known about the devices yet: one point, then measure
constexpr int kMinDepth = 2;               // a worker always has its next job queued
}  // namespace

double Scheduler::secondsPerPoint() const {
    if (measuredSecondsPerPoint_ >= 0) return measuredSecondsPerPoint_;
    return config_.expectedSecondsPerPoint > 0 ? config_.expectedSecondsPerPoint : -1;
}

qint64 Scheduler::nextJobSize(qint64 available) const {
    if (config_.fixedJobSize > 0) return std::min(config_.fixedJobSize, available);
    const double spp = secondsPerPoint();
    qint64 size = kUnknownTimeJobSize;
    if (spp == 0) size = config_.maxJobSize;
    else if (spp > 0) size = static_cast<qint64>(std::min(config_.targetJobSeconds / spp, static_cast<double>(config_.maxJobSize)));
    // Near the end keep every worker busy rather than leaving one long tail job.
    const qint64 remaining = boundary_ - std::min(boundary_, done_);
    const qint64 share = (remaining + 2 * config_.workerCount - 1) / (2 * std::max(1, config_.workerCount));
    size = std::min({size, std::max<qint64>(share, 256), config_.maxJobSize});
    return std::clamp<qint64>(size, 1, available);
}

bool Scheduler::mayTakeMore(const Load& load) const {
    if (load.jobs >= config_.maxInFlightPerWorker) return false;
    if (load.jobs < kMinDepth) return true;
    const double spp = secondsPerPoint();
    return spp >= 0 && static_cast<double>(load.points) * spp < config_.maxQueuedSeconds;
}

std::optional<JobRange> Scheduler::next(int worker) {
    if (paused_ || pending_.empty()) return std::nullopt;
    Load& load = load_[worker];
    if (!mayTakeMore(load)) return std::nullopt;
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
    ++load.jobs;
    load.points += count;
    return r;
}

bool Scheduler::onResult(quint64 id, qint64 first, qint64 count, double seconds) {
    auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    Job& j = it->second;
    // Results of a job are contiguous and in order; anything else is a protocol violation.
    // (Compared without forming first + count: both come from the worker.)
    const qint64 end = j.range.first + j.range.count;
    if (first != j.measuredUpTo || count < 0 || count > end - first) return false;
    j.measuredUpTo += count;
    done_ += count;
    load_[j.range.worker].points -= count;
    if (count > 0 && std::isfinite(seconds) && seconds >= 0) {
        const double spp = seconds / static_cast<double>(count);
        measuredSecondsPerPoint_ = measuredSecondsPerPoint_ < 0 ? spp : 0.7 * measuredSecondsPerPoint_ + 0.3 * spp;
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
    const qint64 end = j.range.first + j.range.count;
    addPending(j.measuredUpTo, end);
    Load& load = load_[j.range.worker];
    load.points -= end - j.measuredUpTo;
    if (--load.jobs <= 0) load_.erase(j.range.worker);
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
    auto it = load_.find(worker);
    return it == load_.end() ? 0 : it->second.jobs;
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
