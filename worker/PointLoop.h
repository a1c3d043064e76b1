#pragma once
#include "devices/Device.h"

#include "core/model/ResultBatch.h"
#include "core/plan/PointGenerator.h"
#include "core/protocol/BlackBox.h"

#include <QByteArray>
#include <chrono>
#include <functional>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace acquila::worker {

/** A plan axis bound to the actuator axis that moves it. */
struct AxisBinding {
    devices::Actuator* actuator;
    int axis;
    int labIndex;
    double timeoutS;
};

/** A detector the plan reads, with where each of its outputs goes. */
struct DetectorBinding {
    devices::Detector* detector;
    int labIndex;
    double timeoutS;
    std::vector<model::OutputDecl> outputs;  // every output the device writes
    std::vector<int> channel;               // per output: index of its result channel, -1 if not kept
};

/** What the point loop needs of an open run: devices, result layout, points and timings. */
struct RunBindings {
    std::unique_ptr<plan::PointGenerator> gen;
    std::vector<AxisBinding> axes;
    std::vector<DetectorBinding> detectors;
    std::vector<model::Channel> channelTemplate;  // axes, timestamp, kept outputs
    double settleS = 0;                          // wait after each point that moved an axis
    double exposureS = 0;                        // passed to the detectors
};

/** Where the point loop delivers its results and its error. */
struct PointSink {
    /** `buffers[c]` holds exactly `count` points of channel c; `final` ends the job. */
    std::function<void(qint64 first, qint64 count, const std::vector<QByteArray>& buffers, bool final, double seconds)> result;
    /** A device failed or timed out at `point`; the job ends without a final batch. */
    std::function<void(qint64 point, int labIndex, const char* op, const QString& message)> error;
};

/**
 * Runs the points of one job on the executor thread: moves the axes, settles,
 * reads the detectors and packs axis positions, a wall-clock timestamp and
 * the kept outputs into per-channel buffers. Partial batches go to the sink
 * at least every 10 ms of work and before a batch exceeds 16 MiB; the job's
 * last points travel with the final batch. A stop request (level 1) ends the
 * job at the next point boundary, an abort (level 2) inside the current
 * operation; either way the completed points arrive in a final batch. Every
 * device call is announced in the black box for the manager's watchdog.
 */
class PointLoop {
public:
    static constexpr double kFlushSeconds = 0.01;            // partial results at least every 10 ms of work
    static constexpr qint64 kMaxBufferBytes = qint64{16} << 20;  // and before a batch exceeds 16 MiB

    /** `box` may be null (no watchdog); `run`, `token` and `box` must outlive the loop. */
    PointLoop(const RunBindings& run, devices::CancelToken& token, protocol::BlackBox* box, PointSink sink);

    /** Runs points [first, first + count) and reports them through the sink. */
    void run(qint64 first, qint64 count);

    /**
     * Called from another thread (the worker's reader) every few milliseconds while
     * run() is busy: sends the points measured but not sent yet once the batch is
     * older than kFlushSeconds, so a device call that hangs (and the kill that ends
     * it) loses none of the points before it. Never sends the final batch.
     */
    void handOver();

private:
    using Clock = std::chrono::steady_clock;

    void prepare(qint64 count);
    void allocate();
    devices::Checkpoint measure(qint64 index);
    devices::Checkpoint moveAxes(qint64 index);
    devices::Checkpoint readDetectors(qint64 index);
    void pack();
    bool flushDue() const;
    void flush(bool final);
    void sendUnsent(bool final);
    void armDeadline(double timeoutS);
    double batchSeconds() const;
    void restartBatchClock();

    const RunBindings& run_;
    devices::CancelToken& token_;
    protocol::BlackBox ownBox_;  // stands in when no shared black box is given
    protocol::BlackBox* box_;
    PointSink sink_;

    // State of the running job.
    std::vector<qint64> channelBytes_;
    qint64 bytesPerPoint_ = 0;
    qint64 capacity_ = 1;                // points per batch
    std::vector<QByteArray> buffers_;    // one per channel
    std::vector<char*> base_;            // where the current point goes in each channel's buffer
    std::vector<double> pos_;            // positions of the current point
    std::vector<double> last_;           // positions the axes were last moved to
    std::vector<std::vector<devices::OutputBuffer>> outs_;  // per detector, per output
    std::vector<QByteArray> scratch_;    // outputs a device writes but the plan does not keep
    devices::PointContext ctx_;
    qint64 k_ = 0;                       // points in the buffers

    // Shared with handOver(): the executor publishes packed points, either thread sends them.
    std::mutex sendMutex_;               // guards sent_, flushFirst_ and the buffers' sizes; held while sending
    std::atomic<qint64> packed_{0};      // k_, published after each point
    std::atomic<Clock::rep> batchStart_{0};  // when the unsent points began
    qint64 sent_ = 0;                    // points at the start of the buffers already sent by handOver()
    qint64 flushFirst_ = 0;              // point index of the first unsent point
    int failDevice_ = -1;
    const char* failOp_ = "read";
};

}  // namespace acquila::worker
