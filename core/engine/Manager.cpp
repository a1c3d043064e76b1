#include "core/engine/Manager.h"

#include "core/protocol/ResultFrame.h"
#include "core/storage/RunLayout.h"

#include <QCborArray>
#include <QJsonDocument>
#include <QThread>
#include <QTimer>
#include <spdlog/spdlog.h>

#include <limits>

namespace acquila::core {

namespace {
constexpr qint64 kNoBoundary = std::numeric_limits<qint64>::max();
QCborMap cbor(std::initializer_list<std::pair<const char*, QCborValue>> fields) {
    QCborMap m;
    for (const auto& [k, v] : fields) m.insert(QLatin1String(k), v);
    return m;
}
}  // namespace

/** The active run. Manager thread only. */
struct Manager::Run {
    quint64 id = 0;
    Plan plan;
    std::unique_ptr<PointGenerator> gen;
    std::unique_ptr<Scheduler> sched;
    RunState state = RunState::Starting;
    RunStatus status = RunStatus::None;
    QString reason;
    bool exclusive = false;        // touches an exclusive device: runs on worker 0 only
    std::set<int> opening;         // open sent, reply pending
    std::set<int> opened;          // may receive jobs
    std::set<int> closing;         // close sent, reply pending
    std::set<int> killed;          // killed by the watchdog or abort; death is expected
    bool isClosing = false;
    bool truncating = false;       // waiting for in-flight jobs to stop at a point boundary
    qint64 drainBoundary = kNoBoundary;
    bool drainToHighWater = false;  // stop keeps what was measured; a failure keeps everything below its point
    QElapsedTimer clock;
    QDateTime startTime;
    std::vector<double> origin;
    QString planJson;  // the plan as sent to workers and storage
    // Storage of this run (when the engine has a storage worker).
    enum class Store : uint8_t { Off, Opening, Open, Finishing, Closed } store = Store::Off;
    QString filePath;
    qint64 storeSent = 0;                         // result messages forwarded
    std::deque<std::pair<qint64, qint64>> storeInFlight;  // (message number, bytes) not yet acknowledged
    qint64 storeInFlightBytes = 0;
};

namespace {
constexpr qint64 kStorageQueueBytes = 256ll << 20;  // bounded queue towards the storage worker
}

Manager::Manager(EngineConfig config, QObject* parent) : QObject(parent), config_(std::move(config)) {}

Manager::~Manager() = default;

void Manager::addSink(std::shared_ptr<ResultSink> sink) { sinks_.push_back(std::move(sink)); }

void Manager::log(int level, const QString& text, const QString& source) {
    spdlog::log(static_cast<spdlog::level::level_enum>(level), "[{}] {}", source.toStdString(), text.toStdString());
    emit logged(LogEntry{QDateTime::currentDateTime(), level, source, text});
    if (run_ && run_->store == Run::Store::Open) {
        static constexpr const char* kLevels[] = {"trace", "debug", "info", "warning", "error", "critical"};
        pool_->send(pool_->storageWorkerId(),
                    Message{MessageType::Store, nextRequestId_++,
                            cbor({{"op", QStringLiteral("log")}, {"time_ms", QDateTime::currentMSecsSinceEpoch()},
                                  {"level", QLatin1String(kLevels[std::clamp(level, 0, 5)])}, {"text", source + QStringLiteral(": ") + text}})});
    }
}

void Manager::start() {
    WorkerPool::Config pc;
    pc.workerExe = config_.workerExe;
    pc.deviceWorkers = config_.workers > 0 ? config_.workers : std::max(1, QThread::idealThreadCount());
    pc.storageWorker = config_.storage;
    pc.heartbeatMs = config_.heartbeatMs;
    pc.heartbeatTimeoutMs = config_.heartbeatTimeoutMs;
    pc.extraArgs = config_.workerArgs;
    WorkerPool::Callbacks cb;
    cb.connected = [this](int w) { onConnected(w); };
    cb.message = [this](int w, Message&& m) { onMessage(w, std::move(m)); };
    cb.died = [this](int w, const QString& r) { onDied(w, r); };
    // Worker status changes up to twice per job: publish them on the coalescing timer.
    cb.statusChanged = [this] {
        workersDirty_ = true;
        if (!coalesceTimer_->isActive()) coalesceTimer_->start();
    };
    pool_ = new WorkerPool(pc, cb, this);

    coalesceTimer_ = new QTimer(this);
    coalesceTimer_->setSingleShot(true);
    coalesceTimer_->setInterval(config_.coalesceMs);
    connect(coalesceTimer_, &QTimer::timeout, this, &Manager::publish);
    watchdogTimer_ = new QTimer(this);
    connect(watchdogTimer_, &QTimer::timeout, this, &Manager::watchdog);
    watchdogTimer_->start(100);
    transitionTimer_ = new QTimer(this);
    transitionTimer_->setSingleShot(true);

    QString error;
    if (!pool_->start(&error)) {
        log(4, error);
        emit poolFailed(error);
    }
}

void Manager::onConnected(int worker) {
    QCborMap p;
    p.insert(QLatin1String("lab"), config_.lab.toCbor());
    p.insert(QLatin1String("exclusive"), worker == 0);  // worker 0 opens the exclusive devices
    p.insert(QLatin1String("flush_interval_s"), config_.flushIntervalS);
    p.insert(QLatin1String("data_directory"), config_.dataDirectory);
    pool_->send(worker, Message{MessageType::Configure, nextRequestId_++, p});
}

void Manager::onMessage(int worker, Message&& m) {
    switch (m.type) {
        case MessageType::Describe: onDescribe(worker, m); break;
        case MessageType::Result: onResult(worker, m); break;
        case MessageType::Error: onError(worker, m); break;
        case MessageType::Open: onOpenReply(worker, m); break;
        case MessageType::Close: onCloseReply(worker, m); break;
        case MessageType::StoreStatus: onStoreStatus(m); break;
        case MessageType::Log:
            log(static_cast<int>(std::clamp<qint64>(m.payload.value(QLatin1String("level")).toInteger(2), 0, 5)),
                m.payload.value(QLatin1String("text")).toString(), QStringLiteral("worker %1").arg(worker));
            break;
        default:
            pool_->kill(worker, QStringLiteral("protocol error: unexpected '%1' message").arg(QLatin1String(messageTypeName(m.type))));
    }
}

void Manager::onDescribe(int worker, const Message& m) {
    std::vector<DeviceDescription> list;
    for (const QCborValue& v : m.payload.value(QLatin1String("devices")).toArray()) {
        auto d = DeviceDescription::fromCbor(v.toMap());
        if (!d) {
            pool_->kill(worker, QStringLiteral("protocol error: %1").arg(d.error()));
            return;
        }
        list.push_back(std::move(*d));
    }
    for (const QCborValue& e : m.payload.value(QLatin1String("errors")).toArray())
        log(4, e.toString(), QStringLiteral("worker %1").arg(worker));
    const bool first = !configured_[worker];
    configured_[worker] = true;
    if (first) pool_->setReady(worker);
    if (worker == 0) {
        devices_ = std::move(list);
        emit devicesChanged(devices_);
    }
    if (run_ && first && eligible(worker) && !run_->isClosing && run_->state != RunState::Aborting) openOn(worker);
    if (run_ && first && worker == pool_->storageWorkerId() && run_->store == Run::Store::Opening) openStorage();
    if (!run_) startNext();
}

bool Manager::eligible(int worker) const {
    if (worker == pool_->storageWorkerId()) return false;
    return !run_->exclusive || worker == 0;
}

QString Manager::deviceNameOf(int labIndex) const {
    if (labIndex >= 0 && labIndex < static_cast<int>(config_.lab.devices.size())) return config_.lab.devices[labIndex].name;
    return QStringLiteral("?");
}

void Manager::enqueue(quint64 runId, const Plan& plan) {
    queue_.emplace_back(runId, plan);
    startNext();
    publish();
}

void Manager::dequeue(quint64 runId) {
    std::erase_if(queue_, [runId](const auto& e) { return e.first == runId; });
    publish();
}

void Manager::startNext() {
    if (run_ || queue_.empty() || shuttingDown_ || !configured_[0]) return;
    auto [id, plan] = std::move(queue_.front());
    queue_.pop_front();
    beginRun(id, plan);
}

void Manager::beginRun(quint64 runId, const Plan& plan) {
    run_ = std::make_unique<Run>();
    Run& r = *run_;
    r.id = runId;
    r.plan = plan;
    r.clock.start();
    r.startTime = QDateTime::currentDateTime();
    setState(RunState::Starting);
    log(2, QStringLiteral("run %1 '%2' starting").arg(runId).arg(plan.name));

    const QString invalid = validatePlan(plan, devices_);
    std::vector<double> origin;
    for (const AxisSpec& a : plan.axes) {
        double pos = 0;
        for (const auto& d : devices_)
            for (size_t i = 0; i < d.axes.size(); ++i)
                if (d.axes[i].name == a.device && i < d.positions.size()) pos = d.positions[i];
        origin.push_back(pos);
    }
    auto gen = invalid.isEmpty() ? PointGenerator::create(plan, origin) : Result<std::unique_ptr<PointGenerator>>::failure(invalid);
    if (!gen) {
        r.status = RunStatus::Failed;
        r.reason = gen.error();
        r.sched = std::make_unique<Scheduler>(Scheduler::Config{});
        finishRun();
        return;
    }
    r.gen = std::move(*gen);
    r.origin = origin;
    // Workers and storage all get the plan as run, serialized once.
    r.planJson = QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact));
    // A plan that touches an exclusive device runs where that device lives: worker 0.
    auto touches = [&](const DeviceDescription& d) {
        for (const AxisSpec& a : plan.axes)
            if (d.findAxis(a.device)) return true;
        for (const QString& det : plan.detectors)
            if (d.findOutput(det)) return true;
        return plan.properties.contains(d.name);
    };
    for (const auto& d : devices_)
        if (d.concurrency == Concurrency::Exclusive && touches(d)) r.exclusive = true;

    Scheduler::Config sc;
    sc.total = r.gen->size();
    sc.fixedJobSize = plan.pointsPerJob;
    sc.maxInFlightPerWorker = config_.maxInFlightPerWorker;
    // Tiny fixed jobs are bound by latency, not work: keep a deeper pipeline so a worker
    // always finds its next job queued. Cancelling still costs at most a few points.
    if (plan.pointsPerJob > 0 && plan.pointsPerJob <= 16 && config_.maxInFlightPerWorker > 1)
        sc.maxInFlightPerWorker = std::max(config_.maxInFlightPerWorker, 32);
    sc.workerCount = r.exclusive ? 1 : pool_->deviceWorkers();
    r.sched = std::make_unique<Scheduler>(sc);

    RunOpened opened{runId, plan, r.gen->shape(), r.gen->size(), r.gen->axisNames(), devices_, r.startTime};
    for (auto& s : sinks_) s->runOpened(opened);
    if (config_.storage) {
        r.store = Run::Store::Opening;
        if (pool_->isReady(pool_->storageWorkerId()) && configured_[pool_->storageWorkerId()]) openStorage();
    }
    for (int w = 0; w < pool_->deviceWorkers(); ++w)
        if (eligible(w) && configured_[w] && pool_->isReady(w)) openOn(w);
    armTransitionTimeout(config_.startTimeoutMs, QStringLiteral("starting"));
}

