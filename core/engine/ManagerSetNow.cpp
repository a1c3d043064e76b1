// The manager's side of "set now" (docs/architecture.md, "Devices and workers"): a property
// set or an axis moved outside a run, in every worker that has the device, each answer
// awaited with a deadline; the values set are replayed to every worker that (re)starts; and
// the monitors of worker 0, forwarded while no run is active. No wait here is more than a
// timer: the devices are called by the workers' executors.
#include "core/engine/Manager.h"

#include "core/engine/WorkerPool.h"
#include "core/model/DeviceTarget.h"
#include "core/protocol/Messages.h"

#include <QTimer>
#include <algorithm>
#include <limits>

namespace acquila::engine {

namespace {
/** The device's operation timeout as it describes it (its "timeout_s"), 10 s when it does not. */
double timeoutOf(const model::DeviceDescription& d) {
    bool ok = false;
    const double t = d.values.value(QStringLiteral("timeout_s")).toDouble(&ok);
    return ok && t > 0 ? t : 10.0;
}

/** "move motor to 12.5 mm", "set camera.spot_sigma to 8 px". */
template <typename Request>
QString verb(const Request& q) {
    return QStringLiteral("%1 %2 to %3").arg(q.property.isEmpty() ? QStringLiteral("move") : QStringLiteral("set"), q.target, q.valueText);
}

QString workerList(const std::set<int>& workers) {
    QStringList ids;
    for (int w : workers) ids << QString::number(w);
    return ids.join(QLatin1String(", "));
}
}  // namespace

void Manager::setNow(const command::SetNow& c) {
    const auto refuse = [&](SetNowResult::Outcome outcome, const QString& error) {
        SetNowResult r;
        r.id = c.requestId;
        r.target = c.target;
        r.outcome = outcome;
        r.error = error;
        log(3, error);
        emit setNowFinished(r);
    };
    using Outcome = SetNowResult::Outcome;
    if (!pool_ || shuttingDown_)
        return refuse(Outcome::Failed, QStringLiteral("cannot set %1 now: the engine is %2")
                                           .arg(c.target, pool_ ? QStringLiteral("shutting down") : QStringLiteral("not started")));
    // A run owns the devices: set-now never interferes with one (the plan's properties are for that).
    if (run_)
        return refuse(Outcome::Busy, QStringLiteral("cannot set %1 now: run %2 is in progress (set it in the plan's properties, "
                                                    "or once the run has ended)").arg(c.target).arg(run_->id));
    if (devices_.empty())
        return refuse(Outcome::Failed, QStringLiteral("cannot set %1 now: the workers have not described the devices yet").arg(c.target));
    const auto target = model::findTarget(devices_, c.target);
    if (!target) return refuse(Outcome::Invalid, target.error());
    // Text is parsed following the declared type; a typed value is checked as it is.
    QVariant value = c.value;
    QString problem;
    if (value.typeId() == QMetaType::QString) {
        auto parsed = target->parseValue(value.toString());
        if (parsed) value = *parsed;
        else problem = parsed.error();
    } else {
        problem = target->checkValue(value);
    }
    if (!problem.isEmpty()) return refuse(Outcome::Invalid, problem);

    SetRequest q;
    q.id = c.requestId;
    q.target = target->name();
    q.device = target->device->name;
    q.property = target->isAxis() ? QString() : target->property->id;
    q.value = value;
    q.valueText = target->format(value);
    q.type = target->type();
    q.unit = target->unit();
    q.exclusive = target->device->concurrency == model::Concurrency::Exclusive;
    const quint64 key = nextRequestId_++;
    // The existing move path for an axis; a property goes the same way: every worker that has the device.
    const protocol::Message message = q.property.isEmpty()
                                          ? protocol::toMessage(protocol::MoveAxis{q.target, value.toDouble()}, key)
                                          : protocol::toMessage(protocol::SetProperty{q.device, q.property, value}, key);
    const int last = q.exclusive ? 1 : pool_->deviceWorkers();
    for (int w = 0; w < last; ++w)
        if (pool_->send(w, message)) q.asked.insert(w);
    if (q.asked.empty())
        return refuse(Outcome::Failed, QStringLiteral("cannot %1: %2 is not running (it is restarting)")
                                           .arg(verb(q), q.exclusive ? QStringLiteral("worker 0") : QStringLiteral("no device worker")));
    q.waiting = q.asked;
    // A device call past its timeout gets its worker killed by the watchdog, which ends the request;
    // this deadline covers a worker that cannot answer at all (frozen: its heartbeats stop too).
    const double ms = timeoutOf(*target->device) * 1000.0 + config_.heartbeatTimeoutMs + 1000.0;
    const int deadlineMs = static_cast<int>(std::min(ms, double(std::numeric_limits<int>::max())));
    log(2, QStringLiteral("%1 now (worker %2)").arg(verb(q), workerList(q.asked)));
    pendingSets_.emplace(key, std::move(q));
    QTimer::singleShot(deadlineMs, this, [this, key] { expireSetNow(key); });
}

void Manager::onApplyReply(int worker, const protocol::Message& m) {
    QVariant value;
    QString error;
    if (m.type == protocol::MessageType::Set) {
        auto r = protocol::SetReply::decode(m);
        if (!r) return protocolError(worker, r.error());
        value = r->value;
        error = r->error;
    } else {
        auto r = protocol::MoveReply::decode(m);
        if (!r) return protocolError(worker, r.error());
        value = r->value;
        error = r->error;
    }
    const auto it = pendingSets_.find(m.id);
    if (it == pendingSets_.end() || !it->second.waiting.count(worker)) {
        // A replayed value (message id 0), or a request already ended by its deadline.
        if (!error.isEmpty()) log(3, error, QStringLiteral("worker %1").arg(worker));
        return;
    }
    SetRequest& q = it->second;
    q.waiting.erase(worker);
    if (error.isEmpty()) {
        q.applied.insert(worker);
        if (q.readbackFrom < 0 || worker < q.readbackFrom) {
            q.readback = value;
            q.readbackFrom = worker;
        }
    } else {
        q.errors << (q.asked.size() > 1 ? QStringLiteral("worker %1: %2").arg(worker).arg(error) : error);
    }
    if (q.waiting.empty()) finishSetNow(m.id);
}

void Manager::finishSetNow(quint64 key) {
    auto node = pendingSets_.extract(key);
    if (node.empty()) return;
    const SetRequest& q = node.mapped();
    if (!q.property.isEmpty() && !q.applied.empty()) {
        // What one worker applied, every worker must have: workers that (re)start get it too.
        std::erase_if(setNowValues_, [&](const SetNowValue& v) { return v.device == q.device && v.property == q.property; });
        setNowValues_.push_back({q.device, q.property, q.value, q.exclusive});
    }
    SetNowResult r;
    r.id = q.id;
    r.target = q.target;
    if (q.errors.isEmpty()) {
        r.outcome = SetNowResult::Outcome::Done;
        r.value = q.readback;
        r.text = model::formatValue(q.readback, q.type, q.unit);
        log(2, q.property.isEmpty() ? QStringLiteral("%1 moved to %2").arg(q.target, r.text)
                                    : QStringLiteral("%1 = %2 (set now)").arg(q.target, r.text));
    } else {
        r.outcome = SetNowResult::Outcome::Failed;
        r.error = QStringLiteral("cannot %1: %2").arg(verb(q), q.errors.join(QLatin1String("; ")));
        if (!q.applied.empty()) r.error += QStringLiteral(" (done in worker %1)").arg(workerList(q.applied));
        log(4, r.error);
    }
    emit setNowFinished(r);
    if (pendingSets_.empty()) startNext();  // a run queued meanwhile
}

void Manager::setNowWorkerLost(int worker, const QString& reason) {
    std::vector<quint64> ended;
    for (auto& [key, q] : pendingSets_) {
        if (!q.waiting.erase(worker)) continue;
        q.errors << QStringLiteral("worker %1 ended: %2").arg(worker).arg(reason);
        if (q.waiting.empty()) ended.push_back(key);
    }
    for (quint64 key : ended) finishSetNow(key);
}

void Manager::expireSetNow(quint64 key) {
    const auto it = pendingSets_.find(key);
    if (it == pendingSets_.end()) return;
    SetRequest& q = it->second;
    q.errors << QStringLiteral("no answer from worker %1 in time").arg(workerList(q.waiting));
    q.waiting.clear();
    finishSetNow(key);
}

void Manager::failSetNowAll(const QString& reason) {
    std::vector<quint64> keys;
    for (auto& [key, q] : pendingSets_) {
        q.errors << reason;
        q.waiting.clear();
        keys.push_back(key);
    }
    for (quint64 key : keys) finishSetNow(key);
}

void Manager::replaySetNow(int worker) {
    if (worker == pool_->storageWorkerId()) return;
    for (const SetNowValue& v : setNowValues_)
        if (!v.exclusive || worker == 0) pool_->send(worker, protocol::toMessage(protocol::SetProperty{v.device, v.property, v.value}, 0));
    // A property set still in flight reaches this worker too, and waits for its answer.
    for (auto& [key, q] : pendingSets_) {
        if (q.property.isEmpty() || (q.exclusive && worker != 0) || q.waiting.count(worker)) continue;
        if (pool_->send(worker, protocol::toMessage(protocol::SetProperty{q.device, q.property, q.value}, key))) {
            q.asked.insert(worker);
            q.waiting.insert(worker);
        }
    }
}

void Manager::onMonitor(int worker, const protocol::Message& m) {
    auto monitor = protocol::Monitor::decode(m);
    if (!monitor) return protocolError(worker, monitor.error());
    if (run_) return;  // a poll that crossed the start of a run: monitors are for idle time only
    emit monitored(MonitorValues{monitor->positions, monitor->properties});
}

}  // namespace acquila::engine
