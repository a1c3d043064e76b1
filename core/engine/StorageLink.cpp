#include "core/engine/StorageLink.h"

#include "core/engine/WorkerPool.h"

#include <QCborArray>
#include <algorithm>

namespace acquila::core {

namespace {
constexpr qint64 kQueueBytes = 256ll << 20;  // bounded queue towards the storage worker
}

StorageLink::StorageLink(WorkerPool& pool, quint64& nextRequestId) : pool_(pool), nextId_(nextRequestId) {}

void StorageLink::begin(quint64 runId, bool enabled) {
    runId_ = runId;
    state_ = enabled ? State::Opening : State::Off;
    filePath_.clear();
    sent_ = 0;
    inFlight_.clear();
    inFlightBytes_ = 0;
}

bool StorageLink::workerReady() const {
    const int w = pool_.storageWorkerId();
    return w >= 0 && pool_.isReady(w);
}

void StorageLink::open(const QCborMap& request) {
    pool_.send(pool_.storageWorkerId(), Message{MessageType::Store, nextId_++, request});
}

void StorageLink::forward(const QByteArray& body, qint64 bytes) {
    if (state_ != State::Open) return;
    // The same message goes on unchanged: the storage role reads `result` as data.
    pool_.sendFrame(pool_.storageWorkerId(), frameOfBody(body));
    inFlight_.emplace_back(++sent_, bytes);
    inFlightBytes_ += bytes;
}

void StorageLink::log(int level, const QString& text) {
    if (state_ != State::Open) return;
    static constexpr const char* kLevels[] = {"trace", "debug", "info", "warning", "error", "critical"};
    QCborMap p;
    p.insert(QLatin1String("op"), QStringLiteral("log"));
    p.insert(QLatin1String("time_ms"), QDateTime::currentMSecsSinceEpoch());
    p.insert(QLatin1String("level"), QLatin1String(kLevels[std::clamp(level, 0, 5)]));
    p.insert(QLatin1String("text"), text);
    pool_.send(pool_.storageWorkerId(), Message{MessageType::Store, nextId_++, p});
}

void StorageLink::flush() {
    if (state_ != State::Open) return;
    QCborMap p;
    p.insert(QLatin1String("op"), QStringLiteral("flush"));
    pool_.send(pool_.storageWorkerId(), Message{MessageType::Store, nextId_++, p});
}

bool StorageLink::finish(RunStatus status, const QString& reason, const std::vector<DeviceDescription>& devices) {
    if (state_ != State::Open) {
        state_ = State::Closed;
        return false;
    }
    state_ = State::Finishing;
    QCborArray list;
    for (const auto& d : devices) list.append(d.toCbor());
    QCborMap p;
    p.insert(QLatin1String("op"), QStringLiteral("finish"));
    p.insert(QLatin1String("status"), static_cast<int>(status));
    p.insert(QLatin1String("reason"), reason);
    p.insert(QLatin1String("devices"), list);
    pool_.send(pool_.storageWorkerId(), Message{MessageType::Store, nextId_++, p});
    return true;
}

bool StorageLink::backlogged() const { return inFlightBytes_ > kQueueBytes; }

bool StorageLink::diskAlmostFull(qint64 reserveBytes) const {
    const double rate = std::max(status_.bytesPerSecond, 0.0);
    return state_ == State::Open && status_.freeBytes >= 0 && status_.freeBytes < rate * 5 + reserveBytes;
}

StorageLink::Outcome StorageLink::onStatus(const Message& m, QString* error) {
    const QString op = m.payload.value(QLatin1String("op")).toString();
    *error = m.payload.value(QLatin1String("error")).toString();
    status_.bytesPerSecond = m.payload.value(QLatin1String("bytes_per_s")).toDouble();
    status_.freeBytes = m.payload.value(QLatin1String("free_bytes")).toInteger(-1);
    if (!error->isEmpty()) status_.error = *error;
    // Watch the disk: warn below a few minutes of data.
    const double rate = std::max(status_.bytesPerSecond, 0.0);
    status_.lowDisk = status_.freeBytes >= 0 && status_.freeBytes < rate * 180 + (256ll << 20);
    if (static_cast<quint64>(m.payload.value(QLatin1String("run")).toInteger()) != runId_ || state_ == State::Off) return Outcome::None;
    const qint64 processed = m.payload.value(QLatin1String("processed")).toInteger();
    while (!inFlight_.empty() && inFlight_.front().first <= processed) {
        inFlightBytes_ -= inFlight_.front().second;
        inFlight_.pop_front();
    }
    status_.queueFill = std::min(1.0, static_cast<double>(inFlightBytes_) / static_cast<double>(kQueueBytes));
    if (op == QLatin1String("opened") && state_ == State::Opening) {
        if (!error->isEmpty()) {
            state_ = State::Closed;
            return Outcome::OpenFailed;
        }
        state_ = State::Open;
        filePath_ = m.payload.value(QLatin1String("path")).toString();
        status_.filePath = filePath_;
        status_.error.clear();
        return Outcome::Opened;
    }
    if (op == QLatin1String("error") && state_ == State::Open) return Outcome::WriteFailed;
    if (op == QLatin1String("finished") && state_ == State::Finishing) {
        state_ = State::Closed;
        return error->isEmpty() ? Outcome::Finished : Outcome::FinishFailed;
    }
    return Outcome::None;
}

}  // namespace acquila::core
