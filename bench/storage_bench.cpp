// Storage benchmark: frames streamed through a real storage worker process next to
// plain write() and h5py on the same directory, and a 0D scan written end to end
// (engine + storage worker) next to the same design in Python with h5py.
// Prints one JSON document. MB = 10^6 bytes.
// Usage: bench_storage [--frames N] [--frames-per-batch K] [--rounds R] [--points N]
//                      [--flush-interval S] [--dir PARENT] [--worker-prefix CMD] [--no-python] [--no-frames] [--no-points]
#include "BenchSupport.h"
#include "core/engine/Engine.h"
#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"
#include "core/plan/Plan.h"
#include "core/plan/PointGenerator.h"
#include "core/protocol/Frame.h"
#include "core/storage/RunLayout.h"
#include "core/util/Logging.h"

#include <hdf5.h>

#include <QCborArray>
#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fcntl.h>
#include <functional>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace acquila::core;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kHeight = 512, kWidth = 1024;
constexpr qint64 kFrameBytes = qint64{kHeight} * kWidth * 2;
constexpr qint64 kWindowBytes = 256ll << 20;  // what the manager keeps in flight towards storage

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
double round2(double x) { return std::round(x * 100) / 100; }
double mbPerS(qint64 bytes, double s) { return std::round(static_cast<double>(bytes) / s / 1e5) / 10; }


struct ProcessUsage {
    double userS = 0, systemS = 0;
    qint64 minorFaults = 0;
};

/** CPU time and minor page faults of a process so far, from /proc (works while it runs). */
ProcessUsage processUsage(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');  // fields from "state" on
    if (fields.size() < 13) return {};
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    return {static_cast<double>(fields[11].toLongLong()) / tick, static_cast<double>(fields[12].toLongLong()) / tick, fields[7].toLongLong()};
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return std::round((v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2) * 10) / 10;
}

/** Fills frame k of `batch` so every frame differs (first pixel = frame index). */
void stampFrames(QByteArray& batch, qint64 firstFrame, qint64 count) {
    auto* px = reinterpret_cast<quint16*>(batch.data());
    for (qint64 k = 0; k < count; ++k) px[k * kFrameBytes / 2] = static_cast<quint16>(firstFrame + k);
}

QByteArray patternBatch(qint64 frames) {
    QByteArray b(frames * kFrameBytes, Qt::Uninitialized);
    auto* px = reinterpret_cast<quint16*>(b.data());
    for (qint64 i = 0; i < b.size() / 2; ++i) px[i] = static_cast<quint16>(i * 2654435761u >> 20);
    return b;
}

/** (a) Sequential write() of the same bytes, the same batch size, to the same directory; no fsync. */
QJsonObject plainWrite(const QString& dir, qint64 frames, qint64 perBatch) {
    QByteArray batch = patternBatch(perBatch);
    const QByteArray path = QFile::encodeName(dir + QStringLiteral("/plain.bin"));
    const auto t0 = Clock::now();
    const int fd = ::open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return {{"error", QStringLiteral("cannot create %1").arg(QString::fromLocal8Bit(path))}};
    qint64 total = 0;
    for (qint64 f = 0; f < frames; f += perBatch) {
        const qint64 n = std::min(perBatch, frames - f);
        stampFrames(batch, f, n);
        for (qint64 off = 0; off < n * kFrameBytes;) {
            const ssize_t w = ::write(fd, batch.constData() + off, static_cast<size_t>(n * kFrameBytes - off));
            if (w <= 0) {
                ::close(fd);
                return {{"error", QStringLiteral("write failed: %1").arg(QString::fromLocal8Bit(strerror(errno)))}};
            }
            off += w;
        }
        total += n * kFrameBytes;
    }
    ::close(fd);
    const double s = seconds(t0, Clock::now());
    QFile::remove(QString::fromLocal8Bit(path));
    return {{"seconds", std::round(s * 1e4) / 1e4}, {"MB_per_s", mbPerS(total, s)}};
}

/**
 * Transport floor: the same result frames pushed through a Unix socketpair to a forked
 * child that only reads them, `readBytes` per recv (the storage worker reads 64 KiB).
 */
