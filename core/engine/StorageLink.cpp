#include "core/engine/StorageLink.h"

#include "core/engine/WorkerPool.h"
#include "core/storage/RunLayout.h"

#include <algorithm>

namespace acquila::engine {

namespace {
constexpr qint64 kDefaultReserveFloor = 1ll << 30;
}

StorageLink::StorageLink(WorkerPool& pool, quint64& nextRequestId, qint64 queueBytes)
    : pool_(pool), nextId_(nextRequestId), queueBytes_(std::max<qint64>(queueBytes, 1)) {}

void StorageLink::begin(quint64 runId, bool enabled) {
    runId_ = runId;
    state_ = enabled ? State::Opening : State::Off;
    filePath_.clear();
    pathFinal_ = false;
    orphan_.clear();
    sealSent_ = false;
    sealError_.clear();
    peakRate_ = 0;
    sent_ = 0;
    inFlight_.clear();
    inFlightBytes_ = 0;
}

bool StorageLink::workerReady() const {
    const int w = pool_.storageWorkerId();
    return w >= 0 && pool_.isReady(w);
}

void StorageLink::open(const protocol::StoreOpen& request) {
    pool_.send(pool_.storageWorkerId(), protocol::toMessage(request, nextId_++));
}

void StorageLink::forward(const QByteArray& body, qint64 bytes) {
    if (state_ != State::Open) return;
    // The same message goes on unchanged: the storage role reads `result` as data.
    pool_.sendFrame(pool_.storageWorkerId(), protocol::frameOfBody(body));
    inFlight_.emplace_back(++sent_, bytes);
    inFlightBytes_ += bytes;
}

void StorageLink::log(int level, const QString& text) {
    if (state_ != State::Open) return;
    pool_.send(pool_.storageWorkerId(), protocol::toMessage(protocol::StoreLog{QDateTime::currentMSecsSinceEpoch(), std::clamp(level, 0, 5), text}, nextId_++));
}

void StorageLink::flush() {
    if (state_ != State::Open) return;
    pool_.send(pool_.storageWorkerId(), protocol::toMessage(protocol::StoreFlush{}, nextId_++));
}

bool StorageLink::finish(model::RunStatus status, const QString& reason, const std::vector<model::DeviceDescription>& devices) {
    if (state_ != State::Open && !orphan_.isEmpty() && !sealSent_) {
        // The worker died holding the file: its successor seals it (as soon as it is ready).
        state_ = State::Finishing;
        seal_ = protocol::StoreSeal{runId_, orphan_, status, reason};
        sealIfReady();
        return true;
    }
    if (state_ != State::Open) {
        state_ = State::Closed;
        return false;
    }
    state_ = State::Finishing;
    pool_.send(pool_.storageWorkerId(), protocol::toMessage(protocol::StoreFinish{status, reason, devices}, nextId_++));
    return true;
}

void StorageLink::sealIfReady() {
    if (state_ != State::Finishing || orphan_.isEmpty() || sealSent_ || !workerReady()) return;
    sealSent_ = true;
    pool_.send(pool_.storageWorkerId(), protocol::toMessage(seal_, nextId_++));
}

bool StorageLink::backlogged() const { return inFlightBytes_ > queueBytes_; }

void StorageLink::lost() {
    // A file the worker did not close keeps its ".part" name and its status "running",
    // until the next storage worker seals it (finish()). A second loss while sealing leaves it so.
    if ((state_ == State::Open || state_ == State::Finishing) && !pathFinal_ && !filePath_.isEmpty() && orphan_.isEmpty()) {
        filePath_ += storage::kPartSuffix;
        status_.filePath = filePath_;
        orphan_ = filePath_;
    }
    if (sealSent_) sealError_ = QStringLiteral("the storage worker that was sealing it ended too");
    state_ = State::Closed;
}

qint64 StorageLink::reserveBytes(std::optional<qint64> configured) const {
    return configured ? *configured : std::max(kDefaultReserveFloor, diskBytes_ / 100);
}

bool StorageLink::diskAlmostFull(std::optional<qint64> reserve, double drainS) const {
    // Room for what is sent and not yet written, plus stopping at the fastest rate seen.
    const double need = static_cast<double>(reserveBytes(reserve) + inFlightBytes_) + peakRate_ * std::max(drainS, 0.0);
    return state_ == State::Open && status_.freeBytes >= 0 && static_cast<double>(status_.freeBytes) < need;
}

StorageLink::Outcome StorageLink::onStatus(const protocol::StoreStatus& s) {
    using Op = protocol::StoreStatus::Op;
    status_.bytesPerSecond = s.bytesPerSecond;
    status_.freeBytes = s.freeBytes;
    if (s.diskBytes >= 0) diskBytes_ = s.diskBytes;
    if (!s.error.isEmpty()) status_.error = s.error;
    // Watch the disk: warn below a few minutes of data.
    const double rate = std::max(status_.bytesPerSecond, 0.0);
    status_.lowDisk = status_.freeBytes >= 0 && status_.freeBytes < rate * 180 + (256ll << 20);
    if (s.run != runId_ || state_ == State::Off) return Outcome::None;
    if (state_ == State::Open) peakRate_ = std::max(peakRate_, status_.bytesPerSecond);
    if ((s.op == Op::Error || s.op == Op::Finished) && !s.path.isEmpty()) {
        filePath_ = s.path;  // where the worker left the file: renamed, ".part" or recovered
        status_.filePath = filePath_;
        pathFinal_ = true;
    }
    while (!inFlight_.empty() && inFlight_.front().first <= s.processed) {
        inFlightBytes_ -= inFlight_.front().second;
        inFlight_.pop_front();
    }
    status_.backlogBytes = inFlightBytes_;
    status_.queueFill = std::min(1.0, static_cast<double>(inFlightBytes_) / static_cast<double>(queueBytes_));
    if (s.op == Op::Opened && state_ == State::Opening) {
        if (!s.error.isEmpty()) {
            state_ = State::Closed;
            return Outcome::OpenFailed;
        }
        state_ = State::Open;
        filePath_ = s.path;
        status_.filePath = filePath_;
        status_.error.clear();
        return Outcome::Opened;
    }
    if (s.op == Op::Error && state_ == State::Open) return Outcome::WriteFailed;
    if (s.op == Op::Finished && state_ == State::Finishing) {
        state_ = State::Closed;
        if (!orphan_.isEmpty()) {
            if (s.error.isEmpty()) orphan_.clear();  // sealed: status written, renamed
            else sealError_ = s.error;
        }
        return s.error.isEmpty() ? Outcome::Finished : Outcome::FinishFailed;
    }
    return Outcome::None;
}

}  // namespace acquila::engine
