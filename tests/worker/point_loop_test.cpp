#include "worker/PointLoop.h"

#include "core/plan/Plan.h"

#include <gtest/gtest.h>
#include <atomic>
#include <cstring>
#include <optional>
#include <thread>

using namespace acquila;
using devices::CancelToken;
using devices::Checkpoint;
using devices::OutputBuffer;
using worker::PointLoop;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kStageLab = 3;  // lab indices of the fakes, distinct so reports can be told apart
constexpr int kDetectorLab = 5;
constexpr double kStageTimeoutS = 2.0;
constexpr double kDetectorTimeoutS = 1.5;

double wallNow() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

/** The value a FakeDetector writes to element `e` of output `o` at point `i`. */
double expectedValue(qint64 i, size_t o, qint64 e) { return static_cast<double>(i * 1000 + static_cast<qint64>(o) * 100 + e); }

template <typename T>
void fillAs(char* dst, qint64 n, qint64 i, size_t o) {
    for (qint64 e = 0; e < n; ++e) {
        const T v = static_cast<T>(expectedValue(i, o, e));
        std::memcpy(dst + e * static_cast<qint64>(sizeof(T)), &v, sizeof(T));
    }
}

template <typename T>
T valueAt(const QByteArray& buffer, qint64 element) {
    T v;
    std::memcpy(&v, buffer.constData() + element * static_cast<qint64>(sizeof(T)), sizeof(T));
    return v;
}

model::OutputDecl output(const QString& name, model::DType dtype, std::vector<int64_t> shape = {}) {
    model::OutputDecl d;
    d.name = name;
    d.dtype = dtype;
    d.shape = std::move(shape);
    return d;
}

/** A stage that records every move; `onMove` runs inside the call (to look at the black box, or to fail). */
class FakeActuator : public devices::Actuator {
public:
    struct Move {
        int axis;
        double position;
    };
    explicit FakeActuator(int axes) : Actuator(QStringLiteral("stage")), positions_(static_cast<size_t>(axes), 0.0) {}
    model::DeviceDescription describe() const override { return {}; }
    void setProperty(const QString&, const QVariant&) override {}
    Checkpoint moveTo(int axis, double position, const CancelToken& token) override {
        if (onMove) onMove(axis, position);
        moves.push_back({axis, position});
        positions_[static_cast<size_t>(axis)] = position;
        return token.check();
    }
    double position(int axis) const override { return positions_[static_cast<size_t>(axis)]; }

    std::vector<Move> moves;
    std::function<void(int axis, double position)> onMove;

private:
    std::vector<double> positions_;
};

/**
 * A detector that fills every output with expectedValue() in the output's
 * type, then hands over to `behaviour` (slow, blocking, failing, malformed).
 */
class FakeDetector : public devices::Detector {
public:
    using Behaviour = std::function<Checkpoint(qint64 index, std::vector<OutputBuffer>& out, const CancelToken& token)>;
    explicit FakeDetector(std::vector<model::OutputDecl> outputs) : Detector(QStringLiteral("det")), outputs(std::move(outputs)) {}
    model::DeviceDescription describe() const override { return {}; }
    void setProperty(const QString&, const QVariant&) override {}
    Checkpoint read(const devices::PointContext& ctx, std::vector<OutputBuffer>& out, const CancelToken& token) override {
        reads.push_back(ctx.index);
        exposures.push_back(ctx.exposureS);
        for (size_t o = 0; o < outputs.size(); ++o) fill(o, out[o], ctx.index);
        return behaviour ? behaviour(ctx.index, out, token) : Checkpoint::Continue;
    }