void Manager::openOn(int worker) {
    Run& r = *run_;
    // Workers rebuild the same generator from the plan and the resolved origin, so a job
    // is just a point range: no positions travel over the socket.
    QCborArray resolved;
    for (double pos : r.origin) resolved.append(pos);
    pool_->send(worker, Message{MessageType::Open, nextRequestId_++,
                                cbor({{"run", static_cast<qint64>(r.id)}, {"plan", r.planJson}, {"origin", resolved}})});
    r.opening.insert(worker);
}

void Manager::onOpenReply(int worker, const Message& m) {
    if (!run_ || static_cast<quint64>(m.payload.value(QLatin1String("run")).toInteger()) != run_->id) return;
    Run& r = *run_;
    r.opening.erase(worker);
    const QString error = m.payload.value(QLatin1String("error")).toString();
    if (!error.isEmpty()) {
        fail(QStringLiteral("could not start the run: %1").arg(error), 0);
        return;
    }
    if (r.isClosing || r.state == RunState::Aborting) {
        // Joined too late: close it again right away.
        pool_->send(worker, Message{MessageType::Close, nextRequestId_++, cbor({{"run", static_cast<qint64>(r.id)}})});
        r.closing.insert(worker);
        return;
    }
    r.opened.insert(worker);
    if (r.state == RunState::Starting && (r.store == Run::Store::Off || r.store == Run::Store::Open)) {
        transitionTimer_->stop();
        setState(RunState::Running);
    }
    pump();
    maybeAdvance();
}

