#include "core/engine/RunLifecycle.h"

#include <gtest/gtest.h>
#include <optional>
#include <vector>

using namespace acquila::model;
using namespace acquila::engine;
namespace A = RunAction;
using P = RunPhase;
using E = RunEvent;

namespace {

constexpr P kPhases[] = {P::Starting, P::Running, P::Paused, P::Stopping, P::Filling,
                         P::Aborting, P::Closing, P::Finishing, P::Finished};
constexpr E kEvents[] = {E::Opened,     E::Pause,       E::Resume,     E::Stop,          E::DiskFull,
                         E::Abort,      E::Failure,     E::WorkerDied, E::StorageDied,   E::JobsSettled,
                         E::PointsDone, E::WorkersClosed, E::StorageClosed, E::Timeout};
static_assert(std::size(kPhases) == kRunPhaseCount && std::size(kEvents) == kRunEventCount);

/** Events that lead from a new run to each phase, through the public API only. */
std::vector<E> pathTo(P p) {
    switch (p) {
        case P::Starting: return {};
        case P::Running: return {E::Opened};
        case P::Paused: return {E::Opened, E::Pause};
        case P::Stopping: return {E::Opened, E::Stop};
        case P::Filling: return {E::Opened, E::Stop, E::JobsSettled};
        case P::Aborting: return {E::Opened, E::Abort};
        case P::Closing: return {E::Opened, E::PointsDone};
        case P::Finishing: return {E::Opened, E::PointsDone, E::WorkersClosed};
        case P::Finished: return {E::Opened, E::PointsDone, E::WorkersClosed, E::StorageClosed};
    }
    return {};
}

bool measuring(P p) { return p <= P::Filling; }

/**
 * What each pair must do, written as the rules a user reads in the
 * documentation rather than as a copy of the table. nullopt: ignored.
 */
std::optional<P> expectedPhase(P p, E e) {
    switch (e) {
        case E::Opened:
            if (p == P::Starting) return P::Running;
            if (p == P::Running || p == P::Filling) return p;  // a late worker joins and gets jobs
            return std::nullopt;
        case E::Pause: return p == P::Running ? std::optional(P::Paused) : std::nullopt;
        case E::Resume: return p == P::Paused ? std::optional(P::Running) : std::nullopt;
        case E::Stop: return measuring(p) ? std::optional(P::Stopping) : std::nullopt;  // also ends a failure's filling
        case E::DiskFull: return (p == P::Running || p == P::Paused) ? std::optional(P::Stopping) : std::nullopt;
        case E::Abort: return measuring(p) ? std::optional(P::Aborting) : std::nullopt;
        case E::Failure:
        case E::WorkerDied: return measuring(p) ? std::optional(P::Stopping) : std::nullopt;
        case E::StorageDied:  // nothing can store more points: stop acquiring at once
            if (measuring(p) || p == P::Aborting) return P::Aborting;
            if (p == P::Closing) return P::Closing;
            if (p == P::Finishing) return P::Finishing;  // finishing again: the next storage worker seals the file
            return std::nullopt;
        case E::JobsSettled:
            if (p == P::Paused) return P::Paused;
            if (p == P::Stopping) return P::Filling;
            if (p == P::Aborting) return P::Closing;
            return std::nullopt;
        case E::PointsDone: return (p == P::Running || p == P::Filling) ? std::optional(P::Closing) : std::nullopt;
        case E::WorkersClosed: return p == P::Closing ? std::optional(P::Finishing) : std::nullopt;
        case E::StorageClosed: return p == P::Finishing ? std::optional(P::Finished) : std::nullopt;
        case E::Timeout:
            if (p == P::Starting) return P::Stopping;
            if (p == P::Stopping || p == P::Filling) return P::Aborting;
            if (p == P::Aborting) return P::Aborting;
            if (p == P::Closing) return P::Finishing;
            if (p == P::Finishing) return P::Finished;
            return std::nullopt;
    }
    return std::nullopt;
}

RunStatus expectedStatus(P from, E e, RunStatus before) {
    const bool failed = before == RunStatus::Failed;
    switch (e) {
        case E::Stop:
        case E::DiskFull: return failed ? before : RunStatus::Stopped;
        case E::Abort: return failed ? before : RunStatus::Aborted;
        case E::Failure:
        case E::WorkerDied:
        case E::StorageDied: return RunStatus::Failed;
        case E::Timeout:
            return (from == P::Starting || from == P::Stopping || from == P::Filling || from == P::Finishing) ? RunStatus::Failed
                                                                                                             : before;
        case E::PointsDone: return before == RunStatus::None ? RunStatus::Completed : before;
        default: return before;
    }
}

RunState expectedPublic(P to, RunState before) {
    switch (to) {
        case P::Starting: return RunState::Starting;
        case P::Running: return RunState::Running;
        case P::Paused: return RunState::Paused;
        case P::Stopping:
        case P::Filling: return RunState::Stopping;
        case P::Aborting: return RunState::Aborting;
        case P::Closing:
        case P::Finishing: return before;
        case P::Finished: return RunState::Finished;
    }
    return before;
}

RunLifecycle reach(P p) {
    RunLifecycle l;
    for (E e : pathTo(p)) EXPECT_FALSE(l.on(e, QStringLiteral("reason"), 5).ignored) << runEventName(e);
    EXPECT_EQ(l.phase(), p) << runPhaseName(p);
    return l;
}

}  // namespace

