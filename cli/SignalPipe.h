#pragma once
#include <QObject>

class QSocketNotifier;

namespace acquila::cli {

/**
 * Installs the SIGINT/SIGTERM handler of the headless commands: it only
 * write()s the signal number to a pipe (async-signal-safe: no logging, no
 * locks), so a Ctrl-C is never lost or fatal, however early it comes. Call it
 * first thing in main(), before Qt or anything slow starts; idempotent.
 */
void installInterruptHandler();

/**
 * The interrupts as a Qt signal: a QSocketNotifier on the pipe's read end
 * emits interrupted() on the owner's thread, once per received signal,
 * including those that came before it existed.
 */
class SignalPipe : public QObject {
    Q_OBJECT
public:
    explicit SignalPipe(QObject* parent = nullptr);
    ~SignalPipe() override;

signals:
    /** Emitted once per received signal, with the signal number. */
    void interrupted(int signal);

private:
    QSocketNotifier* notifier_ = nullptr;
};

}  // namespace acquila::cli
