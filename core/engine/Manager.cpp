#include "core/engine/Manager.h"

#include "core/engine/RunSetup.h"
#include "core/engine/Scheduler.h"
#include "core/engine/StorageLink.h"
#include "core/engine/WorkerPool.h"
#include "core/protocol/Messages.h"
#include "core/protocol/ResultFrame.h"

#include <QThread>
#include <QTimer>
#include <spdlog/spdlog.h>

#include <set>

namespace acquila::engine {

Manager::Manager(EngineConfig config) : config_(std::move(config)) {}

Manager::~Manager() = default;

void Manager::log(int level, const QString& text, const QString& source) {
    spdlog::log(static_cast<spdlog::level::level_enum>(level), "[{}] {}", source.toStdString(), text.toStdString());
    emit logged(LogEntry{QDateTime::currentDateTime(), level, source, text});
    if (run_) storage_->log(level, source + QStringLiteral(": ") + text);
}

void Manager::start(std::vector<std::shared_ptr<ResultSink>> sinks) {
    sinks_ = std::move(sinks);
    WorkerPool::Config pc;
    pc.workerExe = config_.workerExe;
    pc.deviceWorkers = config_.workers > 0 ? config_.workers : std::max(1, QThread::idealThreadCount());
    pc.storageWorker = config_.storage;
    pc.heartbeatMs = config_.heartbeatMs;
    pc.heartbeatTimeoutMs = config_.heartbeatTimeoutMs;
    pc.extraArgs = config_.workerArgs;
    WorkerPool::Callbacks cb;
    cb.connected = [this](int w) { onConnected(w); };
    cb.message = [this](int w, protocol::Message&& m) { onMessage(w, std::move(m)); };
    cb.died = [this](int w, const QString& r) { onDied(w, r); };
    // Worker status changes up to twice per job: publish them on the coalescing timer.
    cb.statusChanged = [this] {
        workersDirty_ = true;
        if (!coalesceTimer_->isActive()) coalesceTimer_->start();
    };
    pool_ = new WorkerPool(pc, cb, this);
    storage_ = std::make_unique<StorageLink>(*pool_, nextRequestId_, config_.storageQueueBytes);

    coalesceTimer_ = new QTimer(this);
    coalesceTimer_->setSingleShot(true);
    coalesceTimer_->setInterval(config_.coalesceMs);
    connect(coalesceTimer_, &QTimer::timeout, this, &Manager::publish);
    watchdogTimer_ = new QTimer(this);
    connect(watchdogTimer_, &QTimer::timeout, this, &Manager::watchdog);
    watchdogTimer_->start(100);
    phaseTimer_ = new QTimer(this);
    phaseTimer_->setSingleShot(true);
    connect(phaseTimer_, &QTimer::timeout, this, &Manager::onTimeout);

    QString error;
    if (!pool_->start(&error)) {
        log(4, error);
        emit poolFailed(error);
    }
}

// ---- messages from the workers ----------------------------------------------------------

void Manager::onConnected(int worker) {
    timedOut_.erase(worker);  // a new process with a fresh black box
    // Worker 0 opens the exclusive devices.
    // A device that hung while opening would hang every new worker too: it is skipped.
    const protocol::Configure configure{config_.lab, worker == 0, config_.flushIntervalS, config_.dataDirectory, hungOpening_};
    pool_->send(worker, protocol::toMessage(configure, nextRequestId_++));
    replaySetNow(worker);  // queued behind the configure: applied before anything else reaches the devices
}

void Manager::onMessage(int worker, protocol::Message&& m) {
    switch (m.type) {
        case protocol::MessageType::Describe: onDescribe(worker, m); break;
        case protocol::MessageType::Result: onResult(worker, m); break;
        case protocol::MessageType::Error: onError(worker, m); break;
        case protocol::MessageType::Open: onOpenReply(worker, m); break;
        case protocol::MessageType::Close: onCloseReply(worker, m); break;
        case protocol::MessageType::StoreStatus: onStoreStatus(worker, m); break;
        case protocol::MessageType::Set:
        case protocol::MessageType::Move: onApplyReply(worker, m); break;
        case protocol::MessageType::Monitor: onMonitor(worker, m); break;
        case protocol::MessageType::Log:
            if (auto line = protocol::LogLine::decode(m)) log(std::clamp(line->level, 0, 5), line->text, QStringLiteral("worker %1").arg(worker));
            else protocolError(worker, line.error());
            break;
        default:
            pool_->kill(worker, QStringLiteral("protocol error: unexpected '%1' message").arg(QLatin1String(protocol::messageTypeName(m.type))));
    }
}

void Manager::protocolError(int worker, const QString& error) {
    pool_->kill(worker, QStringLiteral("protocol error: %1").arg(error));
}

void Manager::onDescribe(int worker, const protocol::Message& m) {
    auto described = protocol::Describe::decode(m);
    if (!described) return protocolError(worker, described.error());
    for (const QString& e : described->errors) log(4, e, QStringLiteral("worker %1").arg(worker));
    const bool first = !configured_[worker];
    configured_[worker] = true;
    if (first) pool_->setReady(worker);
    if (worker == 0) {
        devices_ = std::move(described->devices);
        emit devicesChanged(devices_);
    }
    if (run_ && first && eligible(worker) && !run_->life.closing() && run_->life.phase() != RunPhase::Aborting) openOn(worker);
    if (run_ && first && worker == pool_->storageWorkerId() && storage_->state() == StorageLink::State::Opening) openStorage();
    if (run_ && first && worker == pool_->storageWorkerId()) storage_->sealIfReady();
    if (!run_) startNext();
}

void Manager::onOpenReply(int worker, const protocol::Message& m) {
    auto reply = protocol::OpenReply::decode(m);
    if (!reply) return protocolError(worker, reply.error());
    if (!run_ || reply->run != run_->id) return;
    Run& r = *run_;
    r.opening.erase(worker);
    if (!reply->error.isEmpty()) {
        fail(RunEvent::Failure, QStringLiteral("could not start the run: %1").arg(reply->error), 0);
        return;
    }
    if (r.life.closing() || r.life.phase() == RunPhase::Aborting) {
        // Joined too late: close it again right away.
        pool_->send(worker, protocol::toMessage(protocol::CloseRun{r.id}, nextRequestId_++));
        r.closing.insert(worker);
        return;
    }
    r.opened.insert(worker);
    const auto store = storage_->state();
    if (r.life.phase() != RunPhase::Starting || store == StorageLink::State::Off || store == StorageLink::State::Open)
        raise(RunEvent::Opened);
}

void Manager::onResult(int worker, const protocol::Message& m) {
    if (!run_) return;
    Run& r = *run_;
    const quint64 job = m.id;  // a result's message id is its job id
    const JobRange* range = r.sched->job(job);
    if (!range || range->worker != worker) return;  // late results of a job that already ended are dropped
    protocol::ResultMeta meta;
    auto batch = protocol::parseResultBody(m.body, &meta);
    if (batch && batch->runId != r.id) return;  // a late result of an earlier run
    if (!batch || !r.sched->onResult(job, batch->first, batch->count, meta.seconds)) {
        pool_->kill(worker, QStringLiteral("protocol error: %1").arg(batch ? QStringLiteral("result outside its job") : batch.error()));
        return;
    }
    if (batch->count > 0) {
        auto ptr = std::make_shared<const model::ResultBatch>(std::move(*batch));
        qint64 bytes = 0;
        for (const model::Channel& c : ptr->channels) bytes += c.data.size();
        storage_->forward(m.body, bytes);
        for (auto& s : sinks_) s->write(ptr);
        pendingBatches_.push_back(std::move(ptr));
        if (!coalesceTimer_->isActive()) coalesceTimer_->start();
    }
    if (meta.final) r.sched->onJobEnded(job);
    pump();  // before deciding the worker is idle: usually it just got its next job
    if (r.sched->inFlight(worker) == 0) pool_->setBusy(worker, false);
    advance();
}

void Manager::onError(int worker, const protocol::Message& m) {
    auto e = protocol::ErrorReport::decode(m);
    if (!e) return protocolError(worker, e.error());
    if (!run_ || e->run != run_->id) return;
    run_->sched->onJobEnded(e->job);
    if (run_->sched->inFlight(worker) == 0) pool_->setBusy(worker, false);
    fail(RunEvent::Failure, QStringLiteral("device '%1' failed during %2 at point %3: %4").arg(e->device, e->op).arg(e->point).arg(e->message),
         e->point);
}

void Manager::onCloseReply(int worker, const protocol::Message& m) {
    auto reply = protocol::CloseReply::decode(m);
    if (!reply) return protocolError(worker, reply.error());
    if (!run_ || reply->run != run_->id) return;
    if (!reply->error.isEmpty()) log(3, reply->error, QStringLiteral("worker %1").arg(worker));
    if (run_->closing.erase(worker) && run_->closing.empty()) raise(RunEvent::WorkersClosed);
}

void Manager::onStoreStatus(int worker, const protocol::Message& m) {
    auto status = protocol::StoreStatus::decode(m);
    if (!status) return protocolError(worker, status.error());
    const QString& error = status->error;
    const auto outcome = storage_->onStatus(*status);
    if (run_) {
        Run& r = *run_;
        switch (outcome) {
            case StorageLink::Outcome::Opened:
                log(2, QStringLiteral("run %1 writes %2").arg(r.id).arg(storage_->filePath()));
                if (r.life.phase() == RunPhase::Starting && !r.opened.empty()) raise(RunEvent::Opened);
                break;
            case StorageLink::Outcome::OpenFailed:
                fail(RunEvent::Failure, QStringLiteral("cannot write the run file: %1").arg(error), 0);
                break;
            case StorageLink::Outcome::WriteFailed:
                storage_->lost();
                fail(RunEvent::StorageDied, QStringLiteral("storage: %1").arg(error));
                break;
            case StorageLink::Outcome::FinishFailed:
                // Data that was still cached could not reach the disk: the run did not fully succeed.
                log(4, QStringLiteral("closing %1: %2").arg(storage_->filePath(), error));
                raise(RunEvent::StorageDied, QStringLiteral("storage: %1").arg(error));
                break;
            case StorageLink::Outcome::Finished: raise(RunEvent::StorageClosed); break;
            case StorageLink::Outcome::None: break;
        }
        // Stop before the disk is full.
        if (run_ && storage_->diskAlmostFull(config_.diskReserveBytes, config_.diskDrainS))
            raise(RunEvent::DiskFull, QStringLiteral("disk almost full (%1 MiB left)").arg(storage_->status().freeBytes >> 20));
        pump();
    }
    emit storageChanged(storage_->status());
}

void Manager::onDied(int worker, const QString& reason) {
    configured_.erase(worker);
    setNowWorkerLost(worker, reason);
    if (!run_) return;
    Run& r = *run_;
    r.opening.erase(worker);
    r.opened.erase(worker);
    const bool expected = r.killed.erase(worker) > 0;
    const bool hadWork = r.sched->inFlight(worker) > 0;
    const protocol::BlackBox* box = pool_->blackBox(worker);
    const auto op = box ? static_cast<protocol::BlackBoxOp>(box->op.load()) : protocol::BlackBoxOp::Idle;
    const qint64 point = box ? box->point.load() : -1;
    const QString device = box ? deviceNameOf(box->device.load()) : QString();
    r.sched->onWorkerLost(worker);
    if (worker == pool_->storageWorkerId()) {
        const bool hadFile = storage_->holdsFile();
        storage_->lost();
        // The next storage worker seals the file when the run finishes (StorageLink::finish).
        fail(RunEvent::StorageDied, hadFile ? QStringLiteral("storage worker %1; the file keeps every point up to the last flush").arg(reason)
                                            : QStringLiteral("storage worker %1").arg(reason));
    } else if (hadWork && !expected && !r.life.closing() && r.life.phase() != RunPhase::Aborting) {
        const QString opName = QLatin1String(protocol::blackBoxOpName(op));
        const bool known = op != protocol::BlackBoxOp::Idle && point >= 0;
        const QString what =
            known && pool_->diedOfCrash(worker)
                ? QStringLiteral("device '%1' crashed its worker during %2 at point %3: worker %4 %5").arg(device, opName).arg(point).arg(worker).arg(reason)
            : known ? QStringLiteral("worker %1 %2, while device '%3' was in %4 at point %5").arg(worker).arg(reason, device, opName).arg(point)
                    : QStringLiteral("worker %1 %2").arg(worker).arg(reason);
        const qint64 key = known ? point : -1;
        if (!retryAfterCrash(key, what))
            fail(RunEvent::WorkerDied, r.retried.count(key) ? what + QStringLiteral(" (again, when measured a second time)") : what,
                 known ? point : std::max<qint64>(point, 0));
    }
    if (run_ && run_->closing.erase(worker) && run_->closing.empty()) raise(RunEvent::WorkersClosed);
    advance();
}

/**
 * With the plan's retry_after_crash, a crash while measuring does not fail the run the first
 * time at a point (-1: the point is unknown): the dead worker's points went back to pending
 * and are measured again, by the other workers or by the respawned one when it joins.
 */
bool Manager::retryAfterCrash(qint64 point, const QString& what) {
    Run& r = *run_;
    const bool measuring = r.life.phase() == RunPhase::Running || r.life.phase() == RunPhase::Paused;
    if (!r.plan.retryAfterCrash || !measuring || !r.retried.insert(point).second) return false;
    log(3, QStringLiteral("run %1: %2; measuring %3 again (retry_after_crash)")
               .arg(r.id).arg(what, point >= 0 ? QStringLiteral("point %1").arg(point) : QStringLiteral("its points")));
    pump();
    return true;
}

void Manager::watchdog() {
    // Every worker, at all times: a device call past its timeout (open, property, move, read) gets the worker killed.
    const int64_t now = protocol::BlackBox::monotonicNs();
    for (int w = 0; w < pool_->size(); ++w) {
        const protocol::BlackBox* box = pool_->blackBox(w);
        if (!box || timedOut_.count(w) || (run_ && run_->killed.count(w))) continue;
        const auto op = static_cast<protocol::BlackBoxOp>(box->op.load(std::memory_order_acquire));
        const int64_t timeout = box->timeoutNs.load();
        if (op == protocol::BlackBoxOp::Idle || timeout <= 0 || now - box->opStartNs.load() <= timeout) continue;
        const qint64 point = box->point.load();
        const QString device = deviceNameOf(box->device.load());
        QString what = QStringLiteral("device '%1' did not complete %2 within %3 s").arg(device, QLatin1String(protocol::blackBoxOpName(op))).arg(timeout / 1e9);
        if (point >= 0) what += QStringLiteral(" at point %1").arg(point);
        timedOut_.insert(w);
        if (op == protocol::BlackBoxOp::Open && !hungOpening_.contains(device)) hungOpening_ << device;
        if (run_ && (run_->opened.count(w) || run_->opening.count(w)) && !run_->life.closing()) {
            timeOutInRun(w, what, std::max<qint64>(point, 0));
            if (!run_) return;
            continue;
        }
        log(4, QStringLiteral("worker %1: %2; the worker is restarted").arg(w).arg(what));
        if (run_) run_->killed.insert(w);
        pool_->kill(w, what);
    }
}

void Manager::timeOutInRun(int worker, const QString& what, qint64 point) {
    // The worker goes first: failing may end the run at once, and the hung worker must not outlive it.
    run_->killed.insert(worker);
    run_->sched->onWorkerLost(worker);
    run_->opened.erase(worker);
    run_->opening.erase(worker);
    pool_->kill(worker, what);
    fail(RunEvent::Failure, what, point);
    advance();
}

// ---- commands ---------------------------------------------------------------------------

void Manager::enqueue(quint64 runId, const plan::Plan& plan) {
    queue_.emplace_back(runId, plan);
    startNext();
    publish();
}

void Manager::dequeue(quint64 runId) {
    std::erase_if(queue_, [runId](const auto& e) { return e.first == runId; });
    publish();
}

void Manager::handle(const EngineCommand& command) {
    struct Visitor {
        Manager& m;
        void operator()(const command::Enqueue& c) { m.enqueue(c.runId, c.plan); }
        void operator()(const command::Dequeue& c) { m.dequeue(c.runId); }
        void operator()(const command::Pause&) {
            if (!m.raise(RunEvent::Pause).ignored) m.log(2, QStringLiteral("run %1 paused").arg(m.run_->id));
        }
        void operator()(const command::Resume&) {
            if (!m.raise(RunEvent::Resume).ignored && m.run_) m.log(2, QStringLiteral("run %1 resumed").arg(m.run_->id));
        }
        void operator()(const command::Stop&) { m.raise(RunEvent::Stop, QStringLiteral("stopped by the user")); }
        void operator()(const command::Abort&) { m.raise(RunEvent::Abort); }
        void operator()(const command::SetNow& c) { m.setNow(c); }
        void operator()(const command::Shutdown&) { m.shutdown(); }
    };
    std::visit(Visitor{*this}, command);
}

void Manager::shutdown() {
    shuttingDown_ = true;
    queue_.clear();
    failSetNowAll(QStringLiteral("the engine shut down"));
    if (run_) {
        raise(RunEvent::Abort);
        return;  // report() calls shutdown() again
    }
    if (!pool_) {
        emit shutDown();
        return;
    }
    watchdogTimer_->stop();
    pool_->shutdown(config_.graceMs, [this] { emit shutDown(); });
}

}  // namespace acquila::engine
