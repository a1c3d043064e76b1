// SCPI instruments that fail during a run, through the real engine, its worker processes and
// the storage worker, on the instrument simulator (tests/tools/scpi_sim.py) over TCP and over
// pseudo-terminals: one that dies (SIGKILL) or drops the connection, hangs, answers garbage
// or refuses a command at a chosen point of a 20-point scan, and one whose error queue is
// not empty when it is connected. Each run ends with a reason naming the device and the
// point, the file (read back by h5py) holds every point before it with the status the engine
// reported, the engine stays up and the next run, against the same instrument or a new one
// at the same address, reconnects and completes.
#include "support/EngineHarness.h"
#include "support/RunProcess.h"
#include "support/ScpiSimulator.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

using namespace acquila;
using namespace acquila::test;
using model::RunStatus;

namespace {

constexpr int kPoints = 20;
constexpr qint64 kFaultPoint = 8;  // the fault strikes at the ninth reading: points 0..7 are measured

/** How the test reaches the simulator: a TCP port, or two stable links to its pseudo-terminals. */
struct Address {
    bool tcp = true;
    QString port;        // tcp
    QString linkPrefix;  // pty: <prefix>0 (psu) and <prefix>1 (dmm), remade by every simulator
    QStringList options() const {
        return tcp ? QStringList{QStringLiteral("--port"), port} : QStringList{QStringLiteral("--link"), linkPrefix};
    }
};

/** A power supply (psu, ±`psuMax` V in the lab) and a multimeter (dmm) on the simulator. */
model::LabConfig lab(const Address& a, double replyTimeoutS, double psuMax = 30) {
    auto params = [&](int line) {
        QJsonObject p;
        if (a.tcp) {
            p.insert(QStringLiteral("host"), QStringLiteral("127.0.0.1"));
            p.insert(QStringLiteral("port"), a.port.toInt());
        } else {
            p.insert(QStringLiteral("transport"), QStringLiteral("serial"));
            p.insert(QStringLiteral("device"), a.linkPrefix + QString::number(line));
            p.insert(QStringLiteral("baud"), 115200);
        }
        p.insert(QStringLiteral("reply_timeout_s"), replyTimeoutS);
        return p;
    };
    QJsonObject psu = params(0), dmm = params(1);
    psu.insert(QStringLiteral("axes"), QJsonArray{QJsonObject{{QStringLiteral("set"), QStringLiteral("SOUR:VOLT {value}")},
                                                              {QStringLiteral("get"), QStringLiteral("SOUR:VOLT?")},
                                                              {QStringLiteral("min"), -psuMax},
                                                              {QStringLiteral("max"), psuMax},
                                                              {QStringLiteral("unit"), QStringLiteral("V")}}});
    dmm.insert(QStringLiteral("outputs"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("volt")},
                                                                 {QStringLiteral("query"), QStringLiteral("MEAS:VOLT?")},
                                                                 {QStringLiteral("unit"), QStringLiteral("V")}}});
    const QJsonObject json{{QStringLiteral("version"), 1},
                           {QStringLiteral("devices"),
                            QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("psu")}, {QStringLiteral("driver"), QStringLiteral("scpi")}, {QStringLiteral("params"), psu}},
                                       QJsonObject{{QStringLiteral("name"), QStringLiteral("dmm")}, {QStringLiteral("driver"), QStringLiteral("scpi")}, {QStringLiteral("params"), dmm}}}}};
    auto l = model::parseLabConfig(QJsonDocument(json).toJson(), QStringLiteral("lab.json"));
    EXPECT_TRUE(l.ok()) << l.error().toStdString();
    return l.ok() ? *l : model::LabConfig{};
}

/** The supply from 0 to `stop` V in 20 points while the meter reads it. */
plan::Plan scan(double stop = 5, double settleS = 0) {
    return EngineHarness::plan(QStringLiteral(R"({"version": 1, "name": "psu-scan", "scan": {"type": "linear"},
        "axes": [{"device": "psu", "start": 0, "stop": %1, "steps": %2}], "detectors": ["dmm.volt"], "settle_s": %3})")
                                   .arg(stop).arg(kPoints).arg(settleS).toUtf8());
}

/** h5py's view of a run file: status, reason, the points it holds and those whose reading does not follow the supply. */
const char* kRead = R"(
import json, os, sys
os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")
import h5py, numpy as np
def text(v):
    return (v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)).rstrip("\0")
try:
    f = h5py.File(sys.argv[1], "r")
except OSError:
    f = h5py.File(sys.argv[1], "r", swmr=True)
