#include "core/engine/Engine.h"

#include "core/engine/Manager.h"
#include "core/util/Mailbox.h"

#include <QSemaphore>
#include <QThread>
#include <spdlog/spdlog.h>

namespace acquila::engine {

/**
 * Results and log lines on their way from the manager thread to the engine's
 * thread. The manager thread fills the mailboxes and posts one delivery while
 * none is pending; `target` is cleared (under `mutex`) before the engine dies,
 * so a late post never reaches a destroyed engine.
 */
struct Engine::Outbox {
    std::mutex mutex;
    Engine* target = nullptr;
    util::Mailbox<model::ResultBatchPtr> results{{kResultBacklogBytes, 0}};
    util::Mailbox<LogEntry> log{{kLogBacklogLines, kLogLinesPerSecond}};

    void post(void (Engine::*deliver)()) {
        std::lock_guard lock(mutex);
        if (target) QMetaObject::invokeMethod(target, deliver, Qt::QueuedConnection);
    }
};

namespace {
qint64 batchBytes(const model::ResultBatch& b) {
    if (!b.backing.isEmpty()) return b.backing.size();
    qint64 n = 0;
    for (const auto& c : b.channels) n += c.data.size();
    return n;
}
}  // namespace

Engine::Engine(EngineConfig config, QObject* parent) : EngineEvents(parent), config_(std::move(config)) {
    registerEngineTypes();
    thread_ = new QThread();
    thread_->setObjectName(QStringLiteral("acquila-manager"));
    manager_ = new Manager(config_);
    manager_->moveToThread(thread_);
    connect(thread_, &QThread::finished, manager_, &QObject::deleteLater);
    // Connected before anyone else: the engine's own state is current when the window hears.
    connect(this, &EngineEvents::devicesChanged, this, [this](const std::vector<model::DeviceDescription>& d) { devices_ = d; });
    connect(this, &EngineEvents::shutDown, this, [this] { shutDown_ = true; });
    relay(manager_);
    connectOutbox();
}

void Engine::connectOutbox() {
    outbox_ = std::make_shared<Outbox>();
    outbox_->target = this;
    // Direct: these run on the manager thread and only move values into the mailboxes.
    connect(manager_, &EngineEvents::resultsReady, manager_, [box = outbox_](const BatchListPtr& list) {
        if (!list) return;
        bool wake = false;
        for (const auto& b : *list)
            if (b) wake = box->results.put(b, batchBytes(*b), b->count) || wake;
        if (wake) box->post(&Engine::deliverResults);
    }, Qt::DirectConnection);
    connect(manager_, &EngineEvents::logged, manager_, [box = outbox_](const LogEntry& e) {
        if (box->log.put(e)) box->post(&Engine::deliverLog);
    }, Qt::DirectConnection);
}

void Engine::deliverResults() {
    auto taken = outbox_->results.take();
    if (taken.dropped > 0) {
        const QString text = QStringLiteral("the display skipped %1 points while it was busy (the file keeps every point)").arg(taken.dropped);
        spdlog::warn("[engine] {}", text.toStdString());
        emit logged(LogEntry{QDateTime::currentDateTime(), 3, QStringLiteral("engine"), text});
    }
    if (!taken.items.empty()) emit resultsReady(std::make_shared<const BatchList>(std::move(taken.items)));
}

void Engine::deliverLog() {
    auto taken = outbox_->log.take();
    for (const auto& e : taken.items) emit logged(e);
    if (taken.dropped > 0)
        emit logged(LogEntry{QDateTime::currentDateTime(), 3, QStringLiteral("engine"), QStringLiteral("%1 log lines dropped").arg(taken.dropped)});
}

Engine::~Engine() {
    {
        std::lock_guard lock(outbox_->mutex);
        outbox_->target = nullptr;
    }
    if (started_ && !shutDown_) {
        // The application is exiting: a short, bounded wait lets idle workers end cleanly.
        // The semaphore is shared with the slot, which may still run after this wait gave up.
        auto done = std::make_shared<QSemaphore>();
        const auto c = connect(manager_, &Manager::shutDown, manager_, [done] { done->release(); }, Qt::DirectConnection);
        send(command::Shutdown{});
        done->tryAcquire(1, kExitShutdownWaitMs);
        disconnect(c);
    }
    thread_->quit();
    if (!thread_->wait(kExitThreadWaitMs)) {
        // Never terminate a thread that may hold a lock; the manager deletes itself when it ends.
        spdlog::error("the manager thread did not end within {} s; leaving it to the exiting process", kExitThreadWaitMs / 1000.0);
        return;
    }
    if (!started_) delete manager_;
    delete thread_;
}

void Engine::send(EngineCommand command) {
    QMetaObject::invokeMethod(manager_, [m = manager_, c = std::move(command)] { m->handle(c); }, Qt::QueuedConnection);
}

void Engine::addSink(std::shared_ptr<ResultSink> sink) { sinks_.push_back(std::move(sink)); }

void Engine::start() {
    if (started_) return;
    started_ = true;
    thread_->start();
    QMetaObject::invokeMethod(manager_, [m = manager_, sinks = sinks_] { m->start(sinks); }, Qt::QueuedConnection);
}

quint64 Engine::enqueue(const plan::Plan& plan) {
    const quint64 id = nextRunId_++;
    send(command::Enqueue{id, plan});
    return id;
}

void Engine::dequeue(quint64 runId) { send(command::Dequeue{runId}); }
void Engine::pause() { send(command::Pause{}); }
void Engine::resume() { send(command::Resume{}); }
void Engine::stop() { send(command::Stop{}); }
void Engine::abort() { send(command::Abort{}); }
quint64 Engine::setNow(const QString& target, const QVariant& value) {
    const quint64 id = nextSetNowId_++;
    send(command::SetNow{id, target, value});
    return id;
}
quint64 Engine::moveAxis(const QString& axis, double position) { return setNow(axis, position); }
void Engine::shutdown() {
    if (!started_) {
        shutDown_ = true;
        emit shutDown();
        return;
    }
    send(command::Shutdown{});
}

}  // namespace acquila::engine
