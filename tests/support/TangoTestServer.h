#pragma once
#include "support/TestSupport.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTcpServer>
#include <chrono>
#include <csignal>

namespace acquila::test {

/** Where the tango-test package puts the TangoTest device server. */
inline const QString kTangoTestServer = QStringLiteral("/usr/lib/tango/TangoTest");

/**
 * The real TangoTest device server (package tango-test) for as long as this object lives,
 * without a Tango database: `TangoTest test -nodb -dlist sys/tg_test/1 -ORBendPoint
 * giop:tcp:127.0.0.1:PORT` on a free loopback port (docs/tango.md). device() is the name a
 * client gives, `tango://127.0.0.1:PORT/sys/tg_test/1#dbase=no`; it is empty when the server
 * did not say "Ready to accept request" within 20 s (the reason is in error()).
 */
class TangoTestServer {
public:
    TangoTestServer() {
        for (int attempt = 0; attempt < 3 && device_.isEmpty(); ++attempt) {  // a port taken between our probe and its bind: another
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0)) continue;
            port_ = probe.serverPort();
            probe.close();
            start();
        }
    }
    ~TangoTestServer() { kill(); }
    TangoTestServer(const TangoTestServer&) = delete;
    TangoTestServer& operator=(const TangoTestServer&) = delete;

    /** tango://127.0.0.1:PORT/sys/tg_test/1#dbase=no, or empty when the server is not running. */
    const QString& device() const { return device_; }
    /** The same server's name on this port for another member, e.g. "sys/tg_test/9" (not served). */
    QString deviceNamed(const QString& member) const { return QStringLiteral("tango://127.0.0.1:%1/%2#dbase=no").arg(port_).arg(member); }
    int port() const { return port_; }
    const QString& error() const { return error_; }

    /** SIGKILL, as a crash or a pulled plug would end it; returns once it is gone. */
    void kill() {
        if (process_.state() == QProcess::NotRunning) return;
        process_.kill();
        process_.waitForFinished(5000);
    }
    /** Starts it again on the same port (after kill()); true once it is ready. */
    bool restart() {
        kill();
        device_.clear();
        start();
        return !device_.isEmpty();
    }
    /**
     * SIGSTOP / SIGCONT: a server that stops answering without closing its connections.
     * Returns once every thread of the server is stopped (or running again): a signal is
     * delivered asynchronously, and a thread busy on another core would answer one more request.
     */
    bool freeze(bool frozen) {
        const qint64 pid = process_.processId();
        ::kill(pid_t(pid), frozen ? SIGSTOP : SIGCONT);
        return waitUntil([&] {
            const QDir tasks(QStringLiteral("/proc/%1/task").arg(pid));
            for (const QString& t : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                QFile stat(tasks.filePath(t + QStringLiteral("/stat")));
                if (!stat.open(QIODevice::ReadOnly)) continue;  // a thread that ended
                const QByteArray line = stat.readAll();
                const qsizetype close = line.lastIndexOf(')');  // "pid (comm) S ...": the state follows the name
                if (close < 0 || close + 2 >= line.size()) continue;
                if ((line[close + 2] == 'T') != frozen) return false;
            }
            return true;
        }, std::chrono::seconds(5));
    }

private:
    void start() {
        process_.setProgram(kTangoTestServer);
        process_.setArguments({QStringLiteral("test"), QStringLiteral("-nodb"), QStringLiteral("-dlist"), QStringLiteral("sys/tg_test/1"), QStringLiteral("-ORBendPoint"),
                               QStringLiteral("giop:tcp:127.0.0.1:%1").arg(port_)});
        process_.setProcessChannelMode(QProcess::MergedChannels);
        process_.start();
        if (!process_.waitForStarted(10000)) {
            error_ = kTangoTestServer + QStringLiteral(" did not start: ") + process_.errorString();
            return;
        }
        QByteArray output;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!output.contains("Ready to accept request") && process_.state() == QProcess::Running && std::chrono::steady_clock::now() < deadline) {
            process_.waitForReadyRead(100);
            output += process_.readAll();
        }
        if (output.contains("Ready to accept request")) {
            device_ = deviceNamed(QStringLiteral("sys/tg_test/1"));
            return;
        }
        error_ = QStringLiteral("TangoTest on port %1 did not become ready: %2").arg(port_).arg(QString::fromUtf8(output.right(400)));
        kill();
    }

    QProcess process_;
    int port_ = 0;
    QString device_;
    QString error_;
};

}  // namespace acquila::test