    std::vector<model::OutputDecl> outputs;
    std::vector<qint64> reads;
    std::vector<double> exposures;
    Behaviour behaviour;

private:
    void fill(size_t o, OutputBuffer& b, qint64 i) const {
        const qint64 n = outputs[o].elementsPerPoint();
        switch (outputs[o].dtype) {
            case model::DType::Float64: fillAs<double>(b.data, n, i, o); break;
            case model::DType::Int32: fillAs<int32_t>(b.data, n, i, o); break;
            case model::DType::UInt16: fillAs<uint16_t>(b.data, n, i, o); break;
            case model::DType::UInt8: b.data[0] = static_cast<char>(i & 0xff); break;  // frames: one marker byte
            default: FAIL() << "no filler for this type";
        }
    }
};

struct Batch {
    qint64 first;
    qint64 count;
    std::vector<QByteArray> buffers;
    bool final;
    double seconds;
};

struct Failure {
    qint64 point;
    int labIndex;
    QString op;
    QString message;
};

plan::Plan countPlan(qint64 count) {
    plan::Plan p;
    p.type = plan::ScanType::Count;
    p.count = count;
    return p;
}

plan::AxisSpec axis(const QString& device, double start, double stop, qint64 steps) {
    plan::AxisSpec a;
    a.device = device;
    a.start = start;
    a.stop = stop;
    a.steps = steps;
    return a;
}

/** Grid over stage.x (0, 1) then stage.y (10, 20, 30): y moves fastest. */
plan::Plan gridPlan() {
    plan::Plan p;
    p.type = plan::ScanType::Grid;
    p.axes = {axis(QStringLiteral("stage.x"), 0, 1, 2), axis(QStringLiteral("stage.y"), 10, 30, 3)};
    return p;
}

class PointLoopTest : public ::testing::Test {
protected:
    /** Binds the plan's axes to the stage and the detector's outputs; `keep[o]` false leaves output o out of the results. */
    void bind(const plan::Plan& plan, FakeDetector* detector, std::vector<bool> keep = {}) {
        auto gen = plan::PointGenerator::create(plan);
        ASSERT_TRUE(gen.ok()) << gen.error().toStdString();
        run_.gen = std::move(*gen);
        run_.settleS = plan.settleS;
        run_.exposureS = plan.exposureS;
        for (size_t a = 0; a < plan.axes.size(); ++a) {
            run_.axes.push_back({&stage_, static_cast<int>(a), kStageLab, kStageTimeoutS});
            run_.channelTemplate.push_back(model::Channel{plan.axes[a].device, model::DType::Float64, {}, {}});
        }
        run_.channelTemplate.push_back(model::Channel{model::kTimestampChannel, model::DType::Float64, {}, {}});
        if (!detector) return;
        worker::DetectorBinding b{detector, kDetectorLab, kDetectorTimeoutS, detector->outputs, {}};
        for (size_t o = 0; o < b.outputs.size(); ++o) {
            const bool kept = o >= keep.size() || keep[o];
            b.channel.push_back(kept ? static_cast<int>(run_.channelTemplate.size()) : -1);
            if (kept) run_.channelTemplate.push_back(model::Channel{b.outputs[o].name, b.outputs[o].dtype, b.outputs[o].shape, {}});
        }
        run_.detectors.push_back(std::move(b));
    }

    /** Runs a job; with `handOver`, a second thread calls handOver() every 5 ms meanwhile, as the worker's reader does. */
    void runJob(qint64 first, qint64 count, bool handOver = false) {
        worker::PointSink sink{
            [this](qint64 f, qint64 n, const std::vector<QByteArray>& buffers, bool final, double seconds) {
                if (inspect_) inspect_(f, n, buffers);
                batches_.push_back({f, n, keepBuffers_ ? buffers : std::vector<QByteArray>(), final, seconds});
                sentPoints_.fetch_add(n);
            },
            [this](qint64 point, int labIndex, const char* op, const QString& message) {
                failures_.push_back({point, labIndex, QLatin1String(op), message});
            }};
        PointLoop loop(run_, token_, &box_, std::move(sink));
        std::atomic<bool> done{false};
        std::thread reader;
        if (handOver) {
            reader = std::thread([&] {
                while (!done.load()) {
                    loop.handOver();
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // the reader's tick, not a synchronisation
                }
            });
        }
        loop.run(first, count);
        done.store(true);
        if (reader.joinable()) reader.join();
    }