TEST(RunLifecycle, EveryPhaseAndEventHasTheDocumentedOutcome) {
    int pairs = 0;
    for (P p : kPhases) {
        for (E e : kEvents) {
            SCOPED_TRACE(std::string(runPhaseName(p)) + " + " + runEventName(e));
            RunLifecycle l = reach(p);
            const RunStatus before = l.status();
            const RunState shownBefore = l.publicState();
            const RunTransition t = l.on(e, QStringLiteral("why"), 3);
            const auto want = expectedPhase(p, e);
            EXPECT_EQ(t.ignored, !want.has_value());
            EXPECT_EQ(t.from, p);
            EXPECT_EQ(l.phase(), want.value_or(p));
            EXPECT_EQ(t.to, l.phase());
            EXPECT_EQ(l.status(), want ? expectedStatus(p, e, before) : before);
            EXPECT_EQ(l.publicState(), want ? expectedPublic(*want, shownBefore) : shownBefore);
            EXPECT_EQ(RunLifecycle::entry(p, e).to, t.to);
            if (t.ignored) { EXPECT_EQ(t.actions, A::None); }
            // Entering a phase with a deadline arms it; leaving a run ends it for the user.
            if (want && *want != p && (*want == P::Closing || *want == P::Finishing || *want == P::Aborting)) {
                EXPECT_TRUE(t.has(A::ArmTimer));
            }
            if (want && *want == P::Finished) { EXPECT_TRUE(t.has(A::Report)); }
            if (want && *want == P::Aborting && p != P::Aborting) { EXPECT_TRUE(t.has(A::CancelAbort | A::PauseJobs)); }
            if (want && *want == P::Stopping) { EXPECT_TRUE(t.has(A::CancelStop)); }
            if (want && *want == P::Closing && p != P::Closing) { EXPECT_TRUE(t.has(A::CloseWorkers)); }
            if (want && *want == P::Finishing) { EXPECT_TRUE(t.has(A::FinishFile)); }
            ++pairs;
        }
    }
    EXPECT_EQ(pairs, kRunPhaseCount * kRunEventCount);
}

TEST(RunLifecycle, OnlyTheLifecycleEndsARunAndNothingFollowsTheEnd) {
    for (P p : kPhases) {
        for (E e : kEvents) {
            const RunTransition t = RunLifecycle::entry(p, e);
            EXPECT_EQ(t.has(A::Report), !t.ignored && t.to == P::Finished) << runPhaseName(p) << " + " << runEventName(e);
            if (p == P::Finished) { EXPECT_TRUE(t.ignored); }
        }
    }
}

TEST(RunLifecycle, AStorageWorkerDyingWhileTheFileIsFinishedFailsTheRun) {
    RunLifecycle l = reach(P::Finishing);
    ASSERT_EQ(l.status(), RunStatus::Completed);
    const RunTransition t = l.on(E::StorageDied, QStringLiteral("storage worker crashed"));
    // Finishing again: the next storage worker seals the file the dead one left.
    EXPECT_EQ(l.phase(), P::Finishing);
    EXPECT_EQ(l.status(), RunStatus::Failed);
    EXPECT_EQ(l.reason(), QStringLiteral("storage worker crashed"));
    EXPECT_TRUE(t.has(A::FinishFile));
    EXPECT_TRUE(l.on(E::StorageClosed).has(A::Report));
    EXPECT_EQ(l.phase(), P::Finished);
    EXPECT_EQ(l.status(), RunStatus::Failed);

    RunLifecycle c = reach(P::Closing);
    c.on(E::StorageDied, QStringLiteral("storage worker crashed"));
    EXPECT_EQ(c.status(), RunStatus::Failed);
    c.on(E::WorkersClosed);
    EXPECT_EQ(c.phase(), P::Finishing);
    EXPECT_EQ(c.status(), RunStatus::Failed);
}

TEST(RunLifecycle, TheFirstFailureNamesTheRunAndOnlyAFailureFillsBelowItsPoint) {
    RunLifecycle l = reach(P::Running);
    l.on(E::Failure, QStringLiteral("diode failed at point 40"), 40);
    EXPECT_EQ(l.boundary(), 40);
    l.on(E::WorkerDied, QStringLiteral("worker 1 crashed at point 12"), 12);
    l.on(E::Failure, QStringLiteral("later"), 90);
    EXPECT_EQ(l.status(), RunStatus::Failed);
    EXPECT_EQ(l.reason(), QStringLiteral("diode failed at point 40"));
    EXPECT_EQ(l.boundary(), 12) << "the points missing below the first failing point are measured";
    EXPECT_TRUE(l.on(E::JobsSettled).has(A::ApplyBoundary | A::Pump));
    EXPECT_EQ(l.phase(), P::Filling);
    EXPECT_TRUE(l.on(E::Stop, QStringLiteral("stopped by the user")).has(A::CancelStop)) << "a stop ends the filling too";
    EXPECT_EQ(l.boundary(), 0);
    EXPECT_EQ(l.status(), RunStatus::Failed) << "a stop after a failure keeps the failure";
    l.on(E::Abort);
    EXPECT_EQ(l.status(), RunStatus::Failed) << "an abort after a failure keeps the failure";
}

