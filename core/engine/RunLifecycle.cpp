#include "core/engine/RunLifecycle.h"

#include <algorithm>
#include <array>

namespace acquila::engine {

namespace {
using namespace RunAction;
using P = RunPhase;

/** One cell of the table: the next phase and what to do; `ignore` leaves everything as it is. */
struct Cell {
    bool ignore = true;
    RunPhase to = RunPhase::Starting;
    uint32_t actions = None;
};
constexpr Cell X{};  // ignored
constexpr Cell go(RunPhase to, uint32_t actions = None) { return Cell{false, to, actions}; }

constexpr uint32_t kDrain = PauseJobs | CancelStop | ArmTimer;  // start stopping at a point boundary
constexpr uint32_t kLower = PauseJobs | CancelStop;             // already stopping: lower the boundary, end the filling
constexpr uint32_t kAbort = PauseJobs | CancelAbort | ArmTimer;
constexpr uint32_t kClose = CloseWorkers | ArmTimer;
constexpr uint32_t kFinish = FinishFile | ArmTimer;

// Columns, in RunEvent order:
//   Opened, Pause, Resume, Stop, DiskFull, Abort, Failure, WorkerDied, StorageDied,
//   JobsSettled, PointsDone, WorkersClosed, StorageClosed, Timeout
using Row = std::array<Cell, kRunEventCount>;
constexpr std::array<Row, kRunPhaseCount> kTable{{
    // Starting: workers and the file are opening.
    {go(P::Running, StopTimer | Pump), X, X, go(P::Stopping, kDrain), X, go(P::Aborting, kAbort),
     go(P::Stopping, kDrain), go(P::Stopping, kDrain), go(P::Aborting, kAbort),
     X, X, X, X, go(P::Stopping, kDrain)},
    // Running: jobs are handed out.
    {go(P::Running, Pump), go(P::Paused, PauseJobs | CancelStop | FlushFile), X, go(P::Stopping, kDrain),
     go(P::Stopping, kDrain), go(P::Aborting, kAbort),
     go(P::Stopping, kDrain), go(P::Stopping, kDrain), go(P::Aborting, kAbort),
     X, go(P::Closing, kClose), X, X, X},
    // Paused: no new job; the jobs in flight stop at a point boundary.
    {X, X, go(P::Running, ResumeJobs | Pump), go(P::Stopping, kDrain), go(P::Stopping, kDrain), go(P::Aborting, kAbort),
     go(P::Stopping, kDrain), go(P::Stopping, kDrain), go(P::Aborting, kAbort),
     go(P::Paused, Publish), X, X, X, X},
    // Stopping: waiting for the jobs in flight to end at a point boundary.
    {X, X, X, go(P::Stopping, kLower), X, go(P::Aborting, kAbort),
     go(P::Stopping, kLower), go(P::Stopping, kLower), go(P::Aborting, kAbort),
     go(P::Filling, ApplyBoundary | Pump), X, X, X, go(P::Aborting, kAbort)},
    // Filling: after a failure, measuring the points missing below the failing point (none after a stop).
    {go(P::Filling, Pump), X, X, go(P::Stopping, kLower), X, go(P::Aborting, kAbort),
     go(P::Stopping, kLower), go(P::Stopping, kLower), go(P::Aborting, kAbort),
     X, go(P::Closing, kClose), X, X, go(P::Aborting, kAbort)},
    // Aborting: busy workers were told to abort; the grace period's end kills them.
    {X, X, X, X, X, X,
     X, X, go(P::Aborting),
     go(P::Closing, kClose), X, X, X, go(P::Aborting, KillBusy)},
    // Closing: workers close the run (restore properties, ...).
    {X, X, X, X, X, X,
     X, X, go(P::Closing),
     X, X, go(P::Finishing, kFinish), X, go(P::Finishing, kFinish)},
    // Finishing: the storage worker writes the status and end metadata. If it dies doing
    // so, finishing again has the next storage worker seal the file it left (or ends at once).
    {X, X, X, X, X, X,
     X, X, go(P::Finishing, kFinish),
     X, X, X, go(P::Finished, StopTimer | Report), go(P::Finished, StopTimer | Report)},
    // Finished: nothing happens any more.
    {X, X, X, X, X, X, X, X, X, X, X, X, X, X},
}};
}  // namespace

const char* runPhaseName(RunPhase p) {
    static constexpr const char* kNames[] = {"starting", "running", "paused", "stopping", "filling",
                                             "aborting", "closing", "finishing", "finished"};
    return kNames[static_cast<int>(p)];
}

const char* runEventName(RunEvent e) {
    static constexpr const char* kNames[] = {"opened",       "pause",        "resume",      "stop",          "disk full",
                                             "abort",        "failure",      "worker died", "storage died",  "jobs settled",
                                             "points done",  "workers closed", "storage closed", "timeout"};
    return kNames[static_cast<int>(e)];
}

RunTransition RunLifecycle::entry(RunPhase p, RunEvent e) {
    const Cell& c = kTable[static_cast<size_t>(p)][static_cast<size_t>(e)];
    if (c.ignore) return RunTransition{p, p, None, true};
    return RunTransition{p, c.to, c.actions, false};
}

model::RunState RunLifecycle::publicState() const { return shown_; }

RunTransition RunLifecycle::on(RunEvent e, const QString& reason, qint64 point) {
    const RunTransition t = entry(phase_, e);
    if (t.ignored) return t;
    settle(e, reason, point, t.from);
    phase_ = t.to;
    switch (phase_) {
        case P::Starting: shown_ = model::RunState::Starting; break;
        case P::Running: shown_ = model::RunState::Running; break;
        case P::Paused: shown_ = model::RunState::Paused; break;
        case P::Stopping:
        case P::Filling: shown_ = model::RunState::Stopping; break;
        case P::Aborting: shown_ = model::RunState::Aborting; break;
        case P::Closing:
        case P::Finishing: break;  // the user keeps seeing how the run is ending
        case P::Finished: shown_ = model::RunState::Finished; break;
    }
    return t;
}

void RunLifecycle::settle(RunEvent e, const QString& reason, qint64 point, RunPhase from) {
    auto failWith = [&](const QString& why) {
        if (status_ != model::RunStatus::Failed) reason_ = why;
        status_ = model::RunStatus::Failed;
    };
    switch (e) {
        case RunEvent::Stop:
        case RunEvent::DiskFull:
            if (status_ != model::RunStatus::Failed) status_ = model::RunStatus::Stopped;
            if (reason_.isEmpty()) reason_ = reason;
            boundary_ = 0;  // keep what was measured, fill no gap
            break;
        case RunEvent::Abort:
            if (status_ != model::RunStatus::Failed) {
                status_ = model::RunStatus::Aborted;
                reason_ = reason.isEmpty() ? QStringLiteral("aborted by the user") : reason;
            }
            boundary_ = 0;
            break;
        case RunEvent::Failure:
        case RunEvent::WorkerDied:
            failWith(reason);
            boundary_ = std::min(boundary_, point);
            break;
        case RunEvent::StorageDied:
            failWith(reason);
            boundary_ = 0;  // nothing can store further points: measure nothing more
            break;
        case RunEvent::Timeout:
            if (from == P::Starting) {
                failWith(reason);
                boundary_ = 0;
            } else if (from == P::Stopping || from == P::Filling) {
                status_ = model::RunStatus::Failed;
                reason_ += QStringLiteral(" (then %1)").arg(reason);
                boundary_ = 0;
            } else if (from == P::Finishing) {
                failWith(reason);
            }
            break;
        case RunEvent::PointsDone:
            if (status_ == model::RunStatus::None) status_ = model::RunStatus::Completed;
            break;
        default:
            break;
    }
}

}  // namespace acquila::engine