    /** Points delivered, in order; fails unless the batches are contiguous from `first`. */
    std::vector<qint64> delivered(qint64 first) const {
        std::vector<qint64> points;
        qint64 next = first;
        for (const Batch& b : batches_) {
            EXPECT_EQ(b.first, next) << "batches must be contiguous";
            for (qint64 k = 0; k < b.count; ++k) points.push_back(b.first + k);
            next = b.first + b.count;
        }
        return points;
    }

    /** The job failed once, as given, and left the black box idle and no deadline armed. */
    void expectFailure(qint64 point, int labIndex, const char* op, const char* message) const {
        ASSERT_EQ(failures_.size(), 1u);
        EXPECT_EQ(failures_[0].point, point);
        EXPECT_EQ(failures_[0].labIndex, labIndex);
        EXPECT_EQ(failures_[0].op, QLatin1String(op));
        EXPECT_EQ(failures_[0].message, QLatin1String(message));
        for (const Batch& b : batches_) EXPECT_FALSE(b.final) << "a failed job sends no final batch";
        EXPECT_EQ(box_.op.load(), static_cast<int32_t>(protocol::BlackBoxOp::Idle));
        EXPECT_EQ(token_.check(), Checkpoint::Continue) << "the failed call's deadline must be cleared";
    }

    static std::vector<qint64> range(qint64 first, qint64 count) {
        std::vector<qint64> r;
        for (qint64 i = first; i < first + count; ++i) r.push_back(i);
        return r;
    }

    /** A detector behaviour that takes `d` of (cancellable) time at the given points, none at the others. */
    static FakeDetector::Behaviour slowAt(std::vector<qint64> points, std::chrono::milliseconds d) {
        return [points, d](qint64 index, std::vector<OutputBuffer>&, const CancelToken& token) {
            if (points.empty() || std::find(points.begin(), points.end(), index) != points.end()) return token.sleepFor(d);
            return Checkpoint::Continue;
        };
    }

    FakeActuator stage_{2};
    worker::RunBindings run_;
    CancelToken token_;
    protocol::BlackBox box_;
    std::vector<Batch> batches_;
    std::vector<Failure> failures_;
    std::atomic<qint64> sentPoints_{0};  // points sent so far, by either thread
    bool keepBuffers_ = true;  // whether batches_ keeps (shares) the loop's buffers
    std::function<void(qint64 first, qint64 count, const std::vector<QByteArray>& buffers)> inspect_;  // sees every batch
};

TEST_F(PointLoopTest, PointsRunInOrderAtThePlannedPositions) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(gridPlan(), &det);
    runJob(1, 4);  // (0,20) (0,30) (1,10) (1,20)

    EXPECT_EQ(det.reads, range(1, 4));
    ASSERT_EQ(stage_.moves.size(), 6u);  // both axes at the job's first point, then only those that change
    const std::vector<std::pair<int, double>> expected{{0, 0}, {1, 20}, {1, 30}, {0, 1}, {1, 10}, {1, 20}};
    for (size_t m = 0; m < expected.size(); ++m) {
        EXPECT_EQ(stage_.moves[m].axis, expected[m].first) << "move " << m;
        EXPECT_DOUBLE_EQ(stage_.moves[m].position, expected[m].second) << "move " << m;
    }
    ASSERT_EQ(batches_.size(), 1u);  // a short job travels in its final batch
    const Batch& b = batches_[0];
    EXPECT_TRUE(b.final);
    EXPECT_EQ(b.first, 1);
    EXPECT_EQ(b.count, 4);
    const double xs[] = {0, 0, 1, 1}, ys[] = {20, 30, 10, 20};
    for (qint64 k = 0; k < 4; ++k) {
        EXPECT_DOUBLE_EQ(valueAt<double>(b.buffers[0], k), xs[k]);
        EXPECT_DOUBLE_EQ(valueAt<double>(b.buffers[1], k), ys[k]);
    }
    EXPECT_TRUE(failures_.empty());
}

