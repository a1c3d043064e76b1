#include "core/engine/WorkerPool.h"

#include "core/engine/PrivateDirectory.h"
#include "core/protocol/Messages.h"

#include <QCborValue>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTimer>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstring>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace acquila::engine {

struct WorkerPool::Worker {
    int id = 0;
    QString role;
    QProcess* process = nullptr;
    QPointer<QLocalSocket> socket;  // guarded: Qt may delete a dropped connection
    protocol::FrameDecoder decoder;
    WorkerState state = WorkerState::Starting;
    bool busy = false;
    qint64 pid = 0;
    int restarts = 0;
    int backoffMs = 100;
    QString lastError;
    QElapsedTimer lastSeen;    // since the last message of any kind
    QElapsedTimer upSince;     // since the handshake, to reset the backoff
    QString deathReason;       // first reason seen for the current death (set when the pool kills it)
    bool crashed = false;      // the last death was a crash signal raised in the worker
    protocol::BlackBox* box = nullptr;   // shared mapping, valid while the pool lives
};

namespace {
QString describeExit(int exitCode, bool crashed) {
    if (crashed) {
        const char* name = sigabbrev_np(exitCode);
        return QStringLiteral("killed by signal %1 (SIG%2)").arg(exitCode).arg(QLatin1String(name ? name : "?"));
    }
    return QStringLiteral("exited with code %1").arg(exitCode);
}

/** Signals a program raises on itself when it crashes (bad memory access, abort, arithmetic, bad instruction). */
bool isCrashSignal(int sig) { return sig == SIGSEGV || sig == SIGABRT || sig == SIGBUS || sig == SIGFPE || sig == SIGILL; }

/**
 * Why a worker died, saying only what is known: the pool's own reason when it killed it
 * (its SIGKILL adds nothing), a crash signal, a signal sent from outside, or the exit code.
 */
QString deathReason(const QString& ownReason, int exitCode, bool signalled) {
    const QString exit = describeExit(exitCode, signalled);
    if (!ownReason.isEmpty()) return signalled && exitCode == SIGKILL ? ownReason : QStringLiteral("%1 (%2)").arg(ownReason, exit);
    if (signalled && !isCrashSignal(exitCode)) return exit + QStringLiteral(" from outside");
    return exit;
}
}  // namespace

WorkerPool::WorkerPool(Config config, Callbacks callbacks, QObject* parent)
    : QObject(parent), config_(std::move(config)), callbacks_(std::move(callbacks)) {}

WorkerPool::~WorkerPool() {
    callbacks_ = Callbacks{};  // the owner is being destroyed: processes killed here report to nobody
    for (auto& w : workers_) {
        if (w->process && w->process->state() != QProcess::NotRunning) {
            w->process->kill();
            w->process->waitForFinished(2000);
        }
        if (w->box) munmap(w->box, protocol::kBlackBoxBytes);
    }
    if (server_) server_->close();
    if (!dir_.isEmpty()) removeSessionDirectory(dir_);
}