void Manager::pump() {
    if (!run_ || run_->isClosing) return;
    Run& r = *run_;
    if (r.state != RunState::Running && !(r.state == RunState::Stopping && !r.truncating)) return;
    for (const auto& s : sinks_)
        if (s->saturated() || storageBacklogged()) {
            QTimer::singleShot(5, this, &Manager::pump);  // storage is behind: slow acquisition down, drop nothing
            return;
        }
    for (int w : r.opened) {
        while (auto job = r.sched->next(w)) {
            pool_->send(w, Message{MessageType::Job, job->id,
                                   cbor({{"run", static_cast<qint64>(r.id)}, {"job", static_cast<qint64>(job->id)},
                                         {"first", job->first}, {"count", job->count}})});
            pool_->setBusy(w, true);
        }
    }
}

void Manager::onResult(int worker, const Message& m) {
    if (!run_) return;
    Run& r = *run_;
    const quint64 job = m.id;  // a result's message id is its job id
    const JobRange* range = r.sched->job(job);
    if (!range || range->worker != worker) {
        // Late results of a job that already ended (cancelled, previous run) are dropped.
        return;
    }
    ResultMeta meta;
    auto batch = m.body.isEmpty() ? ResultBatch::fromCbor(m.payload) : parseResultBody(m.body, &meta);
    if (m.body.isEmpty()) {
        meta.final = m.payload.value(QLatin1String("final")).toBool();
        meta.seconds = m.payload.value(QLatin1String("seconds")).toDouble(-1);
    }
    if (batch && batch->runId != r.id) return;  // a late result of an earlier run
    if (!batch || !r.sched->onResult(job, batch->first, batch->count, meta.seconds)) {
        pool_->kill(worker, QStringLiteral("protocol error: %1").arg(batch ? QStringLiteral("result outside its job") : batch.error()));
        return;
    }
    if (batch->count > 0) {
        auto ptr = std::make_shared<const ResultBatch>(std::move(*batch));
        forwardToStorage(m, *ptr);
        for (auto& s : sinks_) s->write(ptr);
        pendingBatches_.push_back(std::move(ptr));
        if (!coalesceTimer_->isActive()) coalesceTimer_->start();
    }
    if (meta.final) r.sched->onJobEnded(job);
    pump();  // before deciding the worker is idle: usually it just got its next job
    if (r.sched->inFlight(worker) == 0) pool_->setBusy(worker, false);
    maybeAdvance();
}

