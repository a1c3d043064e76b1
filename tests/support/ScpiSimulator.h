#pragma once
#include "support/TestSupport.h"

#include <QProcess>
#include <QStringList>
#include <chrono>

namespace acquila::test {

/**
 * The SCPI instrument simulator (tests/tools/scpi_sim.py) for as long as this object lives:
 * `mode` "--tcp" gives a port on 127.0.0.1, "--pty" two pseudo-terminals to the same
 * instrument. addresses() is empty when it did not start within 20 s.
 */
class ScpiSimulator {
public:
    explicit ScpiSimulator(const QString& mode) {
        process_.setProgram(kSystemPython);
        process_.setArguments({sourcePath(QStringLiteral("tests/tools/scpi_sim.py")), mode});
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

private:
    QProcess process_;
    QStringList addresses_;
};

}  // namespace acquila::test
