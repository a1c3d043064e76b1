#pragma once
#include "TestSupport.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <chrono>

namespace acquila::test {

/** What a program run by runProcess() left behind. */
struct ProcessResult {
    bool finished = false;  ///< exited (normally or not) before the deadline
    int exitCode = -1;      ///< -1 unless it exited normally before the deadline
    QString out;            ///< standard output
    QString err;            ///< standard error, or why it did not finish
    /** Standard output then standard error, for messages and searches over both. */
    QString output() const { return out + err; }
};

/**
 * Runs `program` with `args`, writes `input` to its standard input and waits
 * for it to exit until `timeout`; a program still running then is killed.
 */
inline ProcessResult runProcess(const QString& program, const QStringList& args,
                                std::chrono::milliseconds timeout = std::chrono::seconds(60), const QByteArray& input = {}) {
    ProcessResult r;
    QDeadlineTimer deadline(timeout);
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(static_cast<int>(deadline.remainingTime()))) {
        r.err = QStringLiteral("%1 did not start: %2").arg(program, p.errorString());
        return r;
    }
    p.write(input);
    p.closeWriteChannel();
    r.finished = p.waitForFinished(static_cast<int>(deadline.remainingTime()));
    if (!r.finished) {
        p.kill();
        p.waitForFinished();
    } else if (p.exitStatus() == QProcess::NormalExit) {
        r.exitCode = p.exitCode();
    }
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    if (!r.finished) r.err += QStringLiteral("%1 timed out after %2 ms").arg(program).arg(timeout.count());
    return r;
}

/**
 * Reads `acquila run`'s standard error (appending to `err`) until its progress line
 * ("[###...] 3/400 points ...", once a second off a terminal) shows at least `points` measured.
 */
inline bool waitForProgress(QProcess& app, QByteArray& err, qint64 points, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return waitUntil([&] {
        app.waitForReadyRead(50);
        err += app.readAllStandardError();
        const int at = err.lastIndexOf('[');
        return at >= 0 && err.mid(at).contains(" points") && err.mid(err.indexOf(']', at) + 2).split('/').first().toLongLong() >= points;
    }, timeout);
}

}  // namespace acquila::test