QJsonObject socketFloor(const std::vector<QByteArray>& results, size_t readBytes) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return {{"error", QStringLiteral("socketpair failed")}};
    qint64 total = 0;
    for (const auto& r : results) total += r.size();
    const pid_t child = fork();
    if (child == 0) {
        ::close(sv[0]);
        std::vector<char> buf(readBytes);
        qint64 got = 0;
        while (got < total) {
            const ssize_t n = ::recv(sv[1], buf.data(), buf.size(), 0);
            if (n <= 0) break;
            got += n;
        }
        const char done = 1;
        _exit(::send(sv[1], &done, 1, 0) == 1 ? 0 : 1);
    }
    ::close(sv[1]);
    const auto t0 = Clock::now();
    for (const auto& r : results)
        for (qint64 off = 0; off < r.size();) {
            const ssize_t n = ::send(sv[0], r.constData() + off, static_cast<size_t>(r.size() - off), MSG_NOSIGNAL);
            if (n <= 0) break;
            off += n;
        }
    char done = 0;
    const bool ok = ::recv(sv[0], &done, 1, 0) == 1;
    const double s = seconds(t0, Clock::now());
    ::close(sv[0]);
    waitpid(child, nullptr, 0);
    if (!ok) return {{"error", QStringLiteral("socket floor: the reader did not finish")}};
    return {{"read_bytes", static_cast<qint64>(readBytes)}, {"MB_per_s", mbPerS(total, s)}};
}

/** (b) h5py through bench/storage_python.py; its JSON, or an error. */
QJsonObject runPython(const QStringList& args, int timeoutMs) {
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(QStringLiteral("/usr/bin/python3"), QStringList{QStringLiteral(ACQUILA_SOURCE_DIR "/bench/storage_python.py")} + args);
    if (!p.waitForFinished(timeoutMs) || p.exitCode() != 0) {
        p.kill();
        p.waitForFinished(2000);
        return {{"error", QStringLiteral("storage_python.py %1 failed (exit %2)").arg(args.join(QLatin1Char(' '))).arg(p.exitCode())}};
    }
    return QJsonDocument::fromJson(p.readAllStandardOutput()).object();
}

/**
 * Speaks the worker protocol over the accepted socket with poll/send/recv, so a
 * 4 MiB result is sent without another copy into a Qt write buffer.
 */
class WorkerLink {
public:
    explicit WorkerLink(int fd) : fd_(fd) { ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK); }

    /** Sends the whole frame, handing every message that arrives meanwhile to `onMessage`. */
    bool send(const QByteArray& frame) {
        qsizetype off = 0;
        const auto deadline = Clock::now() + std::chrono::seconds(60);
        while (off < frame.size()) {
            if (Clock::now() > deadline) return false;
            const ssize_t n = ::send(fd_, frame.constData() + off, static_cast<size_t>(frame.size() - off), MSG_NOSIGNAL);
            if (n > 0) {
                off += n;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
            if (!pump(POLLOUT, 10000)) return false;
        }
        return true;
    }
    /** Reads messages until `done()` or the timeout; false on timeout or a closed socket. */
    bool waitFor(const std::function<bool()>& done, int timeoutMs) {
        const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
        while (!done()) {
            const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
            if (left <= 0 || !pump(0, left)) return false;
        }
        return true;
    }
    std::function<void(const Message&)> onMessage;

private:
    /** One poll: decodes what arrived. False only when the socket is closed or broken. */
    bool pump(short extra, int timeoutMs) {
        pollfd p{fd_, static_cast<short>(POLLIN | extra), 0};
        const int r = ::poll(&p, 1, timeoutMs);
        if (r < 0) return errno == EINTR;
        if (r == 0) return true;
        if (p.revents & POLLIN) {
            char buf[1 << 16];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
            if (n > 0 && !decoder_.feed(buf, n)) return false;
            while (decoder_.hasMessage()) onMessage(decoder_.take());
            return true;
        }
        return !(p.revents & (POLLERR | POLLHUP | POLLNVAL));
    }
    int fd_;
    FrameDecoder decoder_;
};

