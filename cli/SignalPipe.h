#pragma once
#include <QObject>

class QSocketNotifier;

namespace acquila::cli {

/**
 * SIGINT/SIGTERM delivered as a Qt signal via the self-pipe pattern: the
 * handler only write()s one byte (async-signal-safe: no logging, no locks);
 * a QSocketNotifier on the read end emits interrupted() on the owner's thread.
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
