// Fault matrix, device side, through `acquila run` (a real CLI process and its
// workers): each fault at an early, middle and late point of a fast and a slow
// plan. docs/reliability.md states the expected behaviour per fault class.
#include "support/FaultMatrix.h"

using namespace acquila::test;
using namespace acquila::test::fault;

namespace {

/** Bounds from the fault to the app's exit (generous: the machine is shared). */
constexpr auto kFailBound = std::chrono::seconds(15);
constexpr auto kHeartbeatBound = std::chrono::seconds(25);  // 5 s without heartbeat, then the run ends

QByteArray faultProps(const char* mode, qint64 point) {
    return QByteArray(R"({"mode": ")") + mode + R"(", "at_point": )" + QByteArray::number(point) + "}";
}

/**
 * The fault device misbehaves at point p: the run fails within the bound,
 * naming the device and p (and `words`), every point below p is in the file
 * exactly once, p is not, and the file holds every point the CLI counts.
 */
void deviceFault(const char* mode, const Case& c, const QStringList& words) {
    const PlanSpec spec = planSpec(c.speed);
    const qint64 p = faultPoint(c.where, spec);
    CliRun run(spec, faultProps(mode, p));
    ASSERT_NO_FATAL_FAILURE(run.start());
    run.waitForPoint(p);
    run.markFault();
    ASSERT_TRUE(run.waitExit(mode == QByteArray("hang") ? kFailBound + std::chrono::seconds(1) : kFailBound)) << run.output();
    expectOutcome(run, QStringLiteral("failed"));
    expectReasonNames(run.summary.reason, QStringList{QStringLiteral("'fault'"), QStringLiteral("at point %1").arg(p)} + words);
    const FileReport f = expectFileAgrees(run);
    expectPointsBelow(f, p);
    EXPECT_EQ(std::count(f.stored.begin(), f.stored.end(), p), 0) << "the failing point is stored";
    EXPECT_EQ(static_cast<qint64>(f.stored.size()), run.summary.done) << "the file does not hold every point the CLI reports measured";
    expectNothingLeft(run);
    expectNextRunWorks(run);
    record(QString::fromLatin1(mode), run.summary.status, p, lostBelow(f, p), run.secondsToEnd);
}

/**
 * A device worker gets `sig` from outside when a black box reaches p: the run
 * fails within the bound, naming the worker, the signal or silence, and the
 * point q >= p it was at, without blaming a device for a crash; every point
 * below q is in the file exactly once.
 */
void workerSignal(int sig, const Case& c, std::chrono::seconds bound, const QString& cause) {
    const PlanSpec spec = planSpec(c.speed);
    const qint64 p = faultPoint(c.where, spec);
    CliRun run(spec);
    ASSERT_NO_FATAL_FAILURE(run.start());
    const WorkerProc* w = run.waitForPoint(p);
    ASSERT_NE(w, nullptr) << "no worker reached point " << p << ": " << run.output();
    const int id = w->id;
    ::kill(static_cast<pid_t>(w->pid), sig);
    run.markFault();
    ASSERT_TRUE(run.waitExit(bound)) << run.output();
    expectOutcome(run, QStringLiteral("failed"));
    const QString& reason = run.summary.reason;
    expectReasonNames(reason, {QStringLiteral("worker %1").arg(id), cause});
    EXPECT_FALSE(reason.contains(QLatin1String("crashed"))) << "an outside signal is not a device crash: " << reason.toStdString();
    const qint64 q = reasonPoint(reason);
    EXPECT_GE(q, p) << "the reason names no point at or after the fault: " << reason.toStdString();
    const FileReport f = expectFileAgrees(run);
    expectPointsBelow(f, std::max(q, p));
    EXPECT_EQ(static_cast<qint64>(f.stored.size()), run.summary.done) << "the file does not hold every point the CLI reports measured";
    expectNothingLeft(run);
    expectNextRunWorks(run);
    record(sig == SIGKILL ? QStringLiteral("device worker SIGKILL") : QStringLiteral("device worker SIGSTOP"), run.summary.status, p,
           lostBelow(f, std::max(q, p)), run.secondsToEnd);
}

}  // namespace

class DeviceWorkerSigkill : public ::testing::TestWithParam<Case> {};
TEST_P(DeviceWorkerSigkill, At) { workerSignal(SIGKILL, GetParam(), kFailBound, QStringLiteral("signal 9")); }
INSTANTIATE_TEST_SUITE_P(FaultMatrix, DeviceWorkerSigkill, ::testing::ValuesIn(allCases()), caseName);

class DeviceWorkerSigstop : public ::testing::TestWithParam<Case> {};
TEST_P(DeviceWorkerSigstop, At) { workerSignal(SIGSTOP, GetParam(), kHeartbeatBound, QStringLiteral("heartbeat")); }
INSTANTIATE_TEST_SUITE_P(FaultMatrix, DeviceWorkerSigstop, ::testing::ValuesIn(allCases()), caseName);

class FaultDeviceCrash : public ::testing::TestWithParam<Case> {};
TEST_P(FaultDeviceCrash, At) { deviceFault("crash", GetParam(), {QStringLiteral("worker"), QStringLiteral("signal 6")}); }
INSTANTIATE_TEST_SUITE_P(FaultMatrix, FaultDeviceCrash, ::testing::ValuesIn(allCases()), caseName);

class FaultDeviceHang : public ::testing::TestWithParam<Case> {};
TEST_P(FaultDeviceHang, At) { deviceFault("hang", GetParam(), {QStringLiteral("read"), QStringLiteral("1 s")}); }
INSTANTIATE_TEST_SUITE_P(FaultMatrix, FaultDeviceHang, ::testing::ValuesIn(allCases()), caseName);

class FaultDeviceThrow : public ::testing::TestWithParam<Case> {};
TEST_P(FaultDeviceThrow, At) { deviceFault("throw", GetParam(), {QStringLiteral("injected failure")}); }
INSTANTIATE_TEST_SUITE_P(FaultMatrix, FaultDeviceThrow, ::testing::ValuesIn(allCases()), caseName);

class FaultDeviceMalformed : public ::testing::TestWithParam<Case> {};
TEST_P(FaultDeviceMalformed, At) { deviceFault("malformed", GetParam(), {QStringLiteral("3 bytes instead of 8")}); }
INSTANTIATE_TEST_SUITE_P(FaultMatrix, FaultDeviceMalformed, ::testing::ValuesIn(allCases()), caseName);

class FaultDeviceWrongShape : public ::testing::TestWithParam<Case> {};
TEST_P(FaultDeviceWrongShape, At) { deviceFault("wrong_shape", GetParam(), {QStringLiteral("16 bytes instead of 8")}); }
INSTANTIATE_TEST_SUITE_P(FaultMatrix, FaultDeviceWrongShape, ::testing::ValuesIn(allCases()), caseName);
