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

void deviceWorkerSigkill(const Case& param) { workerSignal(SIGKILL, param, kFailBound, QStringLiteral("signal 9")); }
FAULT_MATRIX_CASES(DeviceWorkerSigkill, allCases(), deviceWorkerSigkill);

void deviceWorkerSigstop(const Case& param) { workerSignal(SIGSTOP, param, kHeartbeatBound, QStringLiteral("heartbeat")); }
FAULT_MATRIX_CASES(DeviceWorkerSigstop, allCases(), deviceWorkerSigstop);

void faultDeviceCrash(const Case& param) { deviceFault("crash", param, {QStringLiteral("worker"), QStringLiteral("signal 6")}); }
FAULT_MATRIX_CASES(FaultDeviceCrash, allCases(), faultDeviceCrash);

void faultDeviceHang(const Case& param) { deviceFault("hang", param, {QStringLiteral("read"), QStringLiteral("1 s")}); }
FAULT_MATRIX_CASES(FaultDeviceHang, allCases(), faultDeviceHang);

void faultDeviceThrow(const Case& param) { deviceFault("throw", param, {QStringLiteral("injected failure")}); }
FAULT_MATRIX_CASES(FaultDeviceThrow, allCases(), faultDeviceThrow);

void faultDeviceMalformed(const Case& param) { deviceFault("malformed", param, {QStringLiteral("3 bytes instead of 8")}); }
FAULT_MATRIX_CASES(FaultDeviceMalformed, allCases(), faultDeviceMalformed);

void faultDeviceWrongShape(const Case& param) { deviceFault("wrong_shape", param, {QStringLiteral("16 bytes instead of 8")}); }
FAULT_MATRIX_CASES(FaultDeviceWrongShape, allCases(), faultDeviceWrongShape);
