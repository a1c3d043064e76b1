#pragma once
#include "support/TestSupport.h"

#include <QProcess>
#include <QStringList>
#include <chrono>

namespace acquila::test {

/**
 * The SCPI instrument simulator (tests/tools/scpi_sim.py) for as long as this object lives:
 * `mode` "--tcp" gives a port on 127.0.0.1, "--pty" two pseudo-terminals to the same
 * instrument; `options` are more of its options (--port, --link, --fault...). addresses()
 * is empty when it did not start within 20 s.
 */
class ScpiSimulator {
public:
    explicit ScpiSimulator(const QString& mode, const QStringList& options = {}) {
        process_.setProgram(kSystemPython);
        process_.setArguments(QStringList{sourcePath(QStringLiteral("tests/tools/scpi_sim.py")), mode} + options);
        process_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process_.start();
        if (!process_.waitForStarted(10000)) return;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (!process_.canReadLine() && std::chrono::steady_clock::now() < deadline) process_.waitForReadyRead(100);
        addresses_ = QString::fromUtf8(process_.readLine()).trimmed().split(' ');
        addresses_.removeFirst();  // "PORT" or "PTY"
    }
    ~ScpiSimulator() {
        process_.kill();
        process_.waitForFinished(5000);
    }
    ScpiSimulator(const ScpiSimulator&) = delete;
    ScpiSimulator& operator=(const ScpiSimulator&) = delete;

    /** The TCP port, or the pseudo-terminals. */
    const QStringList& addresses() const { return addresses_; }
    QString address() const { return addresses_.value(0); }

    /** True until the simulator has exited (a fault `die` kills it; so does kill()). */
    bool running() const { return process_.state() != QProcess::NotRunning; }
    /** Notices an exit: call while waiting (it reads the process's state change). */
    bool poll() {
        if (running()) process_.waitForFinished(0);
        return running();
    }
    /** True once the simulator has said its --fault struck ("FAULT <kind>"): call while waiting. */
    bool struck() {
        readLines();
        return struck_;
    }
    /** True once a hang of --fault hang --for S is over and the late replies go out ("LATE"). */
    bool late() {
        readLines();
        return late_;
    }
    /** SIGKILL, as a crash or a pulled plug would end it; returns once it is gone. */
    void kill() {
        process_.kill();
        process_.waitForFinished(5000);
    }

private:
    void readLines() {
        process_.waitForReadyRead(0);
        while (process_.canReadLine()) {
            const QByteArray line = process_.readLine().trimmed();
            struck_ = struck_ || line.startsWith("FAULT ");
            late_ = late_ || line == "LATE";
        }
    }

    QProcess process_;
    bool struck_ = false, late_ = false;
    QStringList addresses_;
};

}  // namespace acquila::test
