// Storage benchmark: frames streamed through a real storage worker process next to
// plain write() and h5py on the same directory, and a 0D scan written end to end
// (engine + storage worker) next to the same design in Python with h5py.
// Prints one JSON document. MB = 10^6 bytes.
// Usage: bench_storage [--frames N] [--frames-per-batch K] [--rounds R] [--points N]
//                      [--flush-interval S] [--dir PARENT] [--worker-prefix CMD] [--no-python] [--no-frames] [--no-points]
// The parts: StorageBenchFrames.cpp (frames), StorageBenchPoints.cpp (0D scan).
#include "BenchSupport.h"
#include "StorageBench.h"
#include "core/util/Logging.h"

#include <hdf5.h>

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace acquila::bench;

namespace {

struct Options {
    qint64 frames = 2048, perBatch = 4, points = 1'000'000;
    int rounds = 3;
    double flushS = 0.5;
    bool python = true, doFrames = true, doPoints = true;
    QString parent = QDir::tempPath();
    QStringList workerPrefix;  // e.g. "valgrind --tool=callgrind" to profile the storage worker
};

/** Reads the command line into `o`; false (after printing the usage) on anything unknown. */
bool parseOptions(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray a = argv[i];
        const bool v = i + 1 < argc;
        if (a == "--frames" && v) o.frames = std::atoll(argv[++i]);
        else if (a == "--frames-per-batch" && v) o.perBatch = std::max(1ll, std::atoll(argv[++i]));
        else if (a == "--rounds" && v) o.rounds = std::max(1, std::atoi(argv[++i]));
        else if (a == "--points" && v) o.points = std::atoll(argv[++i]);
        else if (a == "--flush-interval" && v) o.flushS = std::atof(argv[++i]);
        else if (a == "--dir" && v) o.parent = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--worker-prefix" && v) o.workerPrefix = QString::fromLocal8Bit(argv[++i]).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        else if (a == "--no-python") o.python = false;
        else if (a == "--no-frames") o.doFrames = false;
        else if (a == "--no-points") o.doPoints = false;
        else {
            std::fprintf(stderr, "usage: bench_storage [--frames N] [--frames-per-batch K] [--rounds R] [--points N] "
                                 "[--flush-interval S] [--dir PARENT] [--worker-prefix CMD] [--no-python] [--no-frames] [--no-points]\n");
            return false;
        }
    }
    return true;
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

/** The frame contenders' results: the rates of each round and the last full reports. */
struct FrameRounds {
    std::vector<double> acq, plain, h5;
    QJsonArray perRound;
    QJsonObject lastAcq, lastPy;
    bool ok = true;
};

/** Each round runs every contender once; the order rotates so none always runs first after a deletion. */
FrameRounds runFrameRounds(const Options& o, const QString& dir, const std::vector<QByteArray>& results) {
    // This VM hands free guest memory back to the host: writing GiBs into pages freed
    // seconds ago runs ~3x faster than into pages the host must fault in again. Every
    // contender therefore starts right after the same amount of page cache was freed
    // (an untimed write() of the same size, deleted), so all see the same memory state.
    auto heat = [&] {
        ::sync();  // each contender starts without the previous one's dirty pages
        plainWrite(dir, o.frames, o.perBatch);
    };
    FrameRounds fr;
    for (int r = 0; r < o.rounds; ++r) {
        QJsonObject round;
        for (int k = 0; k < 3; ++k) {
            heat();
            switch ((k + r) % 3) {
            case 0: {
                fr.lastAcq = acquilaFrames(dir, results, o.frames, o.perBatch, o.flushS, o.workerPrefix);
                if (fr.lastAcq.contains(QStringLiteral("error"))) fr.ok = false;
                fr.acq.push_back(fr.lastAcq.value(QStringLiteral("MB_per_s")).toDouble());
                round.insert(QStringLiteral("acquila"), fr.acq.back());
                break;
            }
            case 1: {
                const QJsonObject p = plainWrite(dir, o.frames, o.perBatch);
                fr.plain.push_back(p.value(QStringLiteral("MB_per_s")).toDouble());
                round.insert(QStringLiteral("plain_write"), fr.plain.back());
                break;
            }
            case 2:
                if (!o.python) break;
                fr.lastPy = runPython({QStringLiteral("frames"), QStringLiteral("--dir"), dir, QStringLiteral("--frames"), QString::number(o.frames),
                                       QStringLiteral("--per-batch"), QString::number(o.perBatch), QStringLiteral("--flush-interval"), QString::number(o.flushS)},
                                      180000);
                fr.h5.push_back(fr.lastPy.value(QStringLiteral("MB_per_s")).toDouble());
                round.insert(QStringLiteral("h5py"), fr.h5.back());
                break;
            }
        }
        fr.perRound.append(round);
    }
    return fr;
}

/** The "frames" report: Acquila's storage worker next to plain write() and h5py. */
QJsonObject framesPart(const Options& o, const QString& dir, bool* ok) {
    double encodeS = 0;
    const std::vector<QByteArray> results = encodeFrames(o.frames, o.perBatch, &encodeS);
    const QJsonObject floor64k = socketFloor(results, 64 << 10);
    const QJsonObject floor1m = socketFloor(results, 1 << 20);
    const FrameRounds r = runFrameRounds(o, dir, results);
    if (!r.ok) *ok = false;
    const double frameMb = median(r.acq);
    QJsonObject fr{{"frame", QStringLiteral("%1x%2 uint16 (%3 bytes)").arg(kHeight).arg(kWidth).arg(kFrameBytes)},
                   {"frames", o.frames},
                   {"frames_per_batch", o.perBatch},
                   {"total_MB", std::round(static_cast<double>(o.frames * kFrameBytes) / 1e6)},
                   {"flush_interval_s", o.flushS},
                   {"fairness", QStringLiteral("no fsync in any; each timed until its file is closed; before each: sync(), then an untimed write() of the same size deleted right away (same page-cache state for all); order rotated per round")},
                   {"write_path", QStringLiteral("H5Dwrite_chunk: one frame per chunk, no filter, written as one pwrite, bypassing the chunk cache, "
                                                 "type conversion and hyperslab selection")},
                   {"rounds", r.perRound},
                   {"result_encode_MB_per_s", mbPerS(o.frames * kFrameBytes, encodeS)},
                   {"socket_floor", QJsonArray{floor64k, floor1m}},
                   {"acquila_last", r.lastAcq},
                   {"MB_per_s", frameMb},
                   {"plain_write_MB_per_s", median(r.plain)}};
    if (!r.lastPy.isEmpty()) fr.insert(QStringLiteral("h5py_last"), r.lastPy);
    if (!r.h5.empty()) fr.insert(QStringLiteral("h5py_MB_per_s"), median(r.h5));
    if (median(r.plain) > 0) fr.insert(QStringLiteral("ratio_vs_plain_write"), round2(frameMb / median(r.plain)));
    if (!r.h5.empty() && median(r.h5) > 0) fr.insert(QStringLiteral("ratio_vs_h5py"), round2(frameMb / median(r.h5)));
    return fr;
}

/** The "points" report: rounds alternate Acquila with and without storage and Python; medians absorb the load of a shared machine. */
QJsonObject pointsPart(const Options& o, const QString& dir, bool* ok) {
    std::vector<double> acq, bare, py;
    QJsonObject lastAcq, lastBare, lastPy;
    QJsonArray perRound;
    for (int r = 0; r < o.rounds; ++r) {
        lastAcq = acquilaPoints(dir, o.points, o.flushS);
        if (lastAcq.contains(QStringLiteral("error"))) *ok = false;
        acq.push_back(lastAcq.value(QStringLiteral("points_per_s")).toDouble());
        // The same run without the storage worker tells what storage costs on top of dispatch.
        lastBare = acquilaPoints(dir, o.points, o.flushS, false);
        bare.push_back(lastBare.value(QStringLiteral("points_per_s")).toDouble());
        QJsonObject round{{"acquila", acq.back()}, {"acquila_without_storage", bare.back()}};
        if (o.python) {
            lastPy = runPython({QStringLiteral("points"), QStringLiteral("--dir"), dir, QStringLiteral("--points"), QString::number(o.points),
                                QStringLiteral("--flush-interval"), QString::number(o.flushS)},
                               180000);
            py.push_back(lastPy.value(QStringLiteral("points_per_s")).toDouble());
            round.insert(QStringLiteral("python_h5py"), py.back());
        }
        perRound.append(round);
    }
    const double pointsPerS = median(acq);
    QJsonObject pt{{"points", o.points}, {"rounds", perRound}, {"acquila_last", lastAcq}, {"acquila_without_storage_last", lastBare},
                   {"points_per_s", pointsPerS}, {"without_storage_points_per_s", median(bare)}};
    if (o.python) {
        pt.insert(QStringLiteral("python_h5py_last"), lastPy);
        pt.insert(QStringLiteral("python_h5py_points_per_s"), median(py));
        if (median(py) > 0) pt.insert(QStringLiteral("ratio_vs_python"), round2(pointsPerS / median(py)));
    }
    return pt;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (!parseOptions(argc, argv, o)) return 2;
    QCoreApplication app(argc, argv);
    acquila::util::initLogging(QStringLiteral("bench-storage"), 3, false);  // warnings to stderr: stdout is the JSON
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    QTemporaryDir tmp(o.parent + QStringLiteral("/acquila-storage-bench-XXXXXX"));
    if (!tmp.isValid()) {
        std::fprintf(stderr, "cannot create a temporary directory in %s\n", qPrintable(o.parent));
        return 2;
    }
    const QString dir = tmp.path();
    QJsonObject doc{{"cores", QThread::idealThreadCount()}, {"load_before", loadAverage()}, {"directory", dir},
                    {"units", QStringLiteral("MB = 10^6 bytes; medians over rounds")}};
    bool ok = true;
    double frameMb = 0, pointsPerS = 0;
    if (o.doFrames) {
        const QJsonObject fr = framesPart(o, dir, &ok);
        frameMb = fr.value(QStringLiteral("MB_per_s")).toDouble();
        doc.insert(QStringLiteral("frames"), fr);
    }
    if (o.doPoints) {
        const QJsonObject pt = pointsPart(o, dir, &ok);
        pointsPerS = pt.value(QStringLiteral("points_per_s")).toDouble();
        doc.insert(QStringLiteral("points"), pt);
    }
    doc.insert(QStringLiteral("MB_per_s"), frameMb);
    doc.insert(QStringLiteral("points_per_s"), pointsPerS);
    doc.insert(QStringLiteral("load_after"), loadAverage());
    std::printf("%s", QJsonDocument(doc).toJson(QJsonDocument::Indented).constData());
    return ok ? 0 : 1;
}