TEST(RunLifecycle, AStopKeepsWhatWasMeasuredAndMeasuresNothingMore) {
    for (E stop : {E::Stop, E::DiskFull}) {
        RunLifecycle l = reach(P::Running);
        EXPECT_TRUE(l.on(stop, QStringLiteral("why")).has(A::PauseJobs | A::CancelStop));
        EXPECT_EQ(l.boundary(), 0) << "no gap is filled: the jobs in flight end at their next point";
        l.on(E::JobsSettled);
        EXPECT_EQ(l.phase(), P::Filling);
        EXPECT_TRUE(l.on(E::PointsDone).has(A::CloseWorkers));
        EXPECT_EQ(l.status(), RunStatus::Stopped);
    }
}

TEST(RunLifecycle, AStorageFailureAbortsAtOnceNamingTheStorage) {
    for (P p : {P::Starting, P::Running, P::Paused, P::Stopping, P::Filling, P::Aborting}) {
        SCOPED_TRACE(runPhaseName(p));
        RunLifecycle l = reach(p);
        const RunTransition t = l.on(E::StorageDied, QStringLiteral("storage worker killed by signal 9"));
        EXPECT_EQ(l.phase(), P::Aborting);
        EXPECT_EQ(l.boundary(), 0);
        EXPECT_EQ(l.status(), RunStatus::Failed);
        if (p != P::Aborting) {
            EXPECT_TRUE(t.has(A::CancelAbort | A::PauseJobs)) << "no new job, the ones in flight abort";
        }
        EXPECT_EQ(l.reason(), QStringLiteral("storage worker killed by signal 9"));
    }
}

TEST(RunLifecycle, AStopThatDoesNotFinishInTimeAbortsAndSaysWhy) {
    RunLifecycle l = reach(P::Stopping);
    const RunTransition t = l.on(E::Timeout, QStringLiteral("stopping did not finish within 30 s"));
    EXPECT_EQ(l.phase(), P::Aborting);
    EXPECT_EQ(l.status(), RunStatus::Failed);
    EXPECT_EQ(l.reason(), QStringLiteral("reason (then stopping did not finish within 30 s)"));
    EXPECT_TRUE(t.has(A::CancelAbort));
    const RunTransition kill = l.on(E::Timeout);
    EXPECT_TRUE(kill.has(A::KillBusy));
    EXPECT_EQ(l.phase(), P::Aborting);
}

TEST(RunLifecycle, ACompletedRunWalksEveryEndingPhaseOnce) {
    RunLifecycle l;
    EXPECT_EQ(l.publicState(), RunState::Starting);
    EXPECT_TRUE(l.on(E::Opened).has(A::Pump));
    EXPECT_TRUE(l.dispatching());
    EXPECT_TRUE(l.on(E::PointsDone).has(A::CloseWorkers));
    EXPECT_TRUE(l.closing());
    EXPECT_EQ(l.publicState(), RunState::Running);
    EXPECT_TRUE(l.on(E::WorkersClosed).has(A::FinishFile));
    EXPECT_TRUE(l.on(E::StorageClosed).has(A::Report));
    EXPECT_EQ(l.status(), RunStatus::Completed);
    EXPECT_TRUE(l.reason().isEmpty());
    EXPECT_EQ(l.publicState(), RunState::Finished);
}

TEST(RunLifecycle, PauseThenResumeReturnsToRunningAndStopFromPauseKeepsMeasuredPoints) {
    RunLifecycle l = reach(P::Paused);
    EXPECT_EQ(l.publicState(), RunState::Paused);
    EXPECT_TRUE(l.on(E::JobsSettled).has(A::Publish)) << "a settled pause is news for the user";
    EXPECT_EQ(l.phase(), P::Paused);
    EXPECT_FALSE(l.dispatching());
    EXPECT_TRUE(l.on(E::Resume).has(A::ResumeJobs));
    EXPECT_EQ(l.phase(), P::Running);
    l.on(E::Pause);
    l.on(E::Stop, QStringLiteral("stopped by the user"));
    EXPECT_EQ(l.phase(), P::Stopping);
    EXPECT_TRUE(l.on(E::JobsSettled).has(A::ApplyBoundary));
    EXPECT_TRUE(l.dispatching());
    l.on(E::PointsDone);
    EXPECT_EQ(l.status(), RunStatus::Stopped);
    EXPECT_EQ(l.reason(), QStringLiteral("stopped by the user"));
}
