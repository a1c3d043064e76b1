#pragma once
#include "core/util/Result.h"
#include <QByteArray>
#include <QString>
#include <chrono>
#include <functional>
#include <memory>

namespace acquila::ui::browser {

struct ReaderChild;

/**
 * The app's end of one acquila-reader process (ReaderMain.h): sends a request, waits for
 * its reply. Every wait has a deadline: a reader that sends nothing (no reply, no progress
 * frame) for stallTimeout() is killed, and so is one that crashed or wrote garbage; the
 * call then fails with a message saying what happened, and the next call starts a fresh
 * reader. Used by one thread (the browser loader thread); it blocks that thread only.
 */
class ReaderProcess {
public:
    using CancelCheck = std::function<bool()>;

    ReaderProcess();
    ~ReaderProcess();
    ReaderProcess(const ReaderProcess&) = delete;
    ReaderProcess& operator=(const ReaderProcess&) = delete;

    /**
     * Sends `request` and returns the reply's values (after its tag). `what` names the
     * read in messages ("reading '/entry' of 'run.h5'"). While waiting, `cancelled` is
     * polled; once it is true the reader is asked (SIGUSR1) to stop the read at its next block.
     */
    util::Result<QByteArray> call(const QByteArray& request, const QString& what, const CancelCheck& cancelled = {});

    /** Starts a reader unless one is running. */
    util::Result<bool> ensureStarted();
    /** How many readers this object has started; a change means the open file was lost. */
    int starts() const { return starts_; }
    /** Process id of the running reader, 0 when none. */
    qint64 pid() const;

    /** $ACQUILA_READER, else acquila-reader beside this executable. */
    static QString executable();
    /** Longest silence of a reader before it is killed (default 15 s; tests shorten it). Any thread. */
    static std::chrono::milliseconds stallTimeout();
    static void setStallTimeout(std::chrono::milliseconds timeout);

private:
    void stop();
    /** Why the reader's connection ended (reaps it). */
    QString ended();

    std::unique_ptr<ReaderChild> child_;
    QByteArray buffer_;
    int starts_ = 0;
};

}  // namespace acquila::ui::browser