void Manager::onError(int worker, const Message& m) {
    if (!run_ || static_cast<quint64>(m.payload.value(QLatin1String("run")).toInteger()) != run_->id) return;
    const quint64 job = static_cast<quint64>(m.payload.value(QLatin1String("job")).toInteger());
    const qint64 point = m.payload.value(QLatin1String("point")).toInteger();
    const QString device = m.payload.value(QLatin1String("device")).toString();
    const QString op = m.payload.value(QLatin1String("op")).toString();
    const QString text = m.payload.value(QLatin1String("message")).toString();
    run_->sched->onJobEnded(job);
    if (run_->sched->inFlight(worker) == 0) pool_->setBusy(worker, false);
    fail(QStringLiteral("device '%1' failed during %2 at point %3: %4").arg(device, op).arg(point).arg(text), point);
}

void Manager::fail(const QString& reason, qint64 point) {
    if (!run_) return;
    Run& r = *run_;
    log(4, QStringLiteral("run %1: %2").arg(r.id).arg(reason));
    if (r.state == RunState::Aborting || r.isClosing) {
        if (r.status != RunStatus::Failed && r.state != RunState::Aborting) r.reason = reason;
        return;
    }
    const bool firstFailure = r.status != RunStatus::Failed;
    r.status = RunStatus::Failed;
    if (firstFailure) r.reason = reason;
    drain(RunStatus::Failed, reason, point);
}

void Manager::drain(RunStatus status, const QString& reason, qint64 boundary) {
    Run& r = *run_;
    if (r.status != RunStatus::Failed) r.status = status;
    if (r.reason.isEmpty()) r.reason = reason;
    r.drainBoundary = std::min(r.drainBoundary, boundary);
    r.sched->setPaused(true);
    r.truncating = true;
    if (r.state != RunState::Stopping) {
        setState(RunState::Stopping);
        armTransitionTimeout(config_.drainTimeoutMs, QStringLiteral("stopping"));
    }
    cancelInFlight(1);
    maybeAdvance();
}

