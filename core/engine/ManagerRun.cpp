// The manager's side of one run: starting it, feeding its lifecycle and
// carrying out what the lifecycle decides (docs/architecture.md, "Run lifecycle").
#include "core/engine/Manager.h"

#include "core/engine/RunSetup.h"
#include "core/engine/Scheduler.h"
#include "core/engine/StorageLink.h"
#include "core/engine/WorkerPool.h"
#include "core/protocol/Messages.h"
#include "core/storage/RunLayout.h"

#include <QTimer>

namespace acquila::engine {

bool Manager::eligible(int worker) const {
    if (worker == pool_->storageWorkerId()) return false;
    return !run_->setup.exclusive || worker == 0;
}

QString Manager::deviceNameOf(int labIndex) const {
    if (labIndex >= 0 && labIndex < static_cast<int>(config_.lab.devices.size())) return config_.lab.devices[labIndex].name;
    return QStringLiteral("?");
}

void Manager::startNext() {
    // A run waits for the set-now requests in flight: it sees their values in every worker.
    if (run_ || queue_.empty() || shuttingDown_ || !configured_[0] || !pendingSets_.empty()) return;
    auto [id, plan] = std::move(queue_.front());
    queue_.pop_front();
    beginRun(id, plan);
}

void Manager::beginRun(quint64 runId, const plan::Plan& plan) {
    run_ = std::make_unique<Run>();
    Run& r = *run_;
    r.id = runId;
    r.plan = plan;
    r.clock.start();
    r.startTime = QDateTime::currentDateTime();
    publish();
    log(2, QStringLiteral("run %1 '%2' starting").arg(runId).arg(plan.name));
    storage_->begin(runId, false);

    auto setup = prepareRun(plan, devices_, config_, pool_->deviceWorkers());
    if (!setup) {
        // Nothing was opened: the run ends at once, failed, naming what is wrong with the plan.
        r.sched = std::make_unique<Scheduler>(Scheduler::Config{});
        raise(RunEvent::Failure, setup.error(), 0);
        return;
    }
    r.setup = std::move(*setup);
    log(2, QStringLiteral("run %1 estimate: %2").arg(runId).arg(r.setup.estimate.text()));
    r.sched = std::make_unique<Scheduler>(r.setup.scheduler);
    if (config_.storage) {
        // The file's layout is computed once, here, from the plan's own generator.
        auto layout = storage::RunLayout::forPlan(plan, *r.setup.gen, devices_, storage::RunStart{runId, r.startTime, r.setup.planJson});
        if (!layout) {
            raise(RunEvent::Failure, QStringLiteral("cannot lay out the run file: %1").arg(layout.error()), 0);
            return;
        }
        r.layout = layout->toCbor();
    }

    RunOpened opened{runId, plan, r.setup.gen->shape(), r.setup.gen->size(), r.setup.gen->axisNames(), devices_, r.startTime};
    for (auto& s : sinks_) s->runOpened(opened);
    storage_->begin(runId, config_.storage);
    if (config_.storage && storage_->workerReady() && configured_[pool_->storageWorkerId()]) openStorage();
    for (int w = 0; w < pool_->deviceWorkers(); ++w)
        if (eligible(w) && configured_[w] && pool_->isReady(w)) openOn(w);
    armTimer(RunPhase::Starting);
}

void Manager::openOn(int worker) {
    Run& r = *run_;
    // Workers rebuild the same generator from the plan and the resolved origin, so a job
    // is just a point range: no positions travel over the socket.
    pool_->send(worker, protocol::toMessage(protocol::OpenRun{r.id, r.setup.planJson, r.setup.origin}, nextRequestId_++));
    r.opening.insert(worker);
}

void Manager::openStorage() {
    Run& r = *run_;
    storage_->open(protocol::StoreOpen{r.id, r.layout, r.plan.outputDirectory});
}

void Manager::fail(RunEvent e, const QString& reason, qint64 point) {
    if (!run_) return;
    log(4, QStringLiteral("run %1: %2").arg(run_->id).arg(reason));
    raise(e, reason, point);
}

RunTransition Manager::raise(RunEvent e, const QString& reason, qint64 point) {
    if (!run_) return RunTransition{};
    Run& r = *run_;
    const model::RunState shown = r.life.publicState();
    const RunTransition t = r.life.on(e, reason, point);
    if (t.ignored) return t;
    using namespace RunAction;
    if (t.has(PauseJobs)) r.sched->setPaused(true);
    if (t.has(CancelAbort)) {
        r.sched->setBoundary(0);
        cancelInFlight(model::CancelLevel::Abort);
    } else if (t.has(CancelStop)) {
        cancelInFlight(model::CancelLevel::Stop);
    }
    if (t.has(ApplyBoundary)) {
        // Everything in flight stopped at a point boundary: after a failure at point p, measure
        // the points missing below p; after a stop the boundary is 0 and nothing more is measured.
        r.sched->setBoundary(r.life.boundary());
        r.sched->setPaused(false);
    }
    if (t.has(ResumeJobs)) r.sched->setPaused(false);
    if (t.has(FlushFile)) storage_->flush();
    if (t.has(KillBusy)) killBusy();
    if (t.has(StopTimer)) phaseTimer_->stop();
    if (t.has(ArmTimer)) armTimer(t.to);
    if (r.life.publicState() != shown || t.has(Publish)) publish();
    if (t.has(Report)) {
        report();
        return t;
    }
    if (t.has(CloseWorkers)) closeWorkers();
    if (run_ && t.has(FinishFile)) finishFile();
    if (!run_) return t;
    if (t.has(Pump)) pump();
    // advance() raises JobsSettled and PointsDone itself: after those, look again only when the run moved on.
    const bool fromAdvance = e == RunEvent::JobsSettled || e == RunEvent::PointsDone;
    if (!fromAdvance || t.to != t.from) advance();
    return t;
}

void Manager::advance() {
    if (!run_) return;
    Run& r = *run_;
    switch (r.life.phase()) {
        case RunPhase::Running:
        case RunPhase::Filling:
            if (r.sched->finished()) raise(RunEvent::PointsDone);
            break;
        case RunPhase::Paused:
        case RunPhase::Stopping:
        case RunPhase::Aborting:
            if (r.sched->inFlightTotal() == 0) raise(RunEvent::JobsSettled);
            break;
        default:
            break;
    }
}

void Manager::pump() {
    if (!run_ || !run_->life.dispatching()) return;
    Run& r = *run_;
    const bool saturated = std::any_of(sinks_.begin(), sinks_.end(), [](const auto& s) { return s->saturated(); });
    if (saturated || storage_->backlogged()) {
        QTimer::singleShot(5, this, &Manager::pump);  // storage is behind: slow acquisition down, drop nothing
        return;
    }
    for (int w : r.opened) {
        while (auto job = r.sched->next(w)) {
            pool_->send(w, protocol::toMessage(protocol::JobRequest{r.id, job->id, job->first, job->count}, job->id));
            pool_->setBusy(w, true);
        }
    }
}

void Manager::cancelInFlight(model::CancelLevel level) {
    for (int w = 0; w < pool_->size(); ++w)
        if (run_->sched->inFlight(w) > 0) pool_->send(w, protocol::toMessage(protocol::Cancel{level}, nextRequestId_++));
}

void Manager::closeWorkers() {
    Run& r = *run_;
    for (int w : r.opened) {
        pool_->send(w, protocol::toMessage(protocol::CloseRun{r.id}, nextRequestId_++));
        r.closing.insert(w);
    }
    r.opened.clear();
    if (r.closing.empty()) raise(RunEvent::WorkersClosed);
}

void Manager::finishFile() {
    Run& r = *run_;
    // The file gets its status and end snapshots before anyone hears the run ended.
    const QString reason = r.life.status() == model::RunStatus::Completed ? QString() : r.life.reason();
    if (!storage_->finish(r.life.status(), reason, devices_)) raise(RunEvent::StorageClosed);
}

void Manager::killBusy() {
    Run& r = *run_;
    for (int w = 0; w < pool_->size(); ++w) {
        if (r.sched->inFlight(w) == 0) continue;
        r.killed.insert(w);
        r.opened.erase(w);
        r.sched->onWorkerLost(w);
        pool_->kill(w, QStringLiteral("did not stop within the %1 s grace period").arg(config_.graceMs / 1000.0));
    }
}

void Manager::armTimer(RunPhase phase) {
    int ms = config_.closeTimeoutMs;
    if (phase == RunPhase::Starting) ms = config_.startTimeoutMs;
    else if (phase == RunPhase::Stopping || phase == RunPhase::Filling) ms = config_.drainTimeoutMs;
    else if (phase == RunPhase::Aborting) ms = config_.graceMs;
    phaseTimer_->start(ms);
}

void Manager::onTimeout() {
    if (!run_) return;
    Run& r = *run_;
    const double s = phaseTimer_->interval() / 1000.0;
    switch (r.life.phase()) {
        case RunPhase::Starting: fail(RunEvent::Timeout, QStringLiteral("no worker opened the run within %1 s").arg(s), 0); break;
        case RunPhase::Stopping:
        case RunPhase::Filling: raise(RunEvent::Timeout, QStringLiteral("stopping did not finish within %1 s").arg(s)); break;
        case RunPhase::Closing:
            log(3, QStringLiteral("run %1: workers did not close the run within %2 s").arg(r.id).arg(s));
            raise(RunEvent::Timeout);
            break;
        case RunPhase::Finishing: {
            const QString why = QStringLiteral("the storage worker did not close the file within %1 s").arg(s);
            log(4, QStringLiteral("run %1: %2").arg(r.id).arg(why));
            storage_->lost();
            raise(RunEvent::Timeout, why);
            break;
        }
        default: raise(RunEvent::Timeout); break;
    }
}

void Manager::report() {
    phaseTimer_->stop();
    Run& r = *run_;
    publish();  // flushes coalesced batches first, so every point precedes runFinished
    RunProgress p;
    p.runId = r.id;
    p.planName = r.plan.name;
    p.state = model::RunState::Finished;
    p.status = r.life.status();
    p.reason = p.status == model::RunStatus::Completed ? QString() : r.life.reason();
    if (!storage_->unsealed().isEmpty()) {
        p.reason += QStringLiteral("; %1 keeps status 'running'").arg(storage_->unsealed());
        if (!storage_->sealError().isEmpty()) p.reason += QStringLiteral(" (sealing it failed: %1)").arg(storage_->sealError());
        else p.reason += QStringLiteral(" (no storage worker came back to seal it)");
    }
    p.total = r.sched->total();
    p.done = r.sched->done();
    p.elapsedS = r.clock.elapsed() / 1000.0;
    p.queued = static_cast<int>(queue_.size());
    p.filePath = storage_->filePath();
    for (auto& s : sinks_) s->runClosed(p);
    log(p.status == model::RunStatus::Failed ? 4 : 2, QStringLiteral("run %1 %2: %3 of %4 points in %5 s%6")
                                                  .arg(r.id).arg(QLatin1String(model::runStatusName(p.status)))
                                                  .arg(p.done).arg(p.total).arg(p.elapsedS, 0, 'f', 2)
                                                  .arg(p.reason.isEmpty() ? QString() : QStringLiteral(" (") + p.reason + QStringLiteral(")")));
    run_.reset();
    for (int w = 0; w < pool_->size(); ++w) pool_->setBusy(w, false);
    emit runFinished(p);
    if (shuttingDown_) {
        shutdown();
        return;
    }
    QTimer::singleShot(0, this, &Manager::startNext);
}

void Manager::publish() {
    coalesceTimer_->stop();
    if (workersDirty_) {
        workersDirty_ = false;
        emit workersChanged(pool_->status());
    }
    if (!pendingBatches_.empty()) {
        auto list = std::make_shared<BatchList>(std::move(pendingBatches_));
        pendingBatches_.clear();
        emit resultsReady(list);
    }
    RunProgress p;
    p.queued = static_cast<int>(queue_.size());
    if (run_) {
        p.runId = run_->id;
        p.planName = run_->plan.name;
        p.state = run_->life.publicState();
        p.status = run_->life.status();
        p.reason = run_->life.reason();
        p.total = run_->sched ? run_->sched->total() : 0;
        p.done = run_->sched ? run_->sched->done() : 0;
        p.elapsedS = run_->clock.elapsed() / 1000.0;
        p.inFlight = run_->sched ? run_->sched->inFlightTotal() : 0;
        p.filePath = storage_->filePath();
    }
    emit progressChanged(p);
}

}  // namespace acquila::engine