TEST_F(PointLoopTest, SettleWaitsAfterTheMovesBeforeTheRead) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    plan::Plan plan = gridPlan();
    plan.settleS = 0.015;
    bind(plan, &det);
    Clock::time_point moved;
    std::vector<Clock::duration> gaps;
    stage_.onMove = [&](int, double) { moved = Clock::now(); };
    det.behaviour = [&](qint64, std::vector<OutputBuffer>&, const CancelToken&) {
        gaps.push_back(Clock::now() - moved);
        return Checkpoint::Continue;
    };
    runJob(0, 3);

    ASSERT_EQ(gaps.size(), 3u);
    for (const auto& gap : gaps) EXPECT_GE(gap, std::chrono::milliseconds(15));
}

TEST_F(PointLoopTest, OutputsArePackedWithTheirShapesTypesAndTimestamps) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64),
                      output(QStringLiteral("det.hidden"), model::DType::Int32, {5}),
                      output(QStringLiteral("det.image"), model::DType::UInt16, {2, 3})});
    plan::Plan plan = countPlan(10);
    plan.exposureS = 0.25;
    bind(plan, &det, {true, false, true});
    const double before = wallNow();
    runJob(2, 3);
    const double after = wallNow();

    EXPECT_EQ(det.exposures, std::vector<double>(3, 0.25));
    ASSERT_EQ(batches_.size(), 1u);
    const Batch& b = batches_[0];
    ASSERT_EQ(b.buffers.size(), 3u);  // timestamp, det.sum, det.image: the hidden output is not kept
    EXPECT_EQ(b.buffers[0].size(), 3 * 8);
    EXPECT_EQ(b.buffers[1].size(), 3 * 8);
    EXPECT_EQ(b.buffers[2].size(), 3 * 6 * 2);
    double previous = before;
    for (qint64 k = 0; k < 3; ++k) {
        const qint64 i = 2 + k;
        const double ts = valueAt<double>(b.buffers[0], k);
        EXPECT_GE(ts, previous);
        EXPECT_LE(ts, after);
        previous = ts;
        EXPECT_EQ(valueAt<double>(b.buffers[1], k), expectedValue(i, 0, 0));
        for (qint64 e = 0; e < 6; ++e)
            EXPECT_EQ(valueAt<uint16_t>(b.buffers[2], k * 6 + e), static_cast<uint16_t>(expectedValue(i, 2, e))) << "point " << i;
    }
}

TEST_F(PointLoopTest, SlowPointsAreSentOneByOneOnceTenMillisecondsPass) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    plan::Plan plan = countPlan(4);
    plan.exposureS = 0.011;
    bind(plan, &det);
    det.behaviour = slowAt({}, std::chrono::milliseconds(11));
    runJob(0, 4);

    ASSERT_EQ(batches_.size(), 4u);
    for (qint64 k = 0; k < 4; ++k) {
        EXPECT_EQ(batches_[k].first, k);
        EXPECT_EQ(batches_[k].count, 1);
        EXPECT_EQ(batches_[k].final, k == 3);
        EXPECT_GE(batches_[k].seconds, 0.011);
        EXPECT_EQ(valueAt<double>(batches_[k].buffers[1], 0), expectedValue(k, 0, 0));
    }
}