e = f["entry"]
d = e["data"]
index = np.asarray(d["point_index"][()]).reshape(-1)
v = np.asarray(d["psu"][()]).reshape(-1)
m = np.asarray(d["dmm_volt"][()]).reshape(-1)  # "." is not kept in dataset names
print(json.dumps({"status": text(e["status"][()]), "reason": text(e["status_reason"][()]),
                  "points_written": int(np.asarray(d["points_written"][()]).reshape(-1)[0]),
                  "stored": [int(i) for i in index if i >= 0],
                  "wrong": [int(i) for c, i in enumerate(index) if i >= 0 and (i != c or not abs(m[c] - (0.999 * v[c] + 0.001)) <= 1e-9)]}))
)";

struct FileView {
    QString status, reason, error;
    qint64 pointsWritten = -1;
    std::vector<qint64> stored, wrong;
};

FileView readFile(const QString& path) {
    FileView v;
    const ProcessResult r = runProcess(kSystemPython, {QStringLiteral("-c"), QString::fromLatin1(kRead), path});
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    if (r.exitCode != 0 || o.isEmpty()) v.error = r.output();
    v.status = o.value(QLatin1String("status")).toString();
    v.reason = o.value(QLatin1String("reason")).toString();
    v.pointsWritten = o.value(QLatin1String("points_written")).toInteger(-1);
    for (const QJsonValue& x : o.value(QLatin1String("stored")).toArray()) v.stored.push_back(x.toInteger());
    for (const QJsonValue& x : o.value(QLatin1String("wrong")).toArray()) v.wrong.push_back(x.toInteger());
    return v;
}

/**
 * The run ended `status` (as the engine says) and its file agrees: the same status and
 * reason, every point below `below` and, unless the run completed, not the point `below`
 * itself; each point once, in its cell, its reading following the supply; as many points as
 * the engine counts. (Jobs already in flight when a point fails end at a point boundary, so
 * they may measure a point after it: docs/architecture.md, "Boundary". The file keeps those.)
 */
void expectFile(const engine::RunProgress& r, RunStatus status, qint64 below) {
    EXPECT_EQ(r.status, status) << model::runStatusName(r.status) << ": " << r.reason.toStdString();
    ASSERT_TRUE(r.filePath.endsWith(QLatin1String(".h5"))) << r.filePath.toStdString();
    const FileView f = readFile(r.filePath);
    ASSERT_TRUE(f.error.isEmpty()) << f.error.toStdString();
    EXPECT_EQ(f.status.toStdString(), model::runStatusName(status));
    EXPECT_EQ(f.reason.toStdString(), r.reason.toStdString()) << "the file's reason disagrees with the engine's";
    const std::set<qint64> stored(f.stored.begin(), f.stored.end());
    EXPECT_EQ(stored.size(), f.stored.size()) << "a point is stored twice";
    for (qint64 i = 0; i < below; ++i) EXPECT_TRUE(stored.count(i)) << "point " << i << " is missing from the file";
    if (status != RunStatus::Completed) {
        EXPECT_FALSE(stored.count(below)) << "the point that failed is in the file";
    }
    EXPECT_EQ(static_cast<qint64>(f.stored.size()), r.done) << "the file does not hold the points the engine counts";
    EXPECT_EQ(f.pointsWritten, r.done);
    EXPECT_TRUE(f.wrong.empty()) << f.wrong.size() << " stored readings do not follow the supply, first at point " << f.wrong.front();
}

void expectNamed(const QString& reason, const QStringList& words) {
    for (const QString& w : words) EXPECT_TRUE(reason.contains(w)) << "the reason does not name " << w.toStdString() << ": " << reason.toStdString();
}

/** The engine is up, its device worker never died, and the next run completes. */
void expectNextRunCompletes(EngineHarness& h) {
    EXPECT_FALSE(h.engine->isShutDown());
    EXPECT_EQ(h.restarts(), 0) << "a worker died: an instrument fault must cost the run, never the worker";
    const engine::RunProgress next = h.run(scan());
    SCOPED_TRACE("the next run");
    expectFile(next, RunStatus::Completed, kPoints);
}

void report(const char* what, double seconds) { std::printf("scpi fault: %s: %.3f s\n", what, seconds); }

