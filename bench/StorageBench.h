#pragma once
// What the parts of bench_storage share: the frame geometry, timing, rounding and
// /proc readings, and the contenders each part measures.
#include <QByteArray>
#include <QFile>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unistd.h>
#include <vector>

namespace acquila::bench {

using Clock = std::chrono::steady_clock;

inline constexpr int kHeight = 512, kWidth = 1024;
inline constexpr qint64 kFrameBytes = qint64{kHeight} * kWidth * 2;

inline double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }
inline double round2(double x) { return std::round(x * 100) / 100; }
inline double mbPerS(qint64 bytes, double s) { return std::round(static_cast<double>(bytes) / s / 1e5) / 10; }

struct ProcessUsage {
    double userS = 0, systemS = 0;
    qint64 minorFaults = 0;
};

/** CPU time and minor page faults of a process so far, from /proc (works while it runs). */
inline ProcessUsage processUsage(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');  // fields from "state" on
    if (fields.size() < 13) return {};
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    return {static_cast<double>(fields[11].toLongLong()) / tick, static_cast<double>(fields[12].toLongLong()) / tick, fields[7].toLongLong()};
}

inline double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return std::round((v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2) * 10) / 10;
}

// Frames (StorageBenchFrames.cpp): 512x1024 uint16 frames, written several ways.

/** (a) Sequential write() of the same bytes, the same batch size, to the same directory; no fsync. */
QJsonObject plainWrite(const QString& dir, qint64 frames, qint64 perBatch);
/**
 * Transport floor: the same result frames pushed through a Unix socketpair to a forked
 * child that only reads them, `readBytes` per recv (the storage worker reads 64 KiB).
 */
QJsonObject socketFloor(const std::vector<QByteArray>& results, size_t readBytes);
/** Result frames of run 1 as a device worker sends them: `perBatch` frames and their timestamps per message. */
std::vector<QByteArray> encodeFrames(qint64 frames, qint64 perBatch, double* encodeS);
/**
 * Acquila: a real storage worker process fed the pre-encoded result frames over the
 * worker protocol, timed from the first result sent to the "finished" reply.
 */
QJsonObject acquilaFrames(const QString& dir, const std::vector<QByteArray>& results, qint64 frames, qint64 perBatch, double flushS,
                          const QStringList& prefix);

// Points (StorageBenchPoints.cpp): a 0D scan end to end.

/** Acquila: a 0D linear scan of instant replicable devices, engine + storage worker, enqueue -> runFinished. */
QJsonObject acquilaPoints(const QString& dir, qint64 points, double flushS, bool storage = true);

}  // namespace acquila::bench