TEST_F(PointLoopTest, SmallFastPointsCheckTheClockEvery32Points) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(countPlan(64), &det);
    det.behaviour = slowAt({5}, std::chrono::milliseconds(11));
    runJob(0, 64);

    // The budget passes at point 5 but is only noticed at the 32nd point; the rest travels with the final batch.
    ASSERT_EQ(batches_.size(), 2u);
    EXPECT_EQ(batches_[0].first, 0);
    EXPECT_EQ(batches_[0].count, 32);
    EXPECT_FALSE(batches_[0].final);
    EXPECT_GE(batches_[0].seconds, 0.011);
    EXPECT_EQ(batches_[1].first, 32);
    EXPECT_EQ(batches_[1].count, 32);
    EXPECT_TRUE(batches_[1].final);
    EXPECT_EQ(valueAt<double>(batches_[1].buffers[1], 31), expectedValue(63, 0, 0));
}

TEST_F(PointLoopTest, LargePointsCheckTheClockEveryPoint) {
    FakeDetector det({output(QStringLiteral("det.image"), model::DType::UInt16, {64, 64})});  // 8 KiB a point
    bind(countPlan(6), &det);
    det.behaviour = slowAt({1}, std::chrono::milliseconds(11));
    runJob(0, 6);

    EXPECT_EQ(delivered(0), range(0, 6));
    ASSERT_GE(batches_.size(), 2u);
    EXPECT_EQ(batches_[0].first + batches_[0].count, 2) << "a batch ends right after the slow point";
    EXPECT_FALSE(batches_[0].final);
    EXPECT_TRUE(batches_.back().final);
}

TEST_F(PointLoopTest, BatchesStayUnderSixteenMiB) {
    // 5 MiB frames: three fit in a batch, and three points take far less than the 10 ms budget.
    constexpr qint64 kFrameBytes = qint64{5} << 20;
    FakeDetector det({output(QStringLiteral("det.frame"), model::DType::UInt8, {kFrameBytes})});
    const qint64 capacity = PointLoop::kMaxBufferBytes / (kFrameBytes + 8);
    ASSERT_EQ(capacity, 3);
    bind(countPlan(20), &det);
    keepBuffers_ = false;  // keeping them would make the loop copy 15 MiB per batch
    std::vector<std::pair<qint64, qint64>> wrong;  // (point, marker) that do not match
    inspect_ = [&](qint64 first, qint64 count, const std::vector<QByteArray>& buffers) {
        EXPECT_LE(buffers[0].size() + buffers[1].size(), PointLoop::kMaxBufferBytes);
        for (qint64 k = 0; k < count; ++k) {
            const auto marker = static_cast<uint8_t>(buffers[1][k * kFrameBytes]);
            if (marker != ((first + k) & 0xff)) wrong.emplace_back(first + k, marker);
        }
    };
    runJob(0, 20);

    EXPECT_TRUE(wrong.empty());
    EXPECT_EQ(delivered(0), range(0, 20));
    bool capReached = false;
    for (const Batch& b : batches_) {
        EXPECT_LE(b.count, capacity);
        capReached = capReached || (b.count == capacity && !b.final);
    }
    EXPECT_TRUE(capReached) << "no batch was ended by the size cap";
    EXPECT_TRUE(batches_.back().final);
}

TEST_F(PointLoopTest, StopEndsTheJobAtThePointBoundaryWithAFinalBatch) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(gridPlan(), &det);
    det.behaviour = [this](qint64 index, std::vector<OutputBuffer>&, const CancelToken& token) {
        if (index == 3) token_.request(acquila::model::CancelLevel::Stop);  // raised while point 3 is being read
        return token.check();               // a stop does not interrupt the point
    };
    runJob(0, 6);

    EXPECT_EQ(det.reads, range(0, 4));
    EXPECT_DOUBLE_EQ(stage_.position(0), 1);  // point 3 is (1, 10): nothing moved after it
    EXPECT_DOUBLE_EQ(stage_.position(1), 10);
    EXPECT_EQ(delivered(0), range(0, 4));
    ASSERT_FALSE(batches_.empty());
    EXPECT_TRUE(batches_.back().final);
    EXPECT_TRUE(failures_.empty());
}