class ScpiFault : public ::testing::TestWithParam<const char*> {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.isValid());
        data_ = dir_.filePath(QStringLiteral("data"));
        QDir().mkpath(data_);
        address_.tcp = QLatin1String(GetParam()) == QLatin1String("--tcp");
        address_.linkPrefix = dir_.filePath(QStringLiteral("tty"));
    }
    /** A simulator at this test's address (the first one picks the TCP port, later ones take it). */
    std::unique_ptr<ScpiSimulator> simulator(const QStringList& options = {}) {
        auto sim = std::make_unique<ScpiSimulator>(QString::fromLatin1(GetParam()),
                                                   (address_.tcp && address_.port.isEmpty() ? QStringList{} : address_.options()) + options);
        EXPECT_FALSE(sim->address().isEmpty()) << "the simulator did not start";
        if (address_.tcp && address_.port.isEmpty()) address_.port = sim->address();
        return sim;
    }
    std::unique_ptr<EngineHarness> engine(double replyTimeoutS, double psuMax = 30) {
        return std::make_unique<EngineHarness>(1, lab(address_, replyTimeoutS, psuMax), false, HarnessOptions{data_, 1});
    }

    QTemporaryDir dir_;
    QString data_;
    Address address_;
};

/**
 * The instrument dies (SIGKILL) as the meter is asked for point 8: the run fails at once,
 * naming the meter, the point and the lost connection; the file holds points 0..7 and says
 * failed; the engine is up, and a new instrument at the same address serves the next run.
 */
TEST_P(ScpiFault, TheInstrumentDiesMidRunAndTheNextRunReconnectsToANewOne) {
    auto sim = simulator({QStringLiteral("--fault"), QStringLiteral("die"), QStringLiteral("--after"), QString::number(kFaultPoint)});
    ASSERT_FALSE(HasFailure());
    auto h = engine(2);
    const size_t before = h->finished.size();
    h->engine->enqueue(scan());
    QElapsedTimer sinceDeath;  // from "FAULT die", which it prints as it kills itself
    ASSERT_TRUE(waitUntil([&] {
        if (!sinceDeath.isValid() && (sim->struck() || !sim->poll())) sinceDeath.start();
        return h->finished.size() > before;
    }, std::chrono::seconds(60)));
    ASSERT_TRUE(sinceDeath.isValid()) << "the simulator did not die";
    EXPECT_TRUE(waitUntil([&] { return !sim->poll(); }, std::chrono::seconds(5))) << "the simulator did not die";
    report(address_.tcp ? "death to run failure (tcp)" : "death to run failure (pty)", sinceDeath.elapsed() / 1e3);
    EXPECT_LT(sinceDeath.elapsed(), 5000);
    const engine::RunProgress r = h->finished.back();
    expectNamed(r.reason, {QStringLiteral("device 'dmm'"), QStringLiteral("at point %1").arg(kFaultPoint)});
    expectNamed(r.reason, {address_.tcp ? QStringLiteral("connection closed by the instrument") : QStringLiteral("the serial line hung up")});
    expectFile(r, RunStatus::Failed, kFaultPoint);
    sim = simulator();
    ASSERT_FALSE(HasFailure());
    expectNextRunCompletes(*h);
}

/** The same, killed from outside at whatever the scan is doing once 8 points are measured. */
TEST_P(ScpiFault, TheInstrumentIsKilledFromOutsideMidRunAndTheNextRunReconnects) {
    auto sim = simulator();
    ASSERT_FALSE(HasFailure());
    auto h = engine(2);
    const size_t before = h->finished.size();
    h->engine->enqueue(scan(5, 0.05));
    ASSERT_TRUE(waitUntil([&] { return h->progress.done >= kFaultPoint || h->finished.size() > before; }));
    sim->kill();
    QElapsedTimer sinceDeath;
    sinceDeath.start();
    ASSERT_TRUE(waitUntil([&] { return h->finished.size() > before; }, std::chrono::seconds(60)));
    report(address_.tcp ? "outside SIGKILL to run failure (tcp)" : "outside SIGKILL to run failure (pty)", sinceDeath.elapsed() / 1e3);
    EXPECT_LT(sinceDeath.elapsed(), 5000);
    const engine::RunProgress r = h->finished.back();
    const QRegularExpression at(QStringLiteral(R"(^device '(psu|dmm)' failed during (move|read) at point (\d+): )"));
    const auto m = at.match(r.reason);
    ASSERT_TRUE(m.hasMatch()) << r.reason.toStdString();
    const qint64 point = m.captured(3).toLongLong();
    EXPECT_GE(point, kFaultPoint) << r.reason.toStdString();
    expectFile(r, RunStatus::Failed, point);
    sim = simulator();
    ASSERT_FALSE(HasFailure());
    expectNextRunCompletes(*h);
}

/**
 * Between two runs the instrument is power-cycled (killed, a new one at the same address):
 * nothing was in flight, so the next run reconnects without an error and completes.
 */