void Manager::cancelInFlight(int level) {
    for (int w = 0; w < pool_->size(); ++w)
        if (run_->sched->inFlight(w) > 0)
            pool_->send(w, Message{MessageType::Cancel, nextRequestId_++, cbor({{"level", level}})});
}

void Manager::maybeAdvance() {
    if (!run_ || run_->isClosing) return;
    Run& r = *run_;
    switch (r.state) {
        case RunState::Running:
            if (r.sched->finished()) {
                r.status = RunStatus::Completed;
                closeRun();
            }
            break;
        case RunState::Stopping:
            if (r.truncating && r.sched->inFlightTotal() == 0) {
                // Everything in flight stopped at a point boundary: measure the gaps below
                // the boundary so the kept points are contiguous, then finish.
                r.truncating = false;
                r.sched->setBoundary(r.drainToHighWater ? std::min(r.drainBoundary, r.sched->highWater()) : r.drainBoundary);
                r.sched->setPaused(false);
                pump();
            }
            if (!r.truncating && r.sched->finished()) closeRun();
            break;
        case RunState::Aborting:
            if (r.sched->inFlightTotal() == 0) closeRun();
            break;
        case RunState::Paused:
            if (r.sched->inFlightTotal() == 0) publish();  // tell the UI the pause is complete
            break;
        default:
            break;
    }
}

void Manager::pause() {
    if (!run_ || run_->state != RunState::Running) return;
    setState(RunState::Paused);
    run_->sched->setPaused(true);
    cancelInFlight(1);
    if (run_->store == Run::Store::Open)
        pool_->send(pool_->storageWorkerId(), Message{MessageType::Store, nextRequestId_++, cbor({{"op", QStringLiteral("flush")}})});
    log(2, QStringLiteral("run %1 paused").arg(run_->id));
}

void Manager::resume() {
    if (!run_ || run_->state != RunState::Paused) return;
    setState(RunState::Running);
    run_->sched->setPaused(false);
    log(2, QStringLiteral("run %1 resumed").arg(run_->id));
    pump();
    maybeAdvance();
}

void Manager::stop() {
    if (!run_ || run_->isClosing) return;
    const RunState s = run_->state;
    if (s == RunState::Running || s == RunState::Paused || s == RunState::Starting) {
        run_->drainToHighWater = true;
        drain(RunStatus::Stopped, QStringLiteral("stopped by the user"), kNoBoundary);
    }
}

void Manager::abort() {
    if (!run_ || run_->isClosing || run_->state == RunState::Aborting) return;
    Run& r = *run_;
    if (r.status != RunStatus::Failed) {
        r.status = RunStatus::Aborted;
        r.reason = QStringLiteral("aborted by the user");
    }
    setState(RunState::Aborting);
    r.sched->setPaused(true);
    r.sched->setBoundary(0);
    cancelInFlight(2);
    // Cooperative first; whoever still works after the grace period is killed and respawned.
    armTransitionTimeout(config_.graceMs, QStringLiteral("aborting"));
    maybeAdvance();
}

void Manager::onDied(int worker, const QString& reason) {
    configured_.erase(worker);
    if (!run_) return;
    Run& r = *run_;
    r.opening.erase(worker);
    r.opened.erase(worker);
    const bool expected = r.killed.erase(worker) > 0;
    const bool hadWork = r.sched && r.sched->inFlight(worker) > 0;
    const BlackBox* box = pool_->blackBox(worker);
    const auto op = box ? static_cast<BlackBoxOp>(box->op.load()) : BlackBoxOp::Idle;
    const qint64 point = box ? box->point.load() : -1;
    const QString device = box ? deviceNameOf(box->device.load()) : QString();
    if (r.sched) r.sched->onWorkerLost(worker);
    if (r.closing.erase(worker) && r.closing.empty() && r.isClosing && r.store != Run::Store::Finishing) finishRun();
    if (!run_ || r.isClosing) return;
    if (worker == pool_->storageWorkerId()) {
        if (r.store == Run::Store::Finishing) {
            r.store = Run::Store::Closed;
            completeRun();
            return;
        }
        const bool hadFile = r.store == Run::Store::Open;
        r.store = Run::Store::Closed;
        r.drainToHighWater = true;  // nothing can store further points: stop measuring
        fail(hadFile ? QStringLiteral("storage worker %1; %2.part keeps every point up to the last flush").arg(reason, r.filePath)
                     : QStringLiteral("storage worker %1").arg(reason),
             kNoBoundary);
    } else if (hadWork && !expected && r.state != RunState::Aborting) {
        if (op != BlackBoxOp::Idle && point >= 0)
            fail(QStringLiteral("device '%1' crashed its worker during %2 at point %3: worker %4 %5")
                     .arg(device, QLatin1String(blackBoxOpName(op))).arg(point).arg(worker).arg(reason),
                 point);
        else
            fail(QStringLiteral("worker %1 %2").arg(worker).arg(reason), std::max<qint64>(point, 0));
    }
    maybeAdvance();
}