DeviceDescription frameDetector() {
    DeviceDescription d;
    d.name = QStringLiteral("frame");
    d.driver = QStringLiteral("bench.frames");
    d.kind = DeviceKind::Detector;
    OutputDecl o;
    o.name = QStringLiteral("frame");
    o.unit = QStringLiteral("counts");
    o.dtype = DType::UInt16;
    o.shape = {kHeight, kWidth};
    d.outputs.push_back(o);
    return d;
}

/** Reads /entry/data/frame of a finished file: its length and the stamp of the last frame. */
QString checkFramesFile(const QString& path, qint64 frames) {
    hid_t f = H5Fopen(QFile::encodeName(path).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return QStringLiteral("cannot open %1").arg(path);
    hid_t ds = H5Dopen2(f, "/entry/data/frame", H5P_DEFAULT);
    hid_t space = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t dims[3] = {0, 0, 0};
    QString problem;
    if (space < 0 || H5Sget_simple_extent_ndims(space) != 3) problem = QStringLiteral("no 3-D /entry/data/frame");
    else {
        H5Sget_simple_extent_dims(space, dims, nullptr);
        hsize_t start[3] = {static_cast<hsize_t>(frames - 1), 0, 0}, count[3] = {1, 1, 1}, one = 1;
        quint16 px = 0;
        hid_t mem = H5Screate_simple(1, &one, nullptr);
        H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
        if (dims[0] != static_cast<hsize_t>(frames) || dims[1] != kHeight || dims[2] != kWidth) problem = QStringLiteral("frame dataset has the wrong shape");
        else if (H5Dread(ds, H5T_NATIVE_UINT16, mem, space, H5P_DEFAULT, &px) < 0 || px != static_cast<quint16>(frames - 1))
            problem = QStringLiteral("last frame does not hold its data");
        H5Sclose(mem);
    }
    if (space >= 0) H5Sclose(space);
    if (ds >= 0) H5Dclose(ds);
    H5Fclose(f);
    return problem;
}

/** Result frames of run 1 as a device worker sends them: `perBatch` frames and their timestamps per message. */
std::vector<QByteArray> encodeFrames(qint64 frames, qint64 perBatch, double* encodeS) {
    QByteArray pixels = patternBatch(perBatch);
    std::vector<QByteArray> out;
    const auto t0 = Clock::now();
    for (qint64 f = 0; f < frames; f += perBatch) {
        const qint64 n = std::min(perBatch, frames - f);
        stampFrames(pixels, f, n);
        ResultBatch b;
        b.runId = 1;
        b.first = f;
        b.count = n;
        std::vector<double> ts(static_cast<size_t>(n), static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0);
        b.channels.push_back(Channel{kTimestampChannel, DType::Float64, {}, QByteArray(reinterpret_cast<const char*>(ts.data()), n * 8)});
        b.channels.push_back(Channel{QStringLiteral("frame"), DType::UInt16, {kHeight, kWidth}, n == perBatch ? pixels : pixels.left(n * kFrameBytes)});
        QCborMap p = b.toCbor();
        p.insert(QLatin1String("job"), f / perBatch + 1);
        p.insert(QLatin1String("final"), true);
        p.insert(QLatin1String("seconds"), 0.0);
        out.push_back(encodeFrame(Message{MessageType::Result, static_cast<quint64>(f / perBatch + 1), p}));
    }
    *encodeS = seconds(t0, Clock::now());
    return out;
}

/**
 * Acquila: a real storage worker process fed the pre-encoded result frames over the
 * worker protocol, timed from the first result sent to the "finished" reply.
 */
QJsonObject acquilaFrames(const QString& dir, const std::vector<QByteArray>& results, qint64 frames, qint64 perBatch, double flushS,
                          const QStringList& prefix) {
    QTemporaryDir sockDir;  // private (0700): only this user can connect
    QLocalServer server;
    server.setSocketOptions(QLocalServer::UserAccessOption);
    if (!server.listen(sockDir.filePath(QStringLiteral("s")))) return {{"error", QStringLiteral("listen: %1").arg(server.errorString())}};
    QProcess worker;
    worker.setProcessChannelMode(QProcess::ForwardedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("ACQUILA_TOKEN"), QStringLiteral("storage-bench"));
    worker.setProcessEnvironment(env);
    QStringList cmd = prefix;
    cmd << QStringLiteral(ACQUILA_WORKER_EXE) << QStringLiteral("--socket") << server.fullServerName() << QStringLiteral("--id") << QStringLiteral("1")
        << QStringLiteral("--role") << QStringLiteral("storage");
    worker.start(cmd.takeFirst(), cmd);
    if (!worker.waitForStarted(10000) || !server.waitForNewConnection(10000)) return {{"error", QStringLiteral("storage worker did not connect")}};
    QLocalSocket* sock = server.nextPendingConnection();
    WorkerLink link(static_cast<int>(sock->socketDescriptor()));

    bool hello = false, described = false, opened = false, finished = false;
    QString error, path;
    qint64 processed = 0, pointsStored = -1;
    link.onMessage = [&](const Message& m) {
        if (m.type == MessageType::Hello) hello = m.payload.value(QLatin1String("role")).toString() == QLatin1String("storage");
        else if (m.type == MessageType::Describe) described = true;
        else if (m.type == MessageType::StoreStatus) {
            const QString op = m.payload.value(QLatin1String("op")).toString();
            processed = std::max(processed, m.payload.value(QLatin1String("processed")).toInteger());
            if (m.payload.contains(QLatin1String("error"))) error = m.payload.value(QLatin1String("error")).toString();
            if (op == QLatin1String("opened")) opened = true;
            if (op == QLatin1String("opened") || op == QLatin1String("finished")) path = m.payload.value(QLatin1String("path")).toString();
            if (op == QLatin1String("finished")) {
                finished = true;
                pointsStored = m.payload.value(QLatin1String("points")).toInteger();
            }
        }
    };
    auto stop = [&](const QString& why) {
        link.send(encodeFrame(Message{MessageType::Shutdown, 0, {}}));
        if (!worker.waitForFinished(5000)) worker.kill();
        worker.waitForFinished(2000);
        return QJsonObject{{"error", why}};
    };
    if (!link.waitFor([&] { return hello; }, 10000)) return stop(QStringLiteral("no hello from the storage worker"));
    QCborMap conf;
    conf.insert(QLatin1String("data_directory"), dir);
    conf.insert(QLatin1String("flush_interval_s"), flushS);
    link.send(encodeFrame(Message{MessageType::Configure, 1, conf}));
    if (!link.waitFor([&] { return described; }, 10000)) return stop(QStringLiteral("no describe reply"));

    const DeviceDescription det = frameDetector();
    QCborMap open;
    open.insert(QLatin1String("op"), QLatin1String("open"));
    open.insert(QLatin1String("run"), 1);
    auto plan = parsePlan(QStringLiteral(R"({"version":1,"name":"frames","scan":{"type":"count","points":%1},"detectors":["frame"]})").arg(frames).toUtf8(), QStringLiteral("plan"));
    auto layout = RunLayout::forPlan(*plan, **PointGenerator::create(*plan), {det}, {1, QDateTime::currentDateTime(), {}});
    if (!layout) return stop(layout.error());
    open.insert(QLatin1String("layout"), layout->toCbor());
    link.send(encodeFrame(Message{MessageType::Store, 2, open}));
    if (!link.waitFor([&] { return opened; }, 20000) || !error.isEmpty()) return stop(QStringLiteral("open failed: %1").arg(error));

    std::deque<std::pair<qint64, qint64>> inFlight;  // (message number, bytes), as the manager keeps them
    qint64 inFlightBytes = 0, sent = 0;
    auto acked = [&] {
        while (!inFlight.empty() && inFlight.front().first <= processed) {
            inFlightBytes -= inFlight.front().second;
            inFlight.pop_front();
        }
        return inFlightBytes <= kWindowBytes;
    };
    const ProcessUsage use0 = processUsage(worker.processId());
    const auto t0 = Clock::now();
    for (size_t i = 0; i < results.size() && error.isEmpty(); ++i) {
        if (!link.waitFor(acked, 60000)) return stop(QStringLiteral("storage worker stopped acknowledging"));
        if (!link.send(results[i])) return stop(QStringLiteral("send failed"));
        inFlight.emplace_back(++sent, std::min(perBatch, frames - static_cast<qint64>(i) * perBatch) * kFrameBytes);
        inFlightBytes += inFlight.back().second;
    }
    QCborMap fin;
    fin.insert(QLatin1String("op"), QLatin1String("finish"));
    fin.insert(QLatin1String("status"), static_cast<int>(RunStatus::Completed));
    fin.insert(QLatin1String("reason"), QString());
    fin.insert(QLatin1String("devices"), QCborArray{det.toCbor()});
    link.send(encodeFrame(Message{MessageType::Store, 3, fin}));
    if (!link.waitFor([&] { return finished; }, 120000)) return stop(QStringLiteral("no finished reply"));
    const double s = seconds(t0, Clock::now());
    const ProcessUsage use1 = processUsage(worker.processId());
    QJsonObject out = stop(error);
    out.remove(QStringLiteral("error"));
    if (!error.isEmpty()) out.insert(QStringLiteral("error"), error);
    const QString problem = checkFramesFile(path, frames);
    if (!problem.isEmpty()) out.insert(QStringLiteral("error"), problem);
    QFile::remove(path);
    out.insert(QStringLiteral("seconds"), std::round(s * 1e4) / 1e4);
    out.insert(QStringLiteral("MB_per_s"), mbPerS(frames * kFrameBytes, s));
    out.insert(QStringLiteral("points_stored"), pointsStored);
    out.insert(QStringLiteral("storage_worker_user_s"), round2(use1.userS - use0.userS));
    out.insert(QStringLiteral("storage_worker_system_s"), round2(use1.systemS - use0.systemS));
    out.insert(QStringLiteral("storage_worker_minor_faults_per_frame"), std::round(static_cast<double>(use1.minorFaults - use0.minorFaults) / static_cast<double>(frames)));
    return out;
}


/** Reads /entry/data/points_written and the length of /entry/data/det of a finished run file. */
std::pair<qint64, qint64> pointsInFile(const QString& path) {
    hid_t f = H5Fopen(QFile::encodeName(path).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return {-1, -1};
    qint64 written = -1;
    hsize_t dims[4] = {0};
    hid_t pw = H5Dopen2(f, "/entry/data/points_written", H5P_DEFAULT);
    if (pw >= 0) {
        if (H5Dread(pw, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &written) < 0) written = -1;
        H5Dclose(pw);
    }
    hid_t det = H5Dopen2(f, "/entry/data/det", H5P_DEFAULT);
    if (det >= 0) {
        hid_t sp = H5Dget_space(det);
        H5Sget_simple_extent_dims(sp, dims, nullptr);
        H5Sclose(sp);
        H5Dclose(det);
    }
    H5Fclose(f);
    return {written, static_cast<qint64>(dims[0])};
}

/** Acquila: a 0D linear scan of instant replicable devices, engine + storage worker, enqueue -> runFinished. */
QJsonObject acquilaPoints(const QString& dir, qint64 points, double flushS, bool storage = true) {
    EngineConfig c;
    c.workerExe = QStringLiteral(ACQUILA_WORKER_EXE);
    c.storage = storage;
    c.dataDirectory = dir;
    c.flushIntervalS = flushS;
    c.lab.seed = 42;
    c.lab.devices.push_back({QStringLiteral("motor"), QStringLiteral("sim.motor"), QVariantMap{{"min", -1e9}, {"max", 1e9}}});
    c.lab.devices.push_back({QStringLiteral("det"), QStringLiteral("sim.gaussian"),
                             QVariantMap{{"axes", QStringList{QStringLiteral("motor")}}, {"center", QVariantList{10.0}},
                                         {"width", QVariantList{15.0}}, {"amplitude", 1000.0}, {"noise", 5.0}}});
    Engine engine(c);
    std::vector<RunProgress> finished;
    Clock::time_point finishedAt;
    bool storageReady = !storage;
    qint64 storagePid = 0;
    QObject::connect(&engine, &Engine::runFinished, [&](const RunProgress& p) {
        finishedAt = Clock::now();
        finished.push_back(p);
    });
    QObject::connect(&engine, &Engine::workersChanged, [&](const std::vector<WorkerStatus>& ws) {
        for (const auto& w : ws)
            if (w.role == QLatin1String("storage") && w.state == WorkerState::Ready) {
                storageReady = true;
                storagePid = w.pid;
            }
    });
    Clock::time_point runningAt, allPointsAt;
    QObject::connect(&engine, &Engine::progressChanged, [&](const RunProgress& p) {
        const auto now = Clock::now();
        if (p.state == RunState::Running && runningAt == Clock::time_point()) runningAt = now;
        if (p.total > 0 && p.done >= p.total && allPointsAt == Clock::time_point()) allPointsAt = now;
    });
    engine.start();
    if (!acquila::bench::waitEvents([&] { return !engine.devices().empty() && storageReady; }, 30000)) return {{"error", QStringLiteral("workers never became ready")}};
    const QByteArray json = QStringLiteral(R"({"version": 1, "name": "points", "scan": {"type": "linear"},
        "axes": [{"device": "motor", "start": 0, "stop": %1, "steps": %2}], "detectors": ["det"]})")
                                .arg(points - 1).arg(points).toUtf8();
    auto plan = parsePlan(json, QStringLiteral("storage-bench.json"));
    if (!plan) return {{"error", plan.error()}};
    const ProcessUsage use0 = processUsage(storagePid), self0 = processUsage(getpid());
    const auto t0 = Clock::now();
    engine.enqueue(*plan);
    const bool done = acquila::bench::waitEvents([&] { return !finished.empty(); }, 120000);
    const ProcessUsage use1 = processUsage(storagePid), self1 = processUsage(getpid());
    engine.shutdown();
    acquila::bench::waitEvents([&] { return engine.isShutDown(); }, 15000);
    if (!done) return {{"error", QStringLiteral("run did not finish within 120 s")}};
    const RunProgress& p = finished.front();
    const double s = seconds(t0, finishedAt);
    // Phases: enqueue -> Running (file open), -> last point delivered, -> runFinished (file closed).
    QJsonObject phases{{"to_running_s", std::round(seconds(t0, runningAt) * 1e4) / 1e4}, {"streaming_s", std::round(seconds(runningAt, allPointsAt) * 1e4) / 1e4},
                       {"closing_s", std::round(seconds(allPointsAt, finishedAt) * 1e4) / 1e4}};
    QJsonObject cpu{{"app_s", round2(self1.userS + self1.systemS - self0.userS - self0.systemS)}};
    if (!storage) return {{"points", points}, {"status", QLatin1String(runStatusName(p.status))}, {"seconds", std::round(s * 1e4) / 1e4},
                          {"points_per_s", std::round(static_cast<double>(points) / s)}, {"cpu", cpu}, {"phases", phases}};
    cpu.insert(QStringLiteral("storage_worker_s"), round2(use1.userS + use1.systemS - use0.userS - use0.systemS));
    const auto [written, length] = pointsInFile(p.filePath);
    QFile::remove(p.filePath);
    QJsonObject out{{"points", points}, {"status", QLatin1String(runStatusName(p.status))}, {"points_in_file", written},
                    {"det_length", length}, {"seconds", std::round(s * 1e4) / 1e4},
                    {"points_per_s", std::round(static_cast<double>(points) / s)}, {"cpu", cpu}, {"phases", phases}};
    if (p.status != RunStatus::Completed || written != points) out.insert(QStringLiteral("error"), QStringLiteral("the file does not hold every point: %1").arg(p.reason));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    qint64 frames = 2048, perBatch = 4, points = 1'000'000;
    int rounds = 3;
    double flushS = 0.5;
    bool python = true, doFrames = true, doPoints = true;
    QString parent = QDir::tempPath();
    QStringList workerPrefix;  // e.g. "valgrind --tool=callgrind" to profile the storage worker
    for (int i = 1; i < argc; ++i) {
        const QByteArray a = argv[i];
        const bool v = i + 1 < argc;
        if (a == "--frames" && v) frames = std::atoll(argv[++i]);
        else if (a == "--frames-per-batch" && v) perBatch = std::max(1ll, std::atoll(argv[++i]));
        else if (a == "--rounds" && v) rounds = std::max(1, std::atoi(argv[++i]));
        else if (a == "--points" && v) points = std::atoll(argv[++i]);
        else if (a == "--flush-interval" && v) flushS = std::atof(argv[++i]);
        else if (a == "--dir" && v) parent = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--worker-prefix" && v) workerPrefix = QString::fromLocal8Bit(argv[++i]).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        else if (a == "--no-python") python = false;
        else if (a == "--no-frames") doFrames = false;
        else if (a == "--no-points") doPoints = false;
        else {
            std::fprintf(stderr, "usage: bench_storage [--frames N] [--frames-per-batch K] [--rounds R] [--points N] "
                                 "[--flush-interval S] [--dir PARENT] [--worker-prefix CMD] [--no-python] [--no-frames] [--no-points]\n");
            return 2;
        }
    }
    QCoreApplication app(argc, argv);
    initLogging(QStringLiteral("bench-storage"), 3, false);  // warnings to stderr: stdout is the JSON
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    QTemporaryDir tmp(parent + QStringLiteral("/acquila-storage-bench-XXXXXX"));
    if (!tmp.isValid()) {
        std::fprintf(stderr, "cannot create a temporary directory in %s\n", qPrintable(parent));
        return 2;
    }
    const QString dir = tmp.path();
    QJsonObject doc{{"cores", QThread::idealThreadCount()}, {"load_before", acquila::bench::loadAverage()}, {"directory", dir},
                    {"units", QStringLiteral("MB = 10^6 bytes; medians over rounds")}};
    bool ok = true;
    double frameMb = 0, pointsPerS = 0;

    if (doFrames) {
        // This VM hands free guest memory back to the host: writing GiBs into pages freed
        // seconds ago runs ~3x faster than into pages the host must fault in again. Every
        // contender therefore starts right after the same amount of page cache was freed
        // (an untimed write() of the same size, deleted), so all see the same memory state.
        auto heat = [&] {
            ::sync();  // each contender starts without the previous one's dirty pages
            plainWrite(dir, frames, perBatch);
        };
        double encodeS = 0;
        const std::vector<QByteArray> results = encodeFrames(frames, perBatch, &encodeS);
        const QJsonObject floor64k = socketFloor(results, 64 << 10);
        const QJsonObject floor1m = socketFloor(results, 1 << 20);
        std::vector<double> acq, plain, h5;
        QJsonArray perRound;
        QJsonObject lastAcq, lastPy;
        for (int r = 0; r < rounds; ++r) {
            // Same order every round would favour whoever runs first after a deletion; rotate.
            QJsonObject round;
            for (int k = 0; k < 3; ++k) {
                heat();
                switch ((k + r) % 3) {
                case 0: {
                    lastAcq = acquilaFrames(dir, results, frames, perBatch, flushS, workerPrefix);
                    if (lastAcq.contains(QStringLiteral("error"))) ok = false;
                    acq.push_back(lastAcq.value(QStringLiteral("MB_per_s")).toDouble());
                    round.insert(QStringLiteral("acquila"), acq.back());
                    break;
                }
                case 1: {
                    const QJsonObject o = plainWrite(dir, frames, perBatch);
                    plain.push_back(o.value(QStringLiteral("MB_per_s")).toDouble());
                    round.insert(QStringLiteral("plain_write"), plain.back());
                    break;
                }
                case 2:
                    if (!python) break;
                    lastPy = runPython({QStringLiteral("frames"), QStringLiteral("--dir"), dir, QStringLiteral("--frames"), QString::number(frames),
                                        QStringLiteral("--per-batch"), QString::number(perBatch), QStringLiteral("--flush-interval"), QString::number(flushS)},
                                       180000);
                    h5.push_back(lastPy.value(QStringLiteral("MB_per_s")).toDouble());
                    round.insert(QStringLiteral("h5py"), h5.back());
                    break;
                }
            }
            perRound.append(round);
        }
        frameMb = median(acq);
        QJsonObject fr{{"frame", QStringLiteral("%1x%2 uint16 (%3 bytes)").arg(kHeight).arg(kWidth).arg(kFrameBytes)},
                       {"frames", frames},
                       {"frames_per_batch", perBatch},
                       {"total_MB", std::round(static_cast<double>(frames * kFrameBytes) / 1e6)},
                       {"flush_interval_s", flushS},
                       {"fairness", QStringLiteral("no fsync in any; each timed until its file is closed; before each: sync(), then an untimed write() of the same size deleted right away (same page-cache state for all); order rotated per round")},
                       {"write_path", QStringLiteral("H5Dwrite_chunk: one frame per chunk, no filter, written as one pwrite, bypassing the chunk cache, "
                                                     "type conversion and hyperslab selection")},
                       {"rounds", perRound},
                       {"result_encode_MB_per_s", mbPerS(frames * kFrameBytes, encodeS)},
                       {"socket_floor", QJsonArray{floor64k, floor1m}},
                       {"acquila_last", lastAcq},
                       {"MB_per_s", frameMb},
                       {"plain_write_MB_per_s", median(plain)}};
        if (!lastPy.isEmpty()) fr.insert(QStringLiteral("h5py_last"), lastPy);
        if (!h5.empty()) fr.insert(QStringLiteral("h5py_MB_per_s"), median(h5));
        if (median(plain) > 0) fr.insert(QStringLiteral("ratio_vs_plain_write"), round2(frameMb / median(plain)));
        if (!h5.empty() && median(h5) > 0) fr.insert(QStringLiteral("ratio_vs_h5py"), round2(frameMb / median(h5)));
        doc.insert(QStringLiteral("frames"), fr);
    }

    if (doPoints) {
        // Rounds alternate Acquila with and without storage and Python; medians absorb the load of a shared machine.
        std::vector<double> acq, bare, py;
        QJsonObject lastAcq, lastBare, lastPy;
        QJsonArray perRound;
        for (int r = 0; r < rounds; ++r) {
            lastAcq = acquilaPoints(dir, points, flushS);
            if (lastAcq.contains(QStringLiteral("error"))) ok = false;
            acq.push_back(lastAcq.value(QStringLiteral("points_per_s")).toDouble());
            // The same run without the storage worker tells what storage costs on top of dispatch.
            lastBare = acquilaPoints(dir, points, flushS, false);
            bare.push_back(lastBare.value(QStringLiteral("points_per_s")).toDouble());
            QJsonObject round{{"acquila", acq.back()}, {"acquila_without_storage", bare.back()}};
            if (python) {
                lastPy = runPython({QStringLiteral("points"), QStringLiteral("--dir"), dir, QStringLiteral("--points"), QString::number(points),
                                    QStringLiteral("--flush-interval"), QString::number(flushS)},
                                   180000);
                py.push_back(lastPy.value(QStringLiteral("points_per_s")).toDouble());
                round.insert(QStringLiteral("python_h5py"), py.back());
            }
            perRound.append(round);
        }
        pointsPerS = median(acq);
        QJsonObject pt{{"points", points}, {"rounds", perRound}, {"acquila_last", lastAcq}, {"acquila_without_storage_last", lastBare},
                       {"points_per_s", pointsPerS}, {"without_storage_points_per_s", median(bare)}};
        if (python) {
            pt.insert(QStringLiteral("python_h5py_last"), lastPy);
            pt.insert(QStringLiteral("python_h5py_points_per_s"), median(py));
            if (median(py) > 0) pt.insert(QStringLiteral("ratio_vs_python"), round2(pointsPerS / median(py)));
        }
        doc.insert(QStringLiteral("points"), pt);
    }
    doc.insert(QStringLiteral("MB_per_s"), frameMb);
    doc.insert(QStringLiteral("points_per_s"), pointsPerS);
    doc.insert(QStringLiteral("load_after"), acquila::bench::loadAverage());
    std::printf("%s", QJsonDocument(doc).toJson(QJsonDocument::Indented).constData());
    return ok ? 0 : 1;
}
