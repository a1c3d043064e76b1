#include "core/engine/Engine.h"

#include "core/engine/Manager.h"

#include <QSemaphore>
#include <QThread>

namespace acquila::engine {

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
}

Engine::~Engine() {
    if (started_ && !shutDown_) {
        // Blocking here is acceptable: the application is exiting.
        QSemaphore done;
        connect(manager_, &Manager::shutDown, manager_, [&done] { done.release(); }, Qt::DirectConnection);
        send(command::Shutdown{});
        done.tryAcquire(1, 10000);
    }
    thread_->quit();
    if (!thread_->wait(5000)) thread_->terminate();
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
void Engine::moveAxis(const QString& axis, double position) { send(command::MoveAxis{axis, position}); }
void Engine::shutdown() {
    if (!started_) {
        shutDown_ = true;
        emit shutDown();
        return;
    }
    send(command::Shutdown{});
}

}  // namespace acquila::engine
