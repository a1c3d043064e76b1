#pragma once
#include <QString>

namespace acquila::worker {

/** Command-line options of acquila-worker. */
struct WorkerOptions {
    QString socketPath;
    int id = 0;
    QString role = QStringLiteral("device");  // "device" or "storage"
    QString blackBoxPath;
    QByteArray token;  // from ACQUILA_TOKEN
};

/**
 * Runs a worker process to completion: connects, says hello, then reads
 * commands on this (the reader) thread and executes them on an executor
 * thread. Ends when the manager says shutdown or the connection drops (the
 * app died): workers never outlive the app. Returns the exit code.
 */
int runWorker(const WorkerOptions& options);

}  // namespace acquila::worker
