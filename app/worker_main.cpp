// acquila-worker: a worker process of the pool. Started by the app, never by hand.
#include "worker/WorkerMain.h"

#include <QCoreApplication>
#include <cstdio>
#include <cstdlib>
#include <cstring>

int main(int argc, char** argv) {
    acquila::worker::WorkerOptions o;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        const bool hasValue = i + 1 < argc;
        if (!std::strcmp(a, "--help") || !std::strcmp(a, "-h")) {
            std::printf("usage: acquila-worker --socket PATH --id N [--role device|storage] [--blackbox PATH]\n"
                        "A worker process of Acquila's pool; the app starts it and passes the session token\n"
                        "in ACQUILA_TOKEN. It exits when the app closes the connection.\n");
            return 0;
        } else if (!std::strcmp(a, "--socket") && hasValue) {
            o.socketPath = QString::fromLocal8Bit(argv[++i]);
        } else if (!std::strcmp(a, "--id") && hasValue) {
            o.id = std::atoi(argv[++i]);
        } else if (!std::strcmp(a, "--role") && hasValue) {
            o.role = QString::fromLocal8Bit(argv[++i]);
        } else if (!std::strcmp(a, "--blackbox") && hasValue) {
            o.blackBoxPath = QString::fromLocal8Bit(argv[++i]);
        } else {
            std::fprintf(stderr, "acquila-worker: unknown argument '%s' (see --help)\n", a);
            return 2;
        }
    }
    if (o.socketPath.isEmpty()) {
        std::fprintf(stderr, "acquila-worker: --socket is required (see --help)\n");
        return 2;
    }
    const char* token = std::getenv("ACQUILA_TOKEN");
    o.token = token ? QByteArray(token) : QByteArray();
    QCoreApplication app(argc, argv);  // for Qt's string and CBOR machinery; no event loop runs
    return acquila::worker::runWorker(o);
}