bool WorkerPool::start(QString* error) {
    dir_ = makePrivateDirectory();
    if (dir_.isEmpty()) {
        *error = QStringLiteral("cannot create a private socket directory in %1: %2").arg(privateDirectoryParent(), QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    token_ = QString::number(QRandomGenerator::system()->generate64(), 16) + QString::number(QRandomGenerator::system()->generate64(), 16);
    server_ = new QLocalServer(this);
    server_->setSocketOptions(QLocalServer::UserAccessOption);
    const QString path = dir_ + QStringLiteral("/workers.sock");
    if (!server_->listen(path)) {
        *error = QStringLiteral("cannot listen on %1: %2").arg(path, server_->errorString());
        return false;
    }
    connect(server_, &QLocalServer::newConnection, this, &WorkerPool::onNewConnection);
    const int total = config_.deviceWorkers + (config_.storageWorker ? 1 : 0);
    for (int i = 0; i < total; ++i) {
        auto w = std::make_unique<Worker>();
        w->id = i;
        w->role = (config_.storageWorker && i == config_.deviceWorkers) ? QStringLiteral("storage") : QStringLiteral("device");
        w->box = protocol::mapBlackBox(QStringLiteral("%1/worker-%2.box").arg(dir_).arg(i), true);
        workers_.push_back(std::move(w));
    }
    for (int i = 0; i < total; ++i) spawn(i);
    heartbeatTimer_ = new QTimer(this);
    connect(heartbeatTimer_, &QTimer::timeout, this, &WorkerPool::heartbeat);
    heartbeatTimer_->start(config_.heartbeatMs);
    return true;
}

void WorkerPool::spawn(int id) {
    if (shuttingDown_) return;
    Worker& w = *workers_[id];
    if (w.box) new (w.box) protocol::BlackBox();
    w.state = WorkerState::Starting;
    w.busy = false;
    w.deathReason.clear();
    w.crashed = false;
    w.decoder = protocol::FrameDecoder();
    w.process = new QProcess(this);
    w.process->setProcessChannelMode(QProcess::ForwardedChannels);
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ACQUILA_TOKEN"), token_);  // not on the command line: ps would show it
    w.process->setProcessEnvironment(env);
    QStringList args{QStringLiteral("--socket"), dir_ + QStringLiteral("/workers.sock"), QStringLiteral("--id"), QString::number(id),
                     QStringLiteral("--role"), w.role, QStringLiteral("--blackbox"), QStringLiteral("%1/worker-%2.box").arg(dir_).arg(id)};
    args += config_.extraArgs;
    QProcess* proc = w.process;
    connect(proc, &QProcess::finished, this, [this, id, proc](int code, QProcess::ExitStatus st) {
        if (workers_[id]->process == proc) onProcessFinished(id, code, st == QProcess::CrashExit);
        proc->deleteLater();
    });
    connect(proc, &QProcess::errorOccurred, this, [this, id, proc](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart && workers_[id]->process == proc) {
            markDead(id, QStringLiteral("cannot start %1: %2").arg(config_.workerExe, proc->errorString()));
            proc->deleteLater();
            workers_[id]->process = nullptr;
        }
    });
    proc->start(config_.workerExe, args);
    w.pid = proc->processId();
    if (callbacks_.statusChanged) callbacks_.statusChanged();
}

void WorkerPool::onNewConnection() {
    while (QLocalSocket* s = server_->nextPendingConnection()) {
        connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
        // The peer must run as our user; the 0700 directory already ensures it, this double-checks.
        ucred cred{};
        socklen_t len = sizeof cred;
        if (getsockopt(static_cast<int>(s->socketDescriptor()), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != getuid()) {
            refuse(s, QStringLiteral("peer uid %1 is not ours").arg(cred.uid));
            continue;
        }
        if (static_cast<int>(pending_.size()) >= config_.maxPendingConnections) {
            refuse(s, QStringLiteral("%1 connections are already waiting for their hello").arg(pending_.size()));
            continue;
        }
        pending_.emplace(s, std::make_unique<protocol::FrameDecoder>(64 * 1024));
        connect(s, &QObject::destroyed, this, [this, s] { pending_.erase(s); });
        connect(s, &QLocalSocket::readyRead, this, [this, s] { onHandshakeData(s); });
        QTimer::singleShot(config_.helloTimeoutMs, s, [this, s] {
            if (pending_.count(s)) refuse(s, QStringLiteral("no hello within %1 s").arg(config_.helloTimeoutMs / 1000.0));
        });
    }
}

void WorkerPool::refuse(QLocalSocket* s, const QString& why) {
    pending_.erase(s);
    s->abort();
    s->deleteLater();
    // A flood of connections must not flood the log: the first, then at most one line per 10 s.
    ++refusedUnlogged_;
    if (refusalLogged_.isValid() && refusalLogged_.elapsed() < 10000) return;
    spdlog::warn("rejected a connection to the worker socket: {}{}", why.toStdString(),
                 refusedUnlogged_ > 1 ? fmt::format(" ({} rejected since the last report)", refusedUnlogged_) : std::string());
    refusalLogged_.start();
    refusedUnlogged_ = 0;
}

void WorkerPool::onHandshakeData(QLocalSocket* s) {
    const auto it = pending_.find(s);
    if (it == pending_.end()) return;
    protocol::FrameDecoder* decoder = it->second.get();
    decoder->feed(s->readAll());
    if (decoder->failed()) {
        refuse(s, decoder->error());
        return;
    }
    if (!decoder->hasMessage()) return;
    const auto hello = protocol::Hello::decode(decoder->take());
    const int id = hello ? hello->worker : -1;
    const QString why =
        !hello ? hello.error()
        : hello->version != protocol::kProtocolVersion ? QStringLiteral("protocol version mismatch")
        : hello->token != token_ ? QStringLiteral("wrong session token")
        : (id < 0 || id >= size()) ? QStringLiteral("unknown worker id")
        : workers_[id]->socket ? QStringLiteral("worker already connected")
                               : QString();
    if (!why.isEmpty()) {
        refuse(s, why);
        return;
    }
    s->disconnect(this);
    disconnect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);  // the worker entry owns it now
    Worker& w = *workers_[id];
    w.socket = s;
    w.pid = hello->pid;
    w.lastSeen.start();
    w.upSince.start();
    // Whatever arrived after the hello (the worker does not wait) stays with this worker.
    w.decoder = std::move(*decoder);
    pending_.erase(it);
    w.decoder.setMaxFrameBytes(protocol::kMaxFrameBytes);
    w.decoder.setLazyResults(true);  // results are parsed once, in place, by the manager
    connect(s, &QLocalSocket::readyRead, this, [this, id] { onSocketData(id); });
    connect(s, &QLocalSocket::disconnected, this, [this, id, s] {
        Worker& w = *workers_[id];
        if (w.socket != s) return;
        // The process usually exits right after: wait briefly for its exit status, which says
        // more (signal, exit code) than the lost connection does.
        QProcess* proc = w.process;
        if (proc && proc->state() != QProcess::NotRunning && !shuttingDown_) {
            QTimer::singleShot(300, this, [this, id, proc] {
                if (workers_[id]->process == proc) kill(id, QStringLiteral("connection lost"));
            });
            return;
        }
        markDead(id, QStringLiteral("connection lost"));
    });
    if (callbacks_.connected) callbacks_.connected(id);
    deliver(id);
}

void WorkerPool::onSocketData(int id) {
    Worker& w = *workers_[id];
    if (!w.socket) return;
    const QByteArray bytes = w.socket->readAll();
    w.lastSeen.start();
    if (!w.decoder.feed(bytes)) {
        kill(id, QStringLiteral("protocol error: %1").arg(w.decoder.error()));
        return;
    }
    deliver(id);
}

void WorkerPool::deliver(int id) {
    Worker& w = *workers_[id];
    while (w.decoder.hasMessage() && w.socket) {
        protocol::Message m = w.decoder.take();
        if (m.type == protocol::MessageType::Heartbeat) continue;
        if (callbacks_.message) callbacks_.message(id, std::move(m));
    }
}

bool WorkerPool::send(int worker, const protocol::Message& m) { return sendFrame(worker, protocol::encodeFrame(m)); }

bool WorkerPool::sendFrame(int worker, const QByteArray& frame) {
    if (worker < 0 || worker >= size()) return false;
    Worker& w = *workers_[worker];
    if (!w.socket || w.state == WorkerState::Dead) return false;
    w.socket->write(frame);
    w.socket->flush();  // write now rather than on the next loop iteration: latency matters per point
    return true;
}

void WorkerPool::kill(int worker, const QString& reason) {
    Worker& w = *workers_[worker];
    if (w.deathReason.isEmpty()) w.deathReason = reason;
    if (w.process && w.process->state() != QProcess::NotRunning) w.process->kill();
    else markDead(worker, reason);
}

void WorkerPool::onProcessFinished(int id, int exitCode, bool crashed) {
    Worker& w = *workers_[id];
    w.process = nullptr;
    w.crashed = crashed && w.deathReason.isEmpty() && isCrashSignal(exitCode);
    markDead(id, deathReason(w.deathReason, exitCode, crashed));
    if (shuttingDown_) {
        w.state = WorkerState::Stopped;
        maybeFinishShutdown();
        return;
    }
    // Respawn with exponential backoff; a worker that stayed up 10 s starts over at 100 ms.
    if (w.upSince.isValid() && w.upSince.elapsed() > 10000) w.backoffMs = 100;
    const int delay = w.backoffMs;
    w.backoffMs = std::min(w.backoffMs * 2, 5000);
    ++w.restarts;
    QTimer::singleShot(delay, this, [this, id] {
        if (!workers_[id]->process) spawn(id);
    });
}

void WorkerPool::markDead(int id, const QString& reason) {
    Worker& w = *workers_[id];
    const bool wasAlive = w.state != WorkerState::Dead && w.state != WorkerState::Stopped;
    if (w.socket) {
        QLocalSocket* s = w.socket;
        w.socket = nullptr;
        s->disconnect(this);
        s->abort();
        s->deleteLater();
    }
    // A live process without a connection is useless: make sure it goes (finished() follows).
    if (w.process && w.process->state() != QProcess::NotRunning) {
        if (w.deathReason.isEmpty()) w.deathReason = reason;
        w.process->kill();
    }
    if (!wasAlive) return;
    w.state = shuttingDown_ ? WorkerState::Stopped : WorkerState::Dead;
    w.busy = false;
    w.lastError = reason;
    if (!shuttingDown_) {
        spdlog::warn("worker {} ({}) {}", id, w.role.toStdString(), reason.toStdString());
        if (callbacks_.died) callbacks_.died(id, reason);
    }
    if (callbacks_.statusChanged) callbacks_.statusChanged();
}

void WorkerPool::heartbeat() {
    const QByteArray frame = protocol::encodeFrame(protocol::toMessage(protocol::Heartbeat{}));
    for (auto& w : workers_) {
        if (!w->socket) continue;
        if (w->lastSeen.elapsed() > config_.heartbeatTimeoutMs) {
            kill(w->id, QStringLiteral("sent no heartbeat for %1 s (stopped or frozen)").arg(w->lastSeen.elapsed() / 1000.0, 0, 'f', 1));
            continue;
        }
        w->socket->write(frame);
    }
}

void WorkerPool::setReady(int worker) {
    workers_[worker]->state = WorkerState::Ready;
    if (callbacks_.statusChanged) callbacks_.statusChanged();
}

void WorkerPool::setBusy(int worker, bool busy) {
    if (workers_[worker]->busy == busy) return;
    workers_[worker]->busy = busy;
    if (callbacks_.statusChanged) callbacks_.statusChanged();
}

bool WorkerPool::isReady(int worker) const {
    return worker >= 0 && worker < size() && workers_[worker]->state == WorkerState::Ready && workers_[worker]->socket;
}

std::vector<WorkerStatus> WorkerPool::status() const {
    std::vector<WorkerStatus> out;
    for (const auto& w : workers_) out.push_back({w->id, w->role, w->state, w->busy, w->pid, w->restarts, w->lastError});
    return out;
}

bool WorkerPool::diedOfCrash(int worker) const { return worker >= 0 && worker < size() && workers_[worker]->crashed; }

const protocol::BlackBox* WorkerPool::blackBox(int worker) const {
    return worker >= 0 && worker < size() ? workers_[worker]->box : nullptr;
}

void WorkerPool::shutdown(int graceMs, std::function<void()> done) {
    shuttingDown_ = true;
    shutdownDone_ = std::move(done);
    if (heartbeatTimer_) heartbeatTimer_->stop();
    for (auto& w : workers_) {
        if (w->socket) {
            w->socket->write(protocol::encodeFrame(protocol::toMessage(protocol::Shutdown{})));
            w->socket->flush();
        }
        if (!w->process) w->state = WorkerState::Stopped;
    }
    QTimer::singleShot(graceMs, this, [this] {
        for (auto& w : workers_)
            if (w->process && w->process->state() != QProcess::NotRunning) w->process->kill();
    });
    maybeFinishShutdown();
}

void WorkerPool::maybeFinishShutdown() {
    if (!shuttingDown_ || !shutdownDone_) return;
    for (const auto& w : workers_)
        if (w->process) return;
    if (server_) server_->close();  // removes the socket file
    removeSessionDirectory(dir_);
    auto done = std::move(shutdownDone_);
    shutdownDone_ = nullptr;
    if (callbacks_.statusChanged) callbacks_.statusChanged();
    done();
}

}  // namespace acquila::engine
