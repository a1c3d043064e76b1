#include "worker/PointLoop.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace acquila::worker {

using devices::Checkpoint;

namespace {
double wallSeconds() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}
int64_t toNs(double s) { return static_cast<int64_t>(s * 1e9); }
}  // namespace

PointLoop::PointLoop(const RunBindings& run, devices::CancelToken& token, protocol::BlackBox* box, PointSink sink)
    : run_(run), token_(token), box_(box ? box : &ownBox_), sink_(std::move(sink)) {}

void PointLoop::run(qint64 first, qint64 count) {
    {
        std::lock_guard lock(sendMutex_);  // handOver() may already be looking
        prepare(count);
        restartBatchClock();
        flushFirst_ = first;
        k_ = 0;
        sent_ = 0;
        packed_.store(0);
    }
    failDevice_ = -1;
    failOp_ = "read";
    qint64 i = first;
    try {
        for (; i < first + count; ++i) {
            if (token_.stopRequested()) break;  // point boundary: stop, pause and abort all end the job here
            if (measure(i) != Checkpoint::Continue) break;  // aborted inside the point: it is not complete, not kept
            pack();
            // The job's last points travel with its final message: one frame per short job.
            if (i + 1 == first + count) continue;
            if (flushDue()) flush(false);
        }
    } catch (const std::exception& e) {
        box_->leave();
        token_.clearDeadline();
        if (k_ > 0) flush(false);
        sink_.error(i, failDevice_, failOp_, QString::fromUtf8(e.what()));
        return;
    }
    token_.clearDeadline();
    flush(true);
}

void PointLoop::prepare(qint64 count) {
    const size_t nChannels = run_.channelTemplate.size();
    channelBytes_.assign(nChannels, 0);
    bytesPerPoint_ = 0;
    for (size_t c = 0; c < nChannels; ++c) bytesPerPoint_ += (channelBytes_[c] = run_.channelTemplate[c].bytesPerPoint());
    capacity_ = std::clamp<qint64>(kMaxBufferBytes / std::max<qint64>(bytesPerPoint_, 1), 1, count > 0 ? count : 1);
    buffers_.assign(nChannels, QByteArray());
    base_.assign(nChannels, nullptr);
    allocate();

    pos_.assign(run_.axes.size(), 0.0);
    last_.assign(run_.axes.size(), std::numeric_limits<double>::quiet_NaN());
    outs_.assign(run_.detectors.size(), {});
    scratch_.clear();
    for (size_t d = 0; d < run_.detectors.size(); ++d) {
        const DetectorBinding& b = run_.detectors[d];
        for (size_t o = 0; o < b.outputs.size(); ++o) {
            outs_[d].push_back({nullptr, b.outputs[o].bytesPerPoint(), -1});
            if (b.channel[o] < 0) {
                scratch_.emplace_back(b.outputs[o].bytesPerPoint(), Qt::Uninitialized);
                outs_[d].back().data = scratch_.back().data();
            }
        }
    }
    ctx_ = devices::PointContext{};
    ctx_.exposureS = run_.exposureS;
}

void PointLoop::allocate() {
    // Buffers are reused from flush to flush: resizing keeps their capacity.
    for (size_t c = 0; c < buffers_.size(); ++c) buffers_[c].resize(capacity_ * channelBytes_[c]);
}

Checkpoint PointLoop::measure(qint64 index) {
    ctx_.index = index;
    run_.gen->positions(index, pos_.data());
    Checkpoint cp = moveAxes(index);
    if (cp == Checkpoint::Continue) cp = readDetectors(index);
    if (cp == Checkpoint::Timeout)
        throw devices::DeviceError(QStringLiteral("%1 timed out").arg(QLatin1String(failOp_)).toStdString());
    return cp;
}

Checkpoint PointLoop::moveAxes(qint64 index) {
    Checkpoint cp = Checkpoint::Continue;
    bool moved = false;
    for (size_t a = 0; a < run_.axes.size() && cp == Checkpoint::Continue; ++a) {
        if (pos_[a] == last_[a]) continue;
        const AxisBinding& axis = run_.axes[a];
        failDevice_ = axis.labIndex;
        failOp_ = "move";
        box_->enter(index, failDevice_, protocol::BlackBoxOp::Move, toNs(axis.timeoutS));
        armDeadline(axis.timeoutS);
        cp = axis.actuator->moveTo(axis.axis, pos_[a], token_);
        box_->leave();
        if (cp == Checkpoint::Continue) last_[a] = pos_[a];
        moved = true;
    }
    if (cp == Checkpoint::Continue && moved && run_.settleS > 0) {
        token_.clearDeadline();
        cp = token_.sleepFor(std::chrono::duration<double>(run_.settleS));
    }
    return cp;
}

