#include "worker/StorageExecutor.h"

#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"
#include "core/protocol/CborFields.h"
#include "core/protocol/ResultFrame.h"
#include "worker/Connection.h"

#include <QCborArray>
#include <QDir>
#include <QFileInfo>
#include <QHostInfo>
#include <algorithm>
#include <sys/statvfs.h>

namespace acquila::worker {

using core::Message;
using core::MessageType;

namespace {
qint64 freeBytes(const QString& dir) {
    struct statvfs st {};
    if (statvfs(QFile::encodeName(dir).constData(), &st) != 0) return -1;
    return static_cast<qint64>(st.f_bavail) * static_cast<qint64>(st.f_frsize);
}

/** HDF5 error stacks run long: keep the part a scientist needs (file, operation, OS error). */
QString concise(const QString& error) {
    const QStringList parts = error.split(QStringLiteral("; "));
    for (int i = 0; i < parts.size(); ++i)
        if (parts[i].contains(QLatin1String("OS error"))) return parts.mid(0, i + 1).join(QStringLiteral("; "));
    return parts.mid(0, 2).join(QStringLiteral("; "));
}
}  // namespace

StorageExecutor::StorageExecutor(Connection& connection) : conn_(connection) { sinceStatus_.start(); }

StorageExecutor::~StorageExecutor() = default;

bool StorageExecutor::handle(const Message& m) {
    switch (m.type) {
        case MessageType::Configure: {
            dataDirectory_ = m.payload.value(QLatin1String("data_directory")).toString();
            flushIntervalS_ = m.payload.value(QLatin1String("flush_interval_s")).toDouble(0.5);
            QCborMap p;
            p.insert(QLatin1String("devices"), QCborArray());
            conn_.send(Message{MessageType::Describe, m.id, p});
            return true;
        }
        case MessageType::Result: append(m); return true;
        case MessageType::Store: {
            const QString op = m.payload.value(QLatin1String("op")).toString();
            if (op == QLatin1String("open")) open(m);
            else if (op == QLatin1String("finish")) finish(m);
            else if (op == QLatin1String("flush") && writer_ && !failed_) {
                if (auto r = writer_->flush(); !r) reportError(r.error());
            } else if (op == QLatin1String("log") && writer_ && !failed_) {
                writer_->log(QDateTime::fromMSecsSinceEpoch(m.payload.value(QLatin1String("time_ms")).toInteger()),
                             m.payload.value(QLatin1String("level")).toString(), m.payload.value(QLatin1String("text")).toString());
            }
            return true;
        }
        case MessageType::Shutdown:
            if (writer_ && writer_->isOpen()) {
                const bool lost = connectionLost_.load();
                writer_->finish(lost ? core::RunStatus::Interrupted : core::RunStatus::Aborted,
                                lost ? QStringLiteral("the application ended during the run") : QStringLiteral("the application shut down during the run"));
            }
            writer_.reset();
            return false;
        default: return true;
    }
}

QString StorageExecutor::uniquePath(const QString& dir, const QString& name, quint64 runId) const {
    const QString stem = QStringLiteral("%1_%2_%3").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")), name).arg(runId);
    QString path = QDir(dir).filePath(stem + QStringLiteral(".h5"));
    for (int n = 2; QFileInfo::exists(path) || QFileInfo::exists(path + QStringLiteral(".part")); ++n)
        path = QDir(dir).filePath(QStringLiteral("%1-%2.h5").arg(stem).arg(n));
    return path;
}

void StorageExecutor::open(const Message& m) {
    core::CborFields f(m.payload, QStringLiteral("store open"));
    runId_ = static_cast<quint64>(f.integer("run"));
    const QCborMap layoutMap = f.map("layout");
    const QString dir = f.optStr("directory", dataDirectory_);
    writer_.reset();
    failed_ = false;
    processed_ = 0;
    bytesWritten_ = bytesAtLastStatus_ = 0;
    auto fail = [&](const QString& e) {
        QCborMap x;
        x.insert(QLatin1String("error"), e);
        sendStatus("opened", x);
    };
    if (!f.ok()) return fail(f.error());
    auto layout = core::RunLayout::fromCbor(layoutMap);
    if (!layout) return fail(layout.error());
    if (layout->runId != runId_) return fail(QStringLiteral("store open: the layout is for run %1, not run %2").arg(layout->runId).arg(runId_));
    if (!QDir().mkpath(dir)) return fail(QStringLiteral("cannot create the data directory %1").arg(dir));
    layout->path = uniquePath(dir, layout->planName, runId_);
    layout->hostname = QHostInfo::localHostName();
    layout->user = qEnvironmentVariable("USER", qEnvironmentVariable("LOGNAME"));
    layout->flushIntervalS = flushIntervalS_;
    cellMap_ = layout->cellMap();
    writer_ = std::make_unique<core::NexusWriter>();
    if (auto r = writer_->open(*layout); !r) {
        writer_.reset();
        return fail(r.error());
    }
    path_ = layout->path;
    QCborMap x;
    x.insert(QLatin1String("path"), path_);
    sendStatus("opened", x);
}

void StorageExecutor::append(const Message& m) {
    ++processed_;
    if (!writer_ || failed_) return;
    core::ResultMeta meta;
    auto batch = m.body.isEmpty() ? core::ResultBatch::fromCbor(m.payload) : core::parseResultBody(m.body, &meta);
    if (!batch || batch->runId != runId_) return;
    for (const auto& c : batch->channels) bytesWritten_ += c.data.size();
    if (auto r = writer_->append(*batch, cellMap_); !r) return reportError(r.error());
    if (auto r = writer_->flushIfDue(); !r) return reportError(r.error());
    if (bytesWritten_ - bytesAtLastStatus_ > (32 << 20)) sendStatus("progress");  // keep backpressure acks timely
}

void StorageExecutor::finish(const Message& m) {
    const auto status = static_cast<core::RunStatus>(m.payload.value(QLatin1String("status")).toInteger());
    const QString reason = m.payload.value(QLatin1String("reason")).toString();
    std::vector<core::DeviceDescription> devices;
    for (const QCborValue& v : m.payload.value(QLatin1String("devices")).toArray())
        if (auto d = core::DeviceDescription::fromCbor(v.toMap())) devices.push_back(std::move(*d));
    QCborMap x;
    if (writer_) {
        if (auto r = writer_->finish(status, reason, devices); !r) x.insert(QLatin1String("error"), concise(r.error()));
        x.insert(QLatin1String("points"), writer_->pointsWritten());
        x.insert(QLatin1String("path"), writer_->isOpen() ? writer_->currentPath() : path_);
    }
    writer_.reset();
    sendStatus("finished", x);
}

void StorageExecutor::reportError(const QString& message) {
    failed_ = true;
    QCborMap x;
    x.insert(QLatin1String("error"), concise(message));
    sendStatus("error", x);
}

void StorageExecutor::sendStatus(const char* op, const QCborMap& extra) {
    QCborMap p = extra;
    p.insert(QLatin1String("op"), QLatin1String(op));
    p.insert(QLatin1String("run"), static_cast<qint64>(runId_));
    p.insert(QLatin1String("processed"), processed_);
    const double secs = std::max(1e-3, sinceStatus_.elapsed() / 1000.0);
    p.insert(QLatin1String("bytes_per_s"), static_cast<double>(bytesWritten_ - bytesAtLastStatus_) / secs);
    p.insert(QLatin1String("free_bytes"), freeBytes(dataDirectory_.isEmpty() ? QDir::homePath() : dataDirectory_));
    bytesAtLastStatus_ = bytesWritten_;
    sinceStatus_.restart();
    conn_.send(Message{MessageType::StoreStatus, 0, p});
}

void StorageExecutor::onIdle() {
    if (writer_ && !failed_) {
        if (auto r = writer_->flushIfDue(); !r) reportError(r.error());
    }
    // Acknowledge progress (backpressure) and report the disk a few times a second.
    if (sinceStatus_.elapsed() >= 200) sendStatus("progress");
}

}  // namespace acquila::worker