TEST_F(PointLoopTest, StopRequestedBeforeTheJobSendsAnEmptyFinalBatch) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(gridPlan(), &det);
    token_.request(acquila::model::CancelLevel::Stop);
    runJob(2, 3);

    EXPECT_TRUE(det.reads.empty());
    EXPECT_TRUE(stage_.moves.empty());
    ASSERT_EQ(batches_.size(), 1u);
    EXPECT_EQ(batches_[0].first, 2);
    EXPECT_EQ(batches_[0].count, 0);
    EXPECT_TRUE(batches_[0].final);
    EXPECT_EQ(batches_[0].buffers[0].size(), 0);
}

TEST_F(PointLoopTest, AbortEndsABlockingReadWithinTenMilliseconds) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(countPlan(10), &det);
    std::atomic<bool> blocking{false};
    det.behaviour = [&](qint64 index, std::vector<OutputBuffer>&, const CancelToken& token) {
        if (index < 2) return Checkpoint::Continue;
        blocking.store(true);
        // A hung acquisition that honours the token: it polls the token and nothing else.
        Checkpoint c = Checkpoint::Continue;
        while ((c = token.check()) == Checkpoint::Continue) std::this_thread::yield();
        return c;
    };
    Clock::time_point requested;
    std::thread canceller([&] {
        while (!blocking.load()) std::this_thread::yield();
        requested = Clock::now();
        token_.request(acquila::model::CancelLevel::Abort);
    });
    runJob(0, 10);
    const auto ended = Clock::now();
    canceller.join();

    EXPECT_LT(ended - requested, std::chrono::milliseconds(10));
    EXPECT_EQ(det.reads, range(0, 3));
    EXPECT_EQ(delivered(0), range(0, 2));  // the aborted point is incomplete and not kept
    ASSERT_FALSE(batches_.empty());
    EXPECT_TRUE(batches_.back().final);
    EXPECT_TRUE(failures_.empty());
}

TEST_F(PointLoopTest, DeviceErrorReportsPointDeviceAndOperation) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(countPlan(10), &det);
    det.behaviour = [](qint64 index, std::vector<OutputBuffer>&, const CancelToken&) {
        if (index == 4) throw devices::DeviceError("sensor unplugged");
        return Checkpoint::Continue;
    };
    runJob(1, 8);

    expectFailure(4, kDetectorLab, "read", "sensor unplugged");
    EXPECT_EQ(delivered(1), range(1, 3));  // the points before the failure are sent first
}

TEST_F(PointLoopTest, FailingMoveReportsTheActuator) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(gridPlan(), &det);
    stage_.onMove = [](int axis, double position) {
        if (axis == 0 && position == 1) throw devices::DeviceError("limit switch");
    };
    runJob(0, 6);

    expectFailure(3, kStageLab, "move", "limit switch");
    EXPECT_EQ(delivered(0), range(0, 3));
}

TEST_F(PointLoopTest, TimedOutReadReportsTheOperation) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(countPlan(3), &det);
    run_.detectors[0].timeoutS = 0.02;
    det.behaviour = slowAt({1}, std::chrono::seconds(30));
    const auto t0 = Clock::now();
    runJob(0, 3);

    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
    expectFailure(1, kDetectorLab, "read", "read timed out");
    EXPECT_EQ(delivered(0), range(0, 1));
}

TEST_F(PointLoopTest, WrongOutputSizeIsReportedAsMalformedData) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64), output(QStringLiteral("det.x"), model::DType::Int32)});
    bind(countPlan(3), &det, {true, false});
    det.behaviour = [](qint64 index, std::vector<OutputBuffer>& out, const CancelToken&) {
        if (index == 2) out[1].written = 3;
        return Checkpoint::Continue;
    };
    runJob(0, 3);

    expectFailure(2, kDetectorLab, "read", "malformed data: 3 bytes instead of 4");
    EXPECT_EQ(delivered(0), range(0, 2));
}

