#include "worker/WorkerMain.h"

#include "core/protocol/BlackBox.h"
#include "core/protocol/Messages.h"
#include "worker/CommandQueue.h"
#include "worker/Connection.h"
#include "worker/DeviceExecutor.h"
#include "worker/ForwardingLogSink.h"
#include "worker/StorageExecutor.h"

#include <QCborMap>
#include <QFile>
#include <spdlog/spdlog.h>
#include <atomic>
#include <malloc.h>
#include <chrono>
#include <cstdio>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <csignal>
#include <thread>
#include <unistd.h>

namespace acquila::worker {

using protocol::Message;
using protocol::MessageType;

int runWorker(const WorkerOptions& options) {
    const bool storage = options.role == QLatin1String("storage");
    // Workers yield to the GUI: the window must stay responsive on a 2-core machine.
    setpriority(PRIO_PROCESS, 0, storage ? 5 : 10);
    // Result buffers of many MiB come and go per job: keep them in the heap instead of
    // returning them to the kernel and faulting them in again every time.
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);  // Ctrl-C in a terminal is for the app, which stops or aborts the run
    if (!storage) prctl(PR_SET_PDEATHSIG, SIGKILL);  // belt and braces: a device worker dies with the app

    Connection conn;
    QString error;
    if (!conn.connectTo(options.socketPath, &error)) {
        std::fprintf(stderr, "acquila-worker %d: %s\n", options.id, qPrintable(error));
        return 2;
    }
    conn.send(protocol::toMessage(protocol::Hello{protocol::kProtocolVersion, QString::fromLatin1(options.token), getpid(), options.id,
                                          storage ? protocol::WorkerRole::Storage : protocol::WorkerRole::Device}));

    auto logger = std::make_shared<spdlog::logger>("worker", std::make_shared<ForwardingLogSink>(conn));
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
    spdlog::info("{} worker started (pid {})", options.role.toStdString(), getpid());

    protocol::BlackBox* box = protocol::mapBlackBox(options.blackBoxPath, false);
    std::unique_ptr<Executor> executor;
    if (storage) executor = std::make_unique<StorageExecutor>(conn);
    else executor = std::make_unique<DeviceExecutor>(conn, box);

    CommandQueue queue;
    // Device workers poll briefly for the next job (latency of one-point jobs); the storage
    // worker must not: its reader thread needs the core to receive large frames.
    queue.setSpin(storage ? 0 : 100);
    std::atomic<bool> executorDone{false};  // set by the executor thread when it returns
    std::thread exec([&] {
        for (;;) {
            // Asked before every wait: the device role polls its monitors only while no run is open.
            const int idle = executor->idleIntervalMs();
            if (idle < 0) {
                if (!executor->handle(queue.pop())) break;
                continue;
            }
            auto m = queue.popFor(std::chrono::milliseconds(idle));
            if (m && !executor->handle(*m)) break;
            executor->onIdle();
        }
        executorDone.store(true);
    });

    protocol::FrameDecoder decoder;
    decoder.setLazyResults(storage);  // the storage role writes results straight from the frame
    auto lastBeat = std::chrono::steady_clock::now();
    bool connectionLost = false;
    while (!executorDone.load()) {
        if (!conn.receive(decoder, executor->tickIntervalMs())) {
            connectionLost = true;
            break;
        }
        if (decoder.failed()) {
            std::fprintf(stderr, "acquila-worker %d: protocol error: %s\n", options.id, qPrintable(decoder.error()));
            connectionLost = true;
            break;
        }
        bool shutdown = false;
        while (decoder.hasMessage()) {
            Message m = decoder.take();
            switch (m.type) {
                case MessageType::Heartbeat: break;
                case MessageType::Cancel: {
                    // A cancel that does not say how far still stops: never keep measuring after one.
                    const auto cancel = protocol::Cancel::decode(m);
                    executor->onCancel(cancel ? cancel->level : model::CancelLevel::Stop);
                    break;
                }
                case MessageType::Shutdown:
                    shutdown = true;
                    executor->onShutdown(false);
                    queue.push(std::move(m));
                    break;
                case MessageType::Job:
                    executor->onJobQueued(m.id);
                    queue.push(std::move(m));
                    break;
                default:
                    queue.push(std::move(m));
            }
        }
        executor->onTick();
        const auto now = std::chrono::steady_clock::now();
        if (now - lastBeat > std::chrono::milliseconds(250)) {
            conn.trySend(protocol::toMessage(protocol::Heartbeat{}));
            lastBeat = now;
        }
        if (shutdown) break;
    }
    if (connectionLost) {
        // The app is gone: interrupt the work, let storage close its file, and never outlive the app.
        executor->onShutdown(true);
        queue.push(protocol::toMessage(protocol::Shutdown{}));
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(storage ? 1800 : 1000);
    while (!executorDone.load() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!executorDone.load()) _exit(connectionLost ? 3 : 0);  // a hung device: leave without it
    exec.join();
    return 0;
}

}  // namespace acquila::worker