Checkpoint PointLoop::readDetectors(qint64 index) {
    for (size_t c = 0; c < buffers_.size(); ++c) base_[c] = buffers_[c].data() + k_ * channelBytes_[c];
    Checkpoint cp = Checkpoint::Continue;
    for (size_t d = 0; d < run_.detectors.size() && cp == Checkpoint::Continue; ++d) {
        const DetectorBinding& b = run_.detectors[d];
        for (size_t o = 0; o < b.outputs.size(); ++o) {
            if (b.channel[o] >= 0) outs_[d][o].data = base_[b.channel[o]];
            outs_[d][o].written = -1;
        }
        failDevice_ = b.labIndex;
        failOp_ = "read";
        box_->enter(index, failDevice_, protocol::BlackBoxOp::Read, toNs(b.timeoutS));
        armDeadline(b.timeoutS);
        cp = b.detector->read(ctx_, outs_[d], token_);
        box_->leave();
        for (const auto& ob : outs_[d]) {
            if (ob.written >= 0 && ob.written != ob.capacity)
                throw devices::DeviceError(QStringLiteral("malformed data: %1 bytes instead of %2").arg(ob.written).arg(ob.capacity).toStdString());
        }
    }
    return cp;
}

void PointLoop::pack() {
    const size_t nAxes = run_.axes.size();
    for (size_t a = 0; a < nAxes; ++a) std::memcpy(base_[a], &pos_[a], sizeof(double));
    const double ts = wallSeconds();
    std::memcpy(base_[nAxes], &ts, sizeof ts);  // the timestamp channel follows the axes
    ++k_;
    packed_.store(k_, std::memory_order_release);
}

bool PointLoop::flushDue() const {
    if (k_ == capacity_) return true;
    // Small points check the clock every 32 points; large ones (images) every point.
    const bool checkClock = (k_ & 31) == 0 || bytesPerPoint_ >= 4096;
    // Slow points: send each one promptly so the GUI and a crash post-mortem lose nothing.
    const bool slowPoints = run_.settleS > 0 || ctx_.exposureS > 0;
    return (checkClock || slowPoints) && batchSeconds() > kFlushSeconds;
}

void PointLoop::flush(bool final) {
    std::lock_guard lock(sendMutex_);
    if (sent_ == 0) {
        const double secs = batchSeconds();
        for (size_t c = 0; c < buffers_.size(); ++c) buffers_[c].resize(k_ * channelBytes_[c]);
        sink_.result(flushFirst_, k_, buffers_, final, secs);
        flushFirst_ += k_;
        restartBatchClock();
    } else if (k_ > sent_ || final) {
        sendUnsent(final);
    }
    k_ = 0;
    sent_ = 0;
    packed_.store(0, std::memory_order_release);
    if (!final) allocate();
}

void PointLoop::handOver() {
    std::lock_guard lock(sendMutex_);
    if (packed_.load(std::memory_order_acquire) > sent_ && batchSeconds() > kFlushSeconds) sendUnsent(false);
}

void PointLoop::sendUnsent(bool final) {
    // Points [sent_, packed) are complete; the executor may be writing the next one behind them.
    const qint64 packed = packed_.load(std::memory_order_acquire);
    const qint64 n = packed - sent_;
    std::vector<QByteArray> part(buffers_.size());
    for (size_t c = 0; c < buffers_.size(); ++c)  // copies: the buffers stay the executor's
        part[c] = QByteArray(buffers_[c].constData() + sent_ * channelBytes_[c], n * channelBytes_[c]);
    sink_.result(flushFirst_, n, part, final, batchSeconds());
    flushFirst_ += n;
    sent_ = packed;
    restartBatchClock();
}

void PointLoop::armDeadline(double timeoutS) {
    token_.setDeadline(Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeoutS)));
}

double PointLoop::batchSeconds() const {
    return std::chrono::duration<double>(Clock::now() - Clock::time_point(Clock::duration(batchStart_.load(std::memory_order_relaxed)))).count();
}

void PointLoop::restartBatchClock() { batchStart_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed); }

}  // namespace acquila::worker