TEST_F(PointLoopTest, BlackBoxShowsTheOperationInProgressAndIdleAfter) {
    struct Seen {
        int32_t op;
        int64_t point;
        int32_t device;
        int64_t timeoutNs;
    };
    std::vector<Seen> seen;
    auto look = [&] { seen.push_back({box_.op.load(), box_.point.load(), box_.device.load(), box_.timeoutNs.load()}); };
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(gridPlan(), &det);
    stage_.onMove = [&](int, double) { look(); };
    det.behaviour = [&](qint64, std::vector<OutputBuffer>&, const CancelToken&) {
        look();
        return Checkpoint::Continue;
    };
    runJob(2, 2);  // point 2 moves both axes, point 3 both again: (0,30) then (1,10)

    const auto move = static_cast<int32_t>(protocol::BlackBoxOp::Move), read = static_cast<int32_t>(protocol::BlackBoxOp::Read);
    const int64_t moveNs = 2'000'000'000, readNs = 1'500'000'000;
    const std::vector<std::tuple<int32_t, int64_t, int32_t, int64_t>> expected{
        {move, 2, kStageLab, moveNs}, {move, 2, kStageLab, moveNs}, {read, 2, kDetectorLab, readNs},
        {move, 3, kStageLab, moveNs}, {move, 3, kStageLab, moveNs}, {read, 3, kDetectorLab, readNs}};
    ASSERT_EQ(seen.size(), expected.size());
    for (size_t s = 0; s < seen.size(); ++s) {
        EXPECT_EQ(std::make_tuple(seen[s].op, seen[s].point, seen[s].device, seen[s].timeoutNs), expected[s]) << "call " << s;
    }
    EXPECT_EQ(box_.op.load(), static_cast<int32_t>(protocol::BlackBoxOp::Idle));
}

}  // namespace

TEST_F(PointLoopTest, PointsBeforeAHangingReadLeaveWhileItHangs) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(countPlan(64), &det);  // instant points: without a hand-over all 64 would travel in one final batch
    det.behaviour = [this](qint64 index, std::vector<OutputBuffer>&, const CancelToken&) {
        if (index != 20) return Checkpoint::Continue;
        // A hung read, deaf to the token: it ends only once the points before it are out (or after 5 s).
        const auto giveUp = Clock::now() + std::chrono::seconds(5);
        while (sentPoints_.load() < 20 && Clock::now() < giveUp) std::this_thread::yield();
        return Checkpoint::Abort;
    };
    const auto start = Clock::now();
    runJob(0, 64, true);

    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2)) << "the points waited for the hung read to end";
    EXPECT_EQ(delivered(0), range(0, 20));
    ASSERT_GE(batches_.size(), 2u);
    EXPECT_FALSE(batches_.front().final);
    EXPECT_TRUE(batches_.back().final);
    EXPECT_EQ(batches_.back().count, 0) << "everything measured had already left";
    EXPECT_EQ(valueAt<double>(batches_.front().buffers[1], 19), expectedValue(19, 0, 0));
}

TEST_F(PointLoopTest, HandOverLeavesFastJobsWhole) {
    FakeDetector det({output(QStringLiteral("det.sum"), model::DType::Float64)});
    bind(countPlan(1000), &det);
    runJob(0, 1000, true);

    EXPECT_EQ(delivered(0), range(0, 1000));
    EXPECT_TRUE(batches_.back().final);
    for (qint64 i : {qint64{0}, qint64{499}, qint64{999}}) {
        qint64 k = i;
        for (const Batch& b : batches_) {
            if (k < b.count) {
                EXPECT_EQ(valueAt<double>(b.buffers[1], k), expectedValue(i, 0, 0)) << "point " << i;
                break;
            }
            k -= b.count;
        }
    }
}
