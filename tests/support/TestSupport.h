#pragma once
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QStringList>
#include <QEventLoop>
#include <QString>
#include <QThread>
#include <chrono>
#include <functional>
#include <vector>

namespace acquila::test {

/**
 * The acquila-worker the tests start: $ACQUILA_WORKER when set (as for the app; the
 * ThreadSanitizer stage points it at the TSan-built worker), else the one built beside the tests.
 */
inline QString workerExecutable() {
    const QString env = qEnvironmentVariable("ACQUILA_WORKER");
    return env.isEmpty() ? QStringLiteral(ACQUILA_WORKER_EXE) : env;
}

#ifdef ACQUILA_READER_EXE
/**
 * The browser's windows and loaders in a test find acquila-reader through $ACQUILA_READER
 * (beside the app otherwise, which a test executable is not): set before main() runs.
 */
inline const bool kReaderExecutableSet = [] {
    if (!qEnvironmentVariableIsSet("ACQUILA_READER")) qputenv("ACQUILA_READER", ACQUILA_READER_EXE);
    return true;
}();
#endif

/** True in the AddressSanitizer build (scripts/sanitize.sh asan). */
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#else
inline constexpr bool kAddressSanitizer = false;
#endif

/** Debian's interpreter with h5py and silx (the python3 on PATH may lack them). */
inline const QString kSystemPython = QStringLiteral("/usr/bin/python3");

/**
 * Processes Qt events until `done()` is true or `timeout` passes; returns
 * done(). This is how tests wait: on a condition with a deadline, never a sleep.
 */
inline bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    QDeadlineTimer deadline(timeout);
    while (!done()) {
        if (deadline.hasExpired()) return done();
        if (QCoreApplication::instance())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        else
            QThread::yieldCurrentThread();
    }
    return true;
}

/** A QCoreApplication for tests that need an event loop (created once per process). */
inline void ensureCoreApplication() {
    static int argc = 1;
    static char name[] = "acquila-test";
    static char* argv[] = {name, nullptr};
    if (!QCoreApplication::instance()) new QCoreApplication(argc, argv);
}

inline QString sourcePath(const QString& relative) {
    return QStringLiteral(ACQUILA_SOURCE_DIR "/") + relative;
}

/**
 * The inputs of fuzz/known/ a test may feed to acquila-reader. Under AddressSanitizer the
 * one that makes libhdf5 copy past its buffer is reported by ASan in the reader (a
 * sanitizer report, which fails the stage) instead of crashing it: that one runs in the
 * normal build only.
 */
inline QStringList knownLibhdf5Inputs() {
    QStringList out;
    for (const QString& name : QDir(sourcePath(QStringLiteral("fuzz/known"))).entryList({QStringLiteral("*.h5")}))
        if (!kAddressSanitizer || !name.contains(QLatin1String("segv"))) out << name;
    return out;
}

/** Pids of this process's live children (from /proc), excluding zombies' absence. */
inline std::vector<qint64> childPids(qint64 parent) {
    std::vector<qint64> out;
    for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok) continue;
        QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!f.open(QIODevice::ReadOnly)) continue;
        const QByteArray stat = f.readAll();
        // Fields after the parenthesised command: state, ppid, ...
        const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1 && fields[1].toLongLong() == parent) out.push_back(pid);
    }
    return out;
}

}  // namespace acquila::test
