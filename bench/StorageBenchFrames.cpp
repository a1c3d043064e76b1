// The frame contenders of bench_storage: plain write(), the bare socket transport
// and a real storage worker process fed pre-encoded result frames.
#include "StorageBench.h"
#include "WorkerLink.h"
#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"
#include "core/model/RunTypes.h"
#include "core/plan/Plan.h"
#include "core/plan/PointGenerator.h"
#include "core/protocol/Frame.h"
#include "core/protocol/Messages.h"
#include "core/protocol/ResultFrame.h"
#include "core/storage/RunLayout.h"

#include <hdf5.h>

#include <QCborArray>
#include <QDateTime>
#include <QLocalServer>
#include <QLocalSocket>
#include <QProcess>
#include <QTemporaryDir>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace acquila::bench {

using namespace acquila::model;
using namespace acquila::protocol;
using namespace acquila::plan;
using namespace acquila::storage;

namespace {

constexpr qint64 kWindowBytes = 256ll << 20;  // what the manager keeps in flight towards storage

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

}  // namespace

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

std::vector<QByteArray> encodeFrames(qint64 frames, qint64 perBatch, double* encodeS) {
    QByteArray pixels = patternBatch(perBatch);
    std::vector<QByteArray> out;
    const auto t0 = Clock::now();
    for (qint64 f = 0; f < frames; f += perBatch) {
        const qint64 n = std::min(perBatch, frames - f);
        stampFrames(pixels, f, n);
        std::vector<double> ts(static_cast<size_t>(n), static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0);
        const std::vector<Channel> channels{{kTimestampChannel, DType::Float64, {}, {}}, {QStringLiteral("frame"), DType::UInt16, {kHeight, kWidth}, {}}};
        const std::vector<QByteArray> data{QByteArray(reinterpret_cast<const char*>(ts.data()), n * 8),
                                           n == perBatch ? pixels : pixels.left(n * kFrameBytes)};
        out.push_back(encodeResultFrame(1, f, n, channels, data, {static_cast<quint64>(f / perBatch + 1), true, 0.0}));
    }
    *encodeS = seconds(t0, Clock::now());
    return out;
}

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
    auto plan = parsePlan(QStringLiteral(R"({"version":1,"name":"frames","scan":{"type":"count","points":%1},"detectors":["frame"]})").arg(frames).toUtf8(), QStringLiteral("plan"));
    auto layout = RunLayout::forPlan(*plan, **PointGenerator::create(*plan), {det}, {1, QDateTime::currentDateTime(), {}});
    if (!layout) return stop(layout.error());
    link.send(encodeFrame(toMessage(StoreOpen{1, layout->toCbor(), {}}, 2)));
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

}  // namespace acquila::bench
