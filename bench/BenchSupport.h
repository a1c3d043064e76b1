#pragma once
// Helpers shared by the benchmark executables.
#include <QEventLoop>
#include <QFile>
#include <QString>
#include <QTimer>
#include <functional>

namespace acquila::bench {

/** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them ("" when unreadable). */
inline QString loadAverage() {
    QFile f(QStringLiteral("/proc/loadavg"));
    return f.open(QIODevice::ReadOnly) ? QString::fromLatin1(f.readAll()).section(QLatin1Char(' '), 0, 2) : QString();
}

/** Runs the event loop until `done` or the timeout; returns done(). Sleeps in the loop, never spins. */
inline bool waitEvents(const std::function<bool()>& done, int timeoutMs) {
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (done()) loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    poll.start(2);
    if (!done()) loop.exec();
    return done();
}

}  // namespace acquila::bench