TEST_P(ScpiFault, AnInstrumentRestartedBetweenRunsIsReconnectedTo) {
    auto sim = simulator();
    ASSERT_FALSE(HasFailure());
    auto h = engine(2);
    expectFile(h->run(scan()), RunStatus::Completed, kPoints);
    sim->kill();
    sim = simulator();
    ASSERT_FALSE(HasFailure());
    expectNextRunCompletes(*h);
}

/**
 * The instrument stops answering the meter at point 8 and answers, late, after 1.5 s: the run
 * fails at the 1 s reply timeout naming the meter and the point, and the late reply is not
 * taken as the answer to a later question: the next run, on the same instrument, reads right.
 */
TEST_P(ScpiFault, AnInstrumentThatHangsFailsTheRunAtTheReplyTimeoutAndALateReplyIsNeverTakenForAnother) {
    auto sim = simulator({QStringLiteral("--fault"), QStringLiteral("hang"), QStringLiteral("--after"), QString::number(kFaultPoint),
                          QStringLiteral("--for"), QStringLiteral("1.5")});
    ASSERT_FALSE(HasFailure());
    auto h = engine(1);
    const size_t before = h->finished.size();
    h->engine->enqueue(scan());
    QElapsedTimer sinceHang;
    ASSERT_TRUE(waitUntil([&] {
        if (!sinceHang.isValid() && sim->struck()) sinceHang.start();
        return h->finished.size() > before;
    }, std::chrono::seconds(60)));
    ASSERT_TRUE(sinceHang.isValid()) << "the simulator never hung";
    report(address_.tcp ? "hang to run failure, 1 s reply timeout (tcp)" : "hang to run failure, 1 s reply timeout (pty)", sinceHang.elapsed() / 1e3);
    EXPECT_GE(sinceHang.elapsed(), 900);
    EXPECT_LT(sinceHang.elapsed(), 5000);
    const engine::RunProgress r = h->finished.back();
    expectNamed(r.reason, {QStringLiteral("device 'dmm' failed during read at point %1").arg(kFaultPoint),
                           QStringLiteral("no reply to 'MEAS:VOLT?' within 1 s")});
    expectFile(r, RunStatus::Failed, kFaultPoint);
    // The late reply has gone out before the next run asks anything.
    ASSERT_TRUE(waitUntil([&] { return sim->late(); }, std::chrono::seconds(10)));
    expectNextRunCompletes(*h);
}

/**
 * Abort while the instrument hangs (a 5 s reply timeout) ends the run at once; Stop waits for
 * the point in progress, which the reply timeout (1 s) ends: the run fails, naming the hang.
 * Either way the file holds points 0..7 and the next run completes (over TCP on the same
 * instrument, which still hangs on the connection it left).
 */
TEST_P(ScpiFault, AbortDuringAHangEndsTheRunAtOnceAndStopWithinTheReplyTimeout) {
    for (const bool abort : {true, false}) {
        SCOPED_TRACE(abort ? "abort" : "stop");
        auto sim = simulator({QStringLiteral("--fault"), QStringLiteral("hang"), QStringLiteral("--after"), QString::number(kFaultPoint)});
        ASSERT_FALSE(HasFailure());
        auto h = engine(abort ? 5 : 1);
        const size_t before = h->finished.size();
        h->engine->enqueue(scan());
        ASSERT_TRUE(waitUntil([&] { return sim->struck() || h->finished.size() > before; }, std::chrono::seconds(60)));
        ASSERT_EQ(h->finished.size(), before) << h->finished.back().reason.toStdString();
        QElapsedTimer sinceRequest;
        sinceRequest.start();
        if (abort) h->engine->abort();
        else h->engine->stop();
        ASSERT_TRUE(waitUntil([&] { return h->finished.size() > before; }, std::chrono::seconds(60)));
        const double s = sinceRequest.elapsed() / 1e3;
        const engine::RunProgress r = h->finished.back();
        if (abort) {
            report(address_.tcp ? "abort during a hang to run end (tcp)" : "abort during a hang to run end (pty)", s);
            EXPECT_LT(s, 1.0);
            expectFile(r, RunStatus::Aborted, kFaultPoint);
        } else {
            report(address_.tcp ? "stop during a hang to run end, 1 s reply timeout (tcp)" : "stop during a hang to run end, 1 s reply timeout (pty)", s);
            EXPECT_LT(s, 4.0);
            expectNamed(r.reason, {QStringLiteral("device 'dmm' failed during read at point %1").arg(kFaultPoint),
                                   QStringLiteral("no reply to 'MEAS:VOLT?' within 1 s")});
            expectFile(r, RunStatus::Failed, kFaultPoint);
        }
        // Over TCP the hung connection stays hung and the next run reconnects to the same
        // instrument; a serial line has one connection: the instrument is restarted.
        if (!address_.tcp) {
            sim = simulator();
            ASSERT_FALSE(HasFailure());
        }
        expectNextRunCompletes(*h);
    }
}

