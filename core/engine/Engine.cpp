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
        post([m = manager_] { m->shutdown(); });
        done.tryAcquire(1, 10000);
    }
    thread_->quit();
    if (!thread_->wait(5000)) thread_->terminate();
    if (!started_) delete manager_;
    delete thread_;
}

template <typename F>
void Engine::post(F&& f) {
    QMetaObject::invokeMethod(manager_, std::forward<F>(f), Qt::QueuedConnection);
}

void Engine::addSink(std::shared_ptr<ResultSink> sink) { manager_->addSink(std::move(sink)); }

void Engine::start() {
    if (started_) return;
    started_ = true;
    thread_->start();
    post([m = manager_] { m->start(); });
}

quint64 Engine::enqueue(const plan::Plan& plan) {
    const quint64 id = nextRunId_++;
    post([m = manager_, id, plan] { m->enqueue(id, plan); });
    return id;
}

void Engine::dequeue(quint64 runId) { post([m = manager_, runId] { m->dequeue(runId); }); }
void Engine::pause() { post([m = manager_] { m->pause(); }); }
void Engine::resume() { post([m = manager_] { m->resume(); }); }
void Engine::stop() { post([m = manager_] { m->stop(); }); }
void Engine::abort() { post([m = manager_] { m->abort(); }); }
void Engine::moveAxis(const QString& axis, double position) {
    post([m = manager_, axis, position] { m->moveAxis(axis, position); });
}
void Engine::shutdown() {
    if (!started_) {
        shutDown_ = true;
        emit shutDown();
        return;
    }
    post([m = manager_] { m->shutdown(); });
}

}  // namespace acquila::engine
