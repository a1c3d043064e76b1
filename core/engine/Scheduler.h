#pragma once
#include <QtGlobal>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace acquila::engine {

/** A contiguous range of points handed to one worker. */
struct JobRange {
    quint64 id = 0;
    qint64 first = 0;
    qint64 count = 0;
    int worker = -1;
};

/**
 * Cuts a run's points into jobs and tracks them (docs/architecture.md, "Plans, points and jobs"). Pure logic, no
 * I/O and no clock: callers pass measured durations. Owned and used by the
 * manager thread only.
 *
 * Points not yet handed out live in `pending_` as disjoint ranges; a job that
 * ends early (cancelled at a point boundary, failed, or its worker died)
 * returns its unmeasured tail there, so nothing is lost or measured twice.
 * `boundary_` caps dispatch: points at or above it are never handed out
 * (stop, abort and failure move it down).
 *
 * Jobs are sized by time: the first ones by the plan's expected point time
 * (one point when it is unknown), later ones by the measured time, and a
 * worker gets a third job only while its queued work is short, so a stop or a
 * failure leaves at most a few points' worth of work in flight.
 */
class Scheduler {
public:
    struct Config {
        qint64 total = 0;
        int maxInFlightPerWorker = 3;
        qint64 fixedJobSize = 0;     // > 0: every job has this many points (e.g. 1 for per-point work)
        double targetJobSeconds = 0.02;
        qint64 maxJobSize = 1 << 16;
        int workerCount = 1;         // for balancing the tail of a run
        double expectedSecondsPerPoint = 0;  // from the plan (exposure, settle, interval); <= 0: unknown
        double maxQueuedSeconds = 0.05;      // beyond two jobs, a worker gets more only while its work is shorter
    };

    explicit Scheduler(const Config& config);

    /** The next job for `worker`, or nothing (paused, limit reached, no points left). */
    std::optional<JobRange> next(int worker);
    /** Points [first, first+count) of job `id` arrived; `seconds` is the worker's time for them. */
    bool onResult(quint64 id, qint64 first, qint64 count, double seconds);
    /** Job `id` ended (normally, cancelled or failed); its unmeasured points go back to pending. */
    void onJobEnded(quint64 id);
    /** Every job of `worker` ended without more results (crash, kill). Returns their ids. */
    std::vector<quint64> onWorkerLost(int worker);
    /** No point >= `boundary` is dispatched from now on (already measured ones are kept). */
    void setBoundary(qint64 boundary);
    void setPaused(bool paused) { paused_ = paused; }

    bool paused() const { return paused_; }
    qint64 boundary() const { return boundary_; }
    qint64 total() const { return config_.total; }
    qint64 done() const { return done_; }
    int inFlight(int worker) const;
    int inFlightTotal() const { return static_cast<int>(jobs_.size()); }
    /** True when nothing is in flight and nothing below the boundary remains. */
    bool finished() const;
    /** Lowest pending point below the boundary, or -1. */
    qint64 firstPending() const;
    const JobRange* job(quint64 id) const;

private:
    struct Job {
        JobRange range;
        qint64 measuredUpTo;  // results of a job arrive in order: [first, measuredUpTo) are in
    };
    /** Work handed to one worker and not measured yet. */
    struct Load {
        int jobs = 0;
        qint64 points = 0;
    };
    qint64 nextJobSize(qint64 available) const;
    bool mayTakeMore(const Load& load) const;
    /** Seconds per point: measured, else the plan's expectation, else < 0 (unknown). */
    double secondsPerPoint() const;
    void addPending(qint64 first, qint64 end);

    Config config_;
    std::map<qint64, qint64> pending_;  // first -> end of unmeasured, undispatched ranges (disjoint)
    std::unordered_map<quint64, Job> jobs_;
    std::unordered_map<int, Load> load_;
    quint64 nextId_ = 1;
    qint64 boundary_;
    qint64 done_ = 0;
    double measuredSecondsPerPoint_ = -1;  // running estimate, < 0 until the first result
    bool paused_ = false;
};

}  // namespace acquila::engine