void Manager::watchdog() {
    if (!run_ || run_->isClosing) return;
    const int64_t now = BlackBox::monotonicNs();
    for (int w : std::set<int>(run_->opened)) {
        const BlackBox* box = pool_->blackBox(w);
        if (!box || run_->killed.count(w)) continue;
        const auto op = static_cast<BlackBoxOp>(box->op.load(std::memory_order_acquire));
        const int64_t timeout = box->timeoutNs.load();
        if (op == BlackBoxOp::Idle || timeout <= 0 || now - box->opStartNs.load() <= timeout) continue;
        const qint64 point = box->point.load();
        fail(QStringLiteral("device '%1' did not complete %2 within %3 s at point %4")
                 .arg(deviceNameOf(box->device.load()), QLatin1String(blackBoxOpName(op)))
                 .arg(timeout / 1e9)
                 .arg(point),
             point);
        run_->killed.insert(w);
        run_->sched->onWorkerLost(w);
        run_->opened.erase(w);
        pool_->kill(w, QStringLiteral("killed after a device timeout"));
        maybeAdvance();
        if (!run_) return;
    }
}

void Manager::closeRun() {
    Run& r = *run_;
    if (r.isClosing) return;
    r.isClosing = true;
    if (r.status == RunStatus::None) r.status = RunStatus::Completed;
    for (int w : r.opened) {
        pool_->send(w, Message{MessageType::Close, nextRequestId_++, cbor({{"run", static_cast<qint64>(r.id)}})});
        r.closing.insert(w);
    }
    r.opened.clear();
    if (r.closing.empty()) {
        finishRun();
        return;
    }
    armTransitionTimeout(config_.closeTimeoutMs, QStringLiteral("closing"));
}

void Manager::onCloseReply(int worker, const Message& m) {
    if (!run_ || static_cast<quint64>(m.payload.value(QLatin1String("run")).toInteger()) != run_->id) return;
    const QString error = m.payload.value(QLatin1String("error")).toString();
    if (!error.isEmpty()) log(3, error, QStringLiteral("worker %1").arg(worker));
    run_->closing.erase(worker);
    if (run_->isClosing && run_->closing.empty() && run_->store != Run::Store::Finishing) finishRun();
}

void Manager::finishRun() {
    transitionTimer_->stop();
    Run& r = *run_;
    if (r.store == Run::Store::Open || r.store == Run::Store::Opening) {
        // The file gets its status and end snapshots before anyone hears the run ended.
        const bool opened = r.store == Run::Store::Open;
        r.store = Run::Store::Finishing;
        if (!opened) {
            r.store = Run::Store::Closed;
        } else {
            QCborArray devices;
            for (const auto& d : devices_) devices.append(d.toCbor());
            pool_->send(pool_->storageWorkerId(),
                        Message{MessageType::Store, nextRequestId_++,
                                cbor({{"op", QStringLiteral("finish")}, {"status", static_cast<int>(r.status)},
                                      {"reason", r.status == RunStatus::Completed ? QString() : r.reason}, {"devices", devices}})});
            r.isClosing = true;
            armTransitionTimeout(config_.closeTimeoutMs, QStringLiteral("closing the file"));
            return;
        }
    }
    completeRun();
}

