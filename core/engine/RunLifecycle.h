#pragma once
#include "core/model/RunTypes.h"

#include <QString>
#include <cstdint>
#include <limits>

namespace acquila::engine {

/**
 * The phases of one run (docs/architecture.md, "Run lifecycle"). Finer than
 * the public RunState: Stopping is split into waiting for the jobs in flight
 * to end at a point boundary (Stopping) and, after a failure at point p,
 * measuring the points missing below p (Filling; a stop fills nothing); Closing (workers close the run) and Finishing (the
 * storage worker writes the end metadata) follow every ending.
 */
enum class RunPhase : uint8_t { Starting, Running, Paused, Stopping, Filling, Aborting, Closing, Finishing, Finished };
inline constexpr int kRunPhaseCount = 9;

/** Everything that can happen to a run. */
enum class RunEvent : uint8_t {
    Opened,         // a worker opened the run and the file (if any) is open
    Pause,          // user
    Resume,         // user
    Stop,           // user: end at the next point boundary, keep what was measured
    DiskFull,       // storage: like Stop, only while measuring
    Abort,          // user or shutdown: end now
    Failure,        // a device error, a device timeout, a worker that could not open
    WorkerDied,     // a device worker died unexpectedly with work in flight
    StorageDied,    // the storage worker died or reported a write error: abort, nothing can store more
    JobsSettled,    // no job is in flight any more
    PointsDone,     // every point below the boundary has been delivered
    WorkersClosed,  // every worker answered (or died) after Close
    StorageClosed,  // the storage worker finished the file (or there is none)
    Timeout,        // the phase's deadline passed
};
inline constexpr int kRunEventCount = 14;

const char* runPhaseName(RunPhase p);
const char* runEventName(RunEvent e);

/** What the manager does after a transition. Bit flags. */
namespace RunAction {
enum : uint32_t {
    None = 0,
    PauseJobs = 1u << 0,      // the scheduler hands out no new job
    ResumeJobs = 1u << 1,     // it does again
    CancelStop = 1u << 2,     // tell busy workers: stop at the next point boundary
    CancelAbort = 1u << 3,    // tell busy workers: abort now (the boundary drops to 0)
    ApplyBoundary = 1u << 4,  // set the scheduler's boundary (RunLifecycle::boundary) and resume
    FlushFile = 1u << 5,      // ask the storage worker to flush
    CloseWorkers = 1u << 6,   // send Close to every worker that opened the run
    FinishFile = 1u << 7,     // ask the storage worker to write the status and end metadata
    KillBusy = 1u << 8,       // kill the workers still busy after the grace period
    ArmTimer = 1u << 9,       // (re)arm the new phase's deadline
    StopTimer = 1u << 10,     // no deadline in the new phase
    Report = 1u << 11,        // the run ended: tell the sinks and the user
    Pump = 1u << 12,          // hand out jobs
    Publish = 1u << 13,       // tell the user, although the visible state did not change (a pause has settled)
};
}

/** The outcome of one event. */
struct RunTransition {
    RunPhase from = RunPhase::Starting;
    RunPhase to = RunPhase::Starting;
    uint32_t actions = RunAction::None;
    bool ignored = true;  // the event has no effect in this phase
    bool has(uint32_t a) const { return (actions & a) != 0; }
};

/**
 * The state of one run and its legal transitions, in one transition table.
 * Pure: no timers, sockets or threads; the manager feeds it events and
 * carries out the returned actions. Also keeps how the run ends (status and
 * reason) and the point boundary below which measured points are kept.
 */
class RunLifecycle {
public:
    static constexpr qint64 kNoBoundary = std::numeric_limits<qint64>::max();

    RunPhase phase() const { return phase_; }
    model::RunStatus status() const { return status_; }
    const QString& reason() const { return reason_; }
    /** The state the user sees: Filling shows as Stopping; Closing/Finishing keep the state before them. */
    model::RunState publicState() const;
    /**
     * Points at or above this index are not measured any more (kNoBoundary: all).
     * Stop, disk full, abort and a storage failure set it to 0 (gaps stay gaps);
     * a failure at point p lowers it to p (the points missing below p are measured).
     */
    qint64 boundary() const { return boundary_; }
    /** True once the run is closing: no more jobs, no more openings. */
    bool closing() const { return phase_ >= RunPhase::Closing; }
    /** True while jobs may be handed out. */
    bool dispatching() const { return phase_ == RunPhase::Running || phase_ == RunPhase::Filling; }

    /**
     * Applies an event. `reason` explains Stop, DiskFull, Failure, WorkerDied,
     * StorageDied and Timeout; `point` is where a Failure or WorkerDied
     * happened (kNoBoundary when unknown).
     */
    RunTransition on(RunEvent e, const QString& reason = QString(), qint64 point = kNoBoundary);

    /** The table entry for a phase and event (for tests and documentation). */
    static RunTransition entry(RunPhase p, RunEvent e);

private:
    void settle(RunEvent e, const QString& reason, qint64 point, RunPhase from);
    RunPhase phase_ = RunPhase::Starting;
    model::RunState shown_ = model::RunState::Starting;
    model::RunStatus status_ = model::RunStatus::None;
    QString reason_;
    qint64 boundary_ = kNoBoundary;
};

}  // namespace acquila::engine