/** Garbage for the meter's reading at point 8: a clear error naming the meter, the point and the query. */
TEST_P(ScpiFault, AnInstrumentThatAnswersGarbageFailsTheRunAndTheNextRunReadsRight) {
    auto sim = simulator({QStringLiteral("--fault"), QStringLiteral("garbage"), QStringLiteral("--after"), QString::number(kFaultPoint)});
    ASSERT_FALSE(HasFailure());
    auto h = engine(2);
    const engine::RunProgress r = h->run(scan());
    expectNamed(r.reason, {QStringLiteral("device 'dmm' failed during read at point %1").arg(kFaultPoint),
                           QStringLiteral("the reply to 'MEAS:VOLT?' is not text")});
    expectFile(r, RunStatus::Failed, kFaultPoint);
    expectNextRunCompletes(*h);
}

/**
 * The lab allows the supply ±50 V, the instrument only ±30 V: at 32 V (point 16) its error
 * queue holds "Data out of range"; the run fails naming the supply, the point, the command
 * and the instrument's error; the queue is emptied, so the next run is not blamed for it.
 */
TEST_P(ScpiFault, AnErrorInTheInstrumentsQueueFailsTheRunNamingTheCommand) {
    auto sim = simulator();
    ASSERT_FALSE(HasFailure());
    auto h = engine(2, 50);
    const engine::RunProgress r = h->run(scan(38));
    expectNamed(r.reason, {QStringLiteral("device 'psu' failed during move at point 16"),
                           QStringLiteral("the instrument reports after 'SOUR:VOLT 32': -222,\"Data out of range\"")});
    expectFile(r, RunStatus::Failed, 16);
    expectNextRunCompletes(*h);
}

INSTANTIATE_TEST_SUITE_P(Transports, ScpiFault, ::testing::Values("--tcp", "--pty"), [](const auto& info) { return std::string(info.param + 2); });

/** TCP only: the instrument closes the connection as the meter is asked for point 8 and goes on serving. */
TEST(ScpiFaultTcp, ADroppedConnectionFailsTheRunAndTheNextRunReconnects) {
    QTemporaryDir dir;
    ScpiSimulator sim(QStringLiteral("--tcp"), {QStringLiteral("--fault"), QStringLiteral("drop"), QStringLiteral("--after"), QString::number(kFaultPoint)});
    ASSERT_FALSE(sim.address().isEmpty());
    EngineHarness h(1, lab({true, sim.address(), {}}, 2), false, HarnessOptions{dir.path(), 1});
    const engine::RunProgress r = h.run(scan());
    expectNamed(r.reason, {QStringLiteral("device 'dmm' failed during read at point %1").arg(kFaultPoint),
                           QStringLiteral("dmm: connection closed by the instrument, waiting for the reply to 'MEAS:VOLT?' (127.0.0.1:%1)").arg(sim.address())});
    expectFile(r, RunStatus::Failed, kFaultPoint);
    expectNextRunCompletes(h);
}

/**
 * Errors an earlier session left in the instrument's queue belong to no command of this one:
 * connecting empties the queue and logs them as a warning naming the device; the devices open
 * and the run completes.
 */
TEST(ScpiFaultTcp, ErrorsLeftInTheQueueBeforeConnectingAreLoggedNotBlamedOnACommand) {
    QTemporaryDir dir;
    ScpiSimulator sim(QStringLiteral("--tcp"), {QStringLiteral("--queued-errors"), QStringLiteral("2")});
    ASSERT_FALSE(sim.address().isEmpty());
    EngineHarness h(1, lab({true, sim.address(), {}}, 2), false, HarnessOptions{dir.path(), 1});
    for (const auto& d : h.engine->devices()) EXPECT_TRUE(d.name == QLatin1String("psu") || d.name == QLatin1String("dmm")) << d.name.toStdString();
    EXPECT_EQ(h.engine->devices().size(), 2u) << "a device with old errors in its instrument's queue was not opened";
    EXPECT_TRUE(waitUntil([&] {
        for (const auto& e : h.log)
            if (e.text.contains(QLatin1String("error queue held")) && e.text.contains(QLatin1String("-113,\"Undefined header\""))) return true;
        return false;
    }, std::chrono::seconds(10))) << "no warning names the errors found in the queue";
    const engine::RunProgress r = h.run(scan());
    expectFile(r, RunStatus::Completed, kPoints);
}

}  // namespace