void Manager::completeRun() {
    transitionTimer_->stop();
    Run& r = *run_;
    r.state = RunState::Finished;
    publish();  // flushes coalesced batches first, so every point precedes runFinished
    RunProgress p;
    p.runId = r.id;
    p.planName = r.plan.name;
    p.state = RunState::Finished;
    p.status = r.status;
    p.reason = r.status == RunStatus::Completed ? QString() : r.reason;
    p.total = r.sched ? r.sched->total() : 0;
    p.done = r.sched ? r.sched->done() : 0;
    p.elapsedS = r.clock.elapsed() / 1000.0;
    p.queued = static_cast<int>(queue_.size());
    p.filePath = r.filePath;
    for (auto& s : sinks_) s->runClosed(p);
    log(r.status == RunStatus::Failed ? 4 : 2, QStringLiteral("run %1 %2: %3 of %4 points in %5 s%6")
                                                  .arg(r.id).arg(QLatin1String(runStatusName(r.status)))
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

void Manager::setState(RunState s) {
    run_->state = s;
    publish();
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
        p.state = run_->state;
        p.status = run_->status;
        p.reason = run_->reason;
        p.total = run_->sched ? run_->sched->total() : 0;
        p.done = run_->sched ? run_->sched->done() : 0;
        p.elapsedS = run_->clock.elapsed() / 1000.0;
        p.inFlight = run_->sched ? run_->sched->inFlightTotal() : 0;
        p.filePath = run_->filePath;
    }
    emit progressChanged(p);
}

void Manager::armTransitionTimeout(int ms, const QString& what) {
    transitionTimer_->disconnect();
    connect(transitionTimer_, &QTimer::timeout, this, [this, ms, what] {
        if (!run_) return;
        Run& r = *run_;
        if (r.store == Run::Store::Finishing) {
            log(4, QStringLiteral("run %1: the storage worker did not close the file within %2 s").arg(r.id).arg(ms / 1000.0));
            r.store = Run::Store::Closed;
            completeRun();
        } else if (r.isClosing) {
            log(3, QStringLiteral("run %1: workers did not close the run within %2 s").arg(r.id).arg(ms / 1000.0));
            finishRun();
        } else if (r.state == RunState::Starting) {
            fail(QStringLiteral("no worker opened the run within %1 s").arg(ms / 1000.0), 0);
        } else if (r.state == RunState::Stopping) {
            if (r.status != RunStatus::Failed) r.status = RunStatus::Failed;
            r.reason = r.reason + QStringLiteral(" (then %1 did not finish within %2 s)").arg(what).arg(ms / 1000.0);
            abort();
        } else if (r.state == RunState::Aborting) {
            for (int w = 0; w < pool_->size(); ++w) {
                if (r.sched->inFlight(w) > 0) {
                    r.killed.insert(w);
                    r.opened.erase(w);
                    r.sched->onWorkerLost(w);
                    pool_->kill(w, QStringLiteral("did not stop within the %1 s grace period").arg(config_.graceMs / 1000.0));
                }
            }
            maybeAdvance();
        }
    });
    transitionTimer_->start(ms);
}

void Manager::openStorage() {
    Run& r = *run_;
    // The file layout comes from the run's own generator, so stored axes match the points bit for bit.
    auto layout = RunLayout::forPlan(r.plan, *r.gen, devices_, {r.id, r.startTime, r.planJson});
    if (!layout) {
        // Fail as a refused open does, once the caller is done with the run.
        QTimer::singleShot(0, this, [this, id = r.id, error = layout.error()] {
            if (!run_ || run_->id != id || run_->store != Run::Store::Opening) return;
            run_->store = Run::Store::Closed;
            fail(QStringLiteral("cannot write the run file: %1").arg(error), 0);
        });
        return;
    }
    QCborMap p = cbor({{"op", QStringLiteral("open")}, {"run", static_cast<qint64>(r.id)}, {"layout", layout->toCbor()}});
    if (!r.plan.outputDirectory.isEmpty()) p.insert(QLatin1String("directory"), r.plan.outputDirectory);
    pool_->send(pool_->storageWorkerId(), Message{MessageType::Store, nextRequestId_++, p});
}

void Manager::forwardToStorage(const Message& m, const ResultBatch& batch) {
    Run& r = *run_;
    if (r.store != Run::Store::Open) return;
    qint64 bytes = 0;
    for (const Channel& c : batch.channels) bytes += c.data.size();
    // The same message goes on unchanged: the storage role reads `result` as data.
    if (!m.body.isEmpty()) pool_->sendFrame(pool_->storageWorkerId(), frameOfBody(m.body));
    else pool_->send(pool_->storageWorkerId(), m);
    r.storeInFlight.emplace_back(++r.storeSent, bytes);
    r.storeInFlightBytes += bytes;
}

bool Manager::storageBacklogged() const { return run_ && run_->storeInFlightBytes > kStorageQueueBytes; }

void Manager::onStoreStatus(const Message& m) {
    const QString op = m.payload.value(QLatin1String("op")).toString();
    const QString error = m.payload.value(QLatin1String("error")).toString();
    storage_.bytesPerSecond = m.payload.value(QLatin1String("bytes_per_s")).toDouble();
    storage_.freeBytes = m.payload.value(QLatin1String("free_bytes")).toInteger(-1);
    if (!error.isEmpty()) storage_.error = error;
    const bool current = run_ && static_cast<quint64>(m.payload.value(QLatin1String("run")).toInteger()) == run_->id;
    if (current) {
        Run& r = *run_;
        const qint64 processed = m.payload.value(QLatin1String("processed")).toInteger();
        while (!r.storeInFlight.empty() && r.storeInFlight.front().first <= processed) {
            r.storeInFlightBytes -= r.storeInFlight.front().second;
            r.storeInFlight.pop_front();
        }
        storage_.queueFill = std::min(1.0, static_cast<double>(r.storeInFlightBytes) / static_cast<double>(kStorageQueueBytes));
        if (op == QLatin1String("opened") && r.store == Run::Store::Opening) {
            if (!error.isEmpty()) {
                r.store = Run::Store::Closed;
                fail(QStringLiteral("cannot write the run file: %1").arg(error), 0);
            } else {
                r.store = Run::Store::Open;
                r.filePath = m.payload.value(QLatin1String("path")).toString();
                storage_.filePath = r.filePath;
                storage_.error.clear();
                log(2, QStringLiteral("run %1 writes %2").arg(r.id).arg(r.filePath));
                if (r.state == RunState::Starting && !r.opened.empty()) {
                    transitionTimer_->stop();
                    setState(RunState::Running);
                }
            }
        } else if (op == QLatin1String("error") && r.store == Run::Store::Open) {
            r.drainToHighWater = true;
            fail(QStringLiteral("storage: %1").arg(error), kNoBoundary);
        } else if (op == QLatin1String("finished") && r.store == Run::Store::Finishing) {
            if (!error.isEmpty()) {
                // Data that was still cached could not reach the disk: the run did not fully succeed.
                log(4, QStringLiteral("closing %1: %2").arg(r.filePath, error));
                if (r.status != RunStatus::Failed) r.reason = QStringLiteral("storage: %1").arg(error);
                r.status = RunStatus::Failed;
            }
            r.store = Run::Store::Closed;
            completeRun();
            return;
        }
        // Watch the disk: warn below a few minutes of data, stop before it is full.
        const double rate = std::max(storage_.bytesPerSecond, 0.0);
        storage_.lowDisk = storage_.freeBytes >= 0 && storage_.freeBytes < rate * 180 + (256ll << 20);
        if (run_ && storage_.freeBytes >= 0 && storage_.freeBytes < rate * 5 + config_.diskReserveBytes &&
            (r.state == RunState::Running || r.state == RunState::Paused) && r.store == Run::Store::Open) {
            run_->drainToHighWater = true;
            drain(RunStatus::Stopped, QStringLiteral("disk almost full (%1 MiB left)").arg(storage_.freeBytes >> 20), kNoBoundary);
        }
        if (run_) pump();
    }
    emit storageChanged(storage_);
}

void Manager::moveAxis(const QString& axis, double position) {
    if (run_) {
        log(3, QStringLiteral("cannot move %1 while a run is active").arg(axis));
        return;
    }
    for (const auto& d : devices_) {
        if (!d.findAxis(axis)) continue;
        const int last = d.concurrency == Concurrency::Exclusive ? 1 : pool_->deviceWorkers();
        for (int w = 0; w < last; ++w)
            pool_->send(w, Message{MessageType::Move, nextRequestId_++, cbor({{"axis", axis}, {"position", position}})});
        return;
    }
    log(3, QStringLiteral("unknown axis '%1'").arg(axis));
}

void Manager::shutdown() {
    shuttingDown_ = true;
    queue_.clear();
    if (run_) {
        abort();
        return;  // finishRun() calls shutdown() again
    }
    if (!pool_) {
        emit shutDown();
        return;
    }
    watchdogTimer_->stop();
    pool_->shutdown(config_.graceMs, [this] { emit shutDown(); });
}

}  // namespace acquila::core
