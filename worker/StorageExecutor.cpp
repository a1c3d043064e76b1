#include "worker/StorageExecutor.h"

#include "core/model/DeviceDescription.h"
#include "core/model/ResultBatch.h"
#include "core/protocol/ResultFrame.h"
#include "worker/Connection.h"

#include <QCborArray>
#include <QDir>
#include <QFileInfo>
#include <QHostInfo>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <tuple>
#include <sys/statvfs.h>
#include <thread>

namespace acquila::worker {

using protocol::Message;
using protocol::MessageType;

namespace {
/** Free and total bytes of the disk holding `dir`; -1 when unknown. */
std::pair<qint64, qint64> diskSpace(const QString& dir) {
    struct statvfs st {};
    if (statvfs(QFile::encodeName(dir).constData(), &st) != 0) return {-1, -1};
    const auto unit = static_cast<qint64>(st.f_frsize);
    return {static_cast<qint64>(st.f_bavail) * unit, static_cast<qint64>(st.f_blocks) * unit};
}

/** Test hook: ACQUILA_TEST_STORAGE_BYTES_PER_S > 0 makes writing that slow (a slow disk). */
void throttleForTests(const model::ResultBatch& batch) {
    static const double rate = qEnvironmentVariable("ACQUILA_TEST_STORAGE_BYTES_PER_S").toDouble();
    if (rate <= 0) return;
    double bytes = 0;
    for (const auto& c : batch.channels) bytes += static_cast<double>(c.data.size());
    std::this_thread::sleep_for(std::chrono::duration<double>(bytes / rate));
}

/** HDF5 error stacks run long: keep the part a scientist needs (file, operation, OS error). */
QString conciseLine(const QString& error) {
    const QStringList parts = error.split(QStringLiteral("; "));
    for (int i = 0; i < parts.size(); ++i)
        if (parts[i].contains(QLatin1String("OS error"))) return parts.mid(0, i + 1).join(QStringLiteral("; "));
    return parts.mid(0, 2).join(QStringLiteral("; "));
}

/** Each problem (one per line) made concise, joined into one line. */
QString concise(const QString& error) {
    QStringList lines = error.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (QString& l : lines) l = conciseLine(l);
    return lines.join(QStringLiteral("; "));
}
}  // namespace

StorageExecutor::StorageExecutor(Connection& connection) : conn_(connection) { sinceStatus_.start(); }

StorageExecutor::~StorageExecutor() = default;

bool StorageExecutor::handle(const Message& m) {
    switch (m.type) {
        case MessageType::Configure: {
            protocol::Describe reply;
            if (auto c = protocol::Configure::decode(m)) {
                dataDirectory_ = c->dataDirectory;
                flushIntervalS_ = c->flushIntervalS;
            } else {
                reply.errors << c.error();
            }
            conn_.send(protocol::toMessage(reply, m.id));
            return true;
        }
        case MessageType::Result: append(m); return true;
        case MessageType::Store: {
            auto command = protocol::decodeStoreCommand(m);
            if (!command) {
                spdlog::error("{}", command.error().toStdString());
                if (m.payload.value(QLatin1String("op")).toString() == QLatin1String("open")) openFailed(command.error());
                return true;
            }
            if (auto* o = std::get_if<protocol::StoreOpen>(&*command)) open(*o);
            else if (auto* f = std::get_if<protocol::StoreFinish>(&*command)) finish(*f);
            else if (auto* s = std::get_if<protocol::StoreSeal>(&*command)) seal(*s);
            else if (std::holds_alternative<protocol::StoreFlush>(*command) && writer_ && !failed_) {
                if (auto r = writer_->flush(); !r) reportError(r.error());
            } else if (auto* l = std::get_if<protocol::StoreLog>(&*command); l && writer_ && !failed_) {
                writer_->log(QDateTime::fromMSecsSinceEpoch(l->timeMs), l->levelName(), l->text);
            }
            return true;
        }
        case MessageType::Shutdown:
            if (writer_ && writer_->isOpen()) {
                const bool lost = connectionLost_.load();
                writer_->finish(lost ? model::RunStatus::Interrupted : model::RunStatus::Aborted,
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

void StorageExecutor::openFailed(const QString& error) {
    protocol::StoreStatus s = status(protocol::StoreStatus::Op::Opened);
    s.error = error;
    send(s);
}

void StorageExecutor::open(const protocol::StoreOpen& request) {
    runId_ = request.run;
    const QString dir = request.directory.isEmpty() ? dataDirectory_ : request.directory;
    writer_.reset();
    failed_ = false;
    lastError_.clear();
    processed_ = 0;
    bytesWritten_ = bytesAtLastStatus_ = 0;
    auto fail = [&](const QString& e) { openFailed(e); };
    auto layout = storage::RunLayout::fromCbor(request.layout);
    if (!layout) return fail(layout.error());
    if (layout->runId != runId_) return fail(QStringLiteral("store open: the layout is for run %1, not run %2").arg(layout->runId).arg(runId_));
    if (!QDir().mkpath(dir)) return fail(QStringLiteral("cannot create the data directory %1").arg(dir));
    fileDirectory_ = dir;  // the disk guard watches the disk the file is on
    layout->path = uniquePath(dir, layout->planName, runId_);
    layout->hostname = QHostInfo::localHostName();
    layout->user = qEnvironmentVariable("USER", qEnvironmentVariable("LOGNAME"));
    layout->flushIntervalS = flushIntervalS_;
    cellMap_ = layout->cellMap();
    writer_ = std::make_unique<storage::NexusWriter>();
    if (auto r = writer_->open(*layout); !r) {
        writer_.reset();
        return fail(r.error());
    }
    path_ = layout->path;
    protocol::StoreStatus s = status(protocol::StoreStatus::Op::Opened);
    s.path = path_;
    send(s);
}

void StorageExecutor::append(const Message& m) {
    ++processed_;
    if (!writer_ || failed_) return;
    protocol::ResultMeta meta;
    auto batch = protocol::parseResultBody(m.body, &meta);
    if (!batch || batch->runId != runId_) return;
    for (const auto& c : batch->channels) bytesWritten_ += c.data.size();
    throttleForTests(*batch);
    if (auto r = writer_->append(*batch, cellMap_); !r) return reportError(r.error());
    if (auto r = writer_->flushIfDue(); !r) return reportError(r.error());
    if (bytesWritten_ - bytesAtLastStatus_ > (32 << 20)) send(status(protocol::StoreStatus::Op::Progress));  // keep backpressure acks timely
}

void StorageExecutor::finish(const protocol::StoreFinish& request) {
    protocol::StoreStatus s = status(protocol::StoreStatus::Op::Finished);
    if (writer_ && !writer_->isOpen()) {
        s.error = lastError_;  // already closed as "failed" by a write error
    } else if (writer_) {
        if (auto r = writer_->finish(request.status, request.reason, request.devices); !r) s.error = concise(r.error());
        s.points = writer_->pointsWritten();
        path_ = writer_->currentPath();
    }
    s.path = path_;  // the file as it exists now: renamed, still ".part", or recovered elsewhere
    writer_.reset();
    send(s);
}

void StorageExecutor::seal(const protocol::StoreSeal& request) {
    // Another run's file, left by the worker this one replaces: it never becomes this worker's own.
    protocol::StoreStatus s = status(protocol::StoreStatus::Op::Finished);
    s.run = request.run;
    s.path = request.path;
    if (writer_ && writer_->isOpen()) {
        s.error = QStringLiteral("a run file is open");
    } else if (auto sealed = storage::sealAbandonedFile(request.path, request.status, request.reason)) {
        s.path = *sealed;
        spdlog::info("sealed {} as '{}'", sealed->toStdString(), storage::runStatusText(request.status).toStdString());
    } else {
        s.error = sealed.error();
    }
    send(s);
}

void StorageExecutor::reportError(const QString& message) {
    failed_ = true;
    protocol::StoreStatus s = status(protocol::StoreStatus::Op::Error);
    s.error = concise(message);
    // Nothing more can be stored: close the file now as "failed" with the reason, so
    // it never claims another outcome, and say where it is.
    if (writer_ && writer_->isOpen()) {
        if (auto r = writer_->finish(model::RunStatus::Failed, s.error); !r) {
            const QString closing = concise(r.error());
            s.error = closing.contains(s.error) ? closing : s.error + QStringLiteral("; ") + closing;
        }
        s.points = writer_->pointsWritten();
        path_ = writer_->currentPath();
    }
    s.path = path_;
    lastError_ = s.error;
    send(s);
}

protocol::StoreStatus StorageExecutor::status(protocol::StoreStatus::Op op) {
    protocol::StoreStatus s;
    s.op = op;
    s.run = runId_;
    s.processed = processed_;
    const double secs = std::max(1e-3, sinceStatus_.elapsed() / 1000.0);
    s.bytesPerSecond = static_cast<double>(bytesWritten_ - bytesAtLastStatus_) / secs;
    const QString dir = !fileDirectory_.isEmpty() ? fileDirectory_ : !dataDirectory_.isEmpty() ? dataDirectory_ : QDir::homePath();
    std::tie(s.freeBytes, s.diskBytes) = diskSpace(dir);
    bytesAtLastStatus_ = bytesWritten_;
    sinceStatus_.restart();
    return s;
}

void StorageExecutor::send(const protocol::StoreStatus& s) { conn_.send(protocol::toMessage(s)); }

void StorageExecutor::onIdle() {
    if (writer_ && !failed_) {
        if (auto r = writer_->flushIfDue(); !r) reportError(r.error());
    }
    // Acknowledge progress (backpressure) and report the disk a few times a second.
    if (sinceStatus_.elapsed() >= 200) send(status(protocol::StoreStatus::Op::Progress));
}

}  // namespace acquila::worker
