// The worker socket and its private directory against hostile neighbours: silent
// connections, connection floods and decoys planted where stale directories are cleaned.
#include "core/engine/WorkerPool.h"
#include "support/EngineHarness.h"
#include "support/RunProcess.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <algorithm>
#include <unistd.h>

using namespace acquila;
using namespace acquila::test;
using Sockets = std::vector<std::unique_ptr<QLocalSocket>>;

namespace {
/** Sets an environment variable (or unsets it for a null value) for the scope. */
class ScopedEnv {
public:
    ScopedEnv(const char* name, const QByteArray& value) : name_(name), saved_(qgetenv(name)) { set(value); }
    ~ScopedEnv() { set(saved_); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    void set(const QByteArray& v) {
        if (v.isNull()) qunsetenv(name_);
        else qputenv(name_, v);
    }
    const char* name_;
    QByteArray saved_;
};

/** `n` connections to the socket that never say a word. */
Sockets openSilent(const QString& path, int n) {
    Sockets out;
    for (int i = 0; i < n; ++i) {
        out.push_back(std::make_unique<QLocalSocket>());
        out.back()->connectToServer(path);
    }
    return out;
}

int closedCount(const Sockets& sockets) {
    return static_cast<int>(std::count_if(sockets.begin(), sockets.end(),
                                          [](const auto& s) { return s->state() == QLocalSocket::UnconnectedState; }));
}

/** The socket of this process's engine, created under `parent`. */
QString workerSocketIn(const QString& parent) {
    const QStringList dirs = QDir(parent).entryList({QStringLiteral("acquila-%1-*").arg(getpid())}, QDir::Dirs);
    return dirs.size() == 1 ? parent + QLatin1Char('/') + dirs.first() + QStringLiteral("/workers.sock") : QString();
}

const QByteArray kPlan = R"({"version": 1, "name": "flooded", "scan": {"type": "count", "points": 200}, "detectors": ["diode"]})";
}  // namespace

TEST(WorkerSocket, SilentConnectionsAreClosedWhileARunGoesOn) {
    QTemporaryDir runtime;  // 0700: the engine puts its private directory here
    const ScopedEnv xdg("XDG_RUNTIME_DIR", QFile::encodeName(runtime.path()));
    EngineHarness h(2);
    const QString socket = workerSocketIn(runtime.path());
    ASSERT_FALSE(socket.isEmpty()) << "no private directory in " << runtime.path().toStdString();

    const Sockets silent = openSilent(socket, 100);
    const auto result = h.run(EngineHarness::plan(kPlan));
    EXPECT_EQ(result.status, model::RunStatus::Completed) << result.reason.toStdString();
    EXPECT_EQ(h.pointCounts(result.runId).size(), 200u);
    // The hello deadline is 2 s; the bound is generous for a loaded machine.
    EXPECT_TRUE(waitUntil([&] { return closedCount(silent) == 100; }, std::chrono::seconds(30)))
        << 100 - closedCount(silent) << " of 100 silent connections are still open";
    EXPECT_EQ(h.run(EngineHarness::plan(kPlan)).status, model::RunStatus::Completed);
}

TEST(WorkerSocket, ConnectionsBeyondThePendingLimitAreClosedAtOnce) {
    ensureCoreApplication();
    engine::WorkerPool::Config config;
    config.workerExe = workerExecutable();
    config.helloTimeoutMs = 10 * 60 * 1000;  // far away: only the limit closes connections here
    config.maxPendingConnections = 16;
    int connected = 0;
    engine::WorkerPool::Callbacks callbacks;
    callbacks.connected = [&](int) { ++connected; };
    engine::WorkerPool pool(config, callbacks);
    QString error;
    ASSERT_TRUE(pool.start(&error)) << error.toStdString();
    ASSERT_TRUE(waitUntil([&] { return connected == 1; }, std::chrono::seconds(20))) << "the worker never said hello";

    const QString socket = pool.socketDirectory() + QStringLiteral("/workers.sock");
    const Sockets silent = openSilent(socket, 40);
    ASSERT_TRUE(waitUntil([&] { return closedCount(silent) >= 24; }, std::chrono::seconds(20)))
        << closedCount(silent) << " of the 24 connections beyond the limit were closed";
    const Sockets extra = openSilent(socket, 1);
    EXPECT_TRUE(waitUntil([&] { return closedCount(extra) == 1; }, std::chrono::seconds(20)));
    EXPECT_EQ(closedCount(silent), 24) << "connections within the limit must wait for their hello";

    bool down = false;
    pool.shutdown(2000, [&] { down = true; });
    EXPECT_TRUE(waitUntil([&] { return down; }, std::chrono::seconds(15)));
}

TEST(WorkerSocket, StartupCleanupLeavesADecoyLinkAndItsTargetAlone) {
    QTemporaryDir tmp;
    const QString decoy = tmp.filePath(QStringLiteral("decoy"));
    ASSERT_TRUE(QDir().mkpath(decoy + QStringLiteral("/sub")));
    for (const char* name : {"a", "sub/b", "workers.sock", "worker-0.box"}) {
        QFile f(decoy + QLatin1Char('/') + QLatin1String(name));
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write("x");
    }
    // No process has this id (pids never exceed 2^22 on Linux): cleanup treats it as stale.
    const QString link = tmp.filePath(QStringLiteral("acquila-999999999-x"));
    ASSERT_TRUE(QFile::link(decoy, link));

    const ScopedEnv tmpdir("TMPDIR", QFile::encodeName(tmp.path()));
    const ScopedEnv xdg("XDG_RUNTIME_DIR", QByteArray());
    const ProcessResult r = runProcess(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("devices")});
    EXPECT_EQ(r.exitCode, 0) << r.output().toStdString();
    for (const char* name : {"a", "sub/b", "workers.sock", "worker-0.box"})
        EXPECT_TRUE(QFile::exists(decoy + QLatin1Char('/') + QLatin1String(name))) << name << " was deleted";
    EXPECT_TRUE(QFileInfo(link).isSymLink());
    EXPECT_TRUE(r.output().contains(QLatin1String("acquila-999999999-x"))) << "the link left in place is not logged:\n"
                                                                            << r.output().toStdString();
    // The app's own directory is gone again.
    EXPECT_TRUE(QDir(tmp.path()).entryList({QStringLiteral("acquila-*")}, QDir::Dirs | QDir::NoSymLinks).isEmpty());
}
