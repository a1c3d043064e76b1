#pragma once
#include "core/engine/EngineTypes.h"
#include "core/protocol/BlackBox.h"
#include "core/protocol/Frame.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <functional>
#include <map>
#include <memory>
#include <vector>

class QLocalServer;
class QLocalSocket;
class QProcess;
class QTimer;

namespace acquila::engine {

/**
 * The worker processes (docs/architecture.md, "Processes and threads" and "Protocol"): spawns fresh `acquila-worker`
 * executables, accepts their connection on a local socket in a private 0700
 * directory, checks protocol version, session token and peer uid, exchanges
 * heartbeats, detects crashes (exit code, signal, lost connection, lost
 * heartbeat), respawns with backoff, and shuts down with no zombies and no
 * stale socket files. Lives in and is used by the manager thread only.
 *
 * Worker ids 0..deviceWorkers-1 are device workers; if enabled, the storage
 * worker has id deviceWorkers.
 */
class WorkerPool : public QObject {
    Q_OBJECT
public:
    struct Config {
        QString workerExe;
        int deviceWorkers = 1;
        bool storageWorker = false;
        int heartbeatMs = 500;
        int heartbeatTimeoutMs = 5000;
        int helloTimeoutMs = 2000;         // a connection that has not said hello by then is closed
        int maxPendingConnections = 16;    // connections waiting for their hello; more are closed at once
        QStringList extraArgs;  // passed to every worker
    };
    struct Callbacks {
        std::function<void(int worker)> connected;               // hello accepted: send configure now
        std::function<void(int worker, protocol::Message&& m)> message;    // every message but hello/heartbeat
        std::function<void(int worker, const QString& reason)> died;
        std::function<void()> statusChanged;
    };

    WorkerPool(Config config, Callbacks callbacks, QObject* parent = nullptr);
    ~WorkerPool() override;

    /** Creates the socket directory and server and spawns every worker. */
    bool start(QString* error);
    /** Queues a message to a worker; false if it is not connected. */
    bool send(int worker, const protocol::Message& m);
    /** Sends raw, already encoded frame bytes. */
    bool sendFrame(int worker, const QByteArray& frame);
    /** SIGKILLs a worker; death is reported through `died` and it is respawned. */
    void kill(int worker, const QString& reason);
    /** Marks a worker ready (after its configure reply) or busy, for status only. */
    void setReady(int worker);
    void setBusy(int worker, bool busy);
    /** Asks every worker to exit, kills what remains after `graceMs`, then calls `done`. */
    void shutdown(int graceMs, std::function<void()> done);

    int size() const { return static_cast<int>(workers_.size()); }
    int deviceWorkers() const { return config_.deviceWorkers; }
    int storageWorkerId() const { return config_.storageWorker ? config_.deviceWorkers : -1; }
    bool isReady(int worker) const;
    std::vector<WorkerStatus> status() const;
    /** Whether the worker's last death was a crash signal (SEGV, ABRT, BUS, FPE, ILL) it raised itself. */
    bool diedOfCrash(int worker) const;
    /** The worker's black box, or nullptr. Read-only view of shared memory. */
    const protocol::BlackBox* blackBox(int worker) const;
    QString socketDirectory() const { return dir_; }

private:
    struct Worker;
    void spawn(int id);
    void onNewConnection();
    void onHandshakeData(QLocalSocket* socket);
    void refuse(QLocalSocket* socket, const QString& why);
    void onSocketData(int id);
    void deliver(int id);
    void onProcessFinished(int id, int exitCode, bool crashed);
    void markDead(int id, const QString& reason);
    void heartbeat();
    void maybeFinishShutdown();

    Config config_;
    Callbacks callbacks_;
    QString dir_;     // private 0700 directory holding the socket and black boxes
    QString token_;   // per-session secret the workers must present in hello
    QLocalServer* server_ = nullptr;
    QTimer* heartbeatTimer_ = nullptr;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::map<QLocalSocket*, std::unique_ptr<protocol::FrameDecoder>> pending_;  // connections before their hello
    QElapsedTimer refusalLogged_;  // refused connections are logged at most every 10 s
    int refusedUnlogged_ = 0;
    bool shuttingDown_ = false;
    std::function<void()> shutdownDone_;
};

}  // namespace acquila::engine
