// ScpiLink against a real instrument simulator (tests/tools/scpi_sim.py): over a loopback
// TCP socket and over a pseudo-terminal, with the faults real instruments have: a refused
// connection, an unknown host, one that stops answering (or answers late), drops the
// connection, dies, is restarted, or answers garbage. Aborts end every wait quickly.
#include "devices/scpi/ScpiLink.h"
#include "support/ScpiSimulator.h"

#include <QProcess>
#include <QTcpSocket>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using namespace acquila;
using namespace acquila::devices;
using acquila::test::kSystemPython;
using Clock = std::chrono::steady_clock;

namespace {

using Simulator = acquila::test::ScpiSimulator;

ScpiLinkConfig tcp(const QString& port) {
    ScpiLinkConfig c;
    c.host = QStringLiteral("127.0.0.1");
    c.port = port.toInt();
    c.replyTimeoutS = 1;
    return c;
}

QString errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const DeviceError& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

class ScpiLinkTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { acquila::test::ensureCoreApplication(); }
    CancelToken token_;
};

TEST_F(ScpiLinkTest, AsksAndSetsOverTcp) {
    Simulator sim(QStringLiteral("--tcp"));
    ASSERT_FALSE(sim.address().isEmpty());
    ScpiLink link(QStringLiteral("psu"), tcp(sim.address()));
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    QString reply;
    ASSERT_EQ(link.query(QStringLiteral("*IDN?"), &reply, token_), Checkpoint::Continue);
    EXPECT_EQ(reply, QStringLiteral("Acquila,SimInstrument,0001,1.0"));
    ASSERT_EQ(link.write(QStringLiteral("SOUR:VOLT 2.5"), token_), Checkpoint::Continue);
    ASSERT_EQ(link.query(QStringLiteral("SOUR:VOLT?"), &reply, token_), Checkpoint::Continue);
    EXPECT_DOUBLE_EQ(reply.toDouble(), 2.5);
    ASSERT_EQ(link.query(QStringLiteral("SYST:ERR?"), &reply, token_), Checkpoint::Continue);
    EXPECT_EQ(reply, QStringLiteral("0,\"No error\""));
    // The instrument's error queue says what it refused.
    ASSERT_EQ(link.write(QStringLiteral("SOUR:VOLT 99"), token_), Checkpoint::Continue);
    ASSERT_EQ(link.query(QStringLiteral("SYST:ERR?"), &reply, token_), Checkpoint::Continue);
    EXPECT_EQ(reply, QStringLiteral("-222,\"Data out of range\""));
}

TEST_F(ScpiLinkTest, AsksOverAPseudoTerminal) {
    Simulator sim(QStringLiteral("--pty"));
    ASSERT_TRUE(sim.address().startsWith(QLatin1String("/dev/pts/"))) << sim.address().toStdString();
    ScpiLinkConfig c;
    c.transport = QStringLiteral("serial");
    c.device = sim.address();
    c.baud = 115200;
    ScpiLink link(QStringLiteral("dmm"), c);
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    QString reply;
    ASSERT_EQ(link.query(QStringLiteral("*IDN?"), &reply, token_), Checkpoint::Continue);
    EXPECT_EQ(reply, QStringLiteral("Acquila,SimInstrument,0001,1.0"));
    ASSERT_EQ(link.write(QStringLiteral("SOUR:VOLT 1"), token_), Checkpoint::Continue);
    ASSERT_EQ(link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_), Checkpoint::Continue);
    EXPECT_NEAR(reply.toDouble(), 1.0, 0.01);
}

TEST_F(ScpiLinkTest, ARefusedConnectionNamesTheDeviceAndTheAddress) {
    // A port nobody listens on: bind one, note it, close it.
    int port = 0;
    {
        Simulator sim(QStringLiteral("--tcp"));
        port = sim.address().toInt();
    }
    ScpiLink link(QStringLiteral("psu"), tcp(QString::number(port)));
    const QString error = errorOf([&] { link.open(token_); });
    EXPECT_TRUE(error.startsWith(QLatin1String("psu: cannot connect"))) << error.toStdString();
    EXPECT_TRUE(error.contains(QStringLiteral("127.0.0.1:%1").arg(port))) << error.toStdString();
}

TEST_F(ScpiLinkTest, AnUnknownHostIsAClearError) {
    ScpiLinkConfig c = tcp(QStringLiteral("5025"));
    c.host = QStringLiteral("no-such-instrument.invalid");
    ScpiLink link(QStringLiteral("psu"), c);
    const QString error = errorOf([&] { link.open(token_); });
    EXPECT_TRUE(error.startsWith(QLatin1String("psu: cannot connect"))) << error.toStdString();
    EXPECT_TRUE(error.contains(QLatin1String("no-such-instrument.invalid:5025"))) << error.toStdString();
}

TEST_F(ScpiLinkTest, AnInstrumentThatStopsAnsweringIsAnErrorAtTheReplyTimeout) {
    Simulator sim(QStringLiteral("--tcp"));
    ScpiLink link(QStringLiteral("dmm"), tcp(sim.address()));
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    ASSERT_EQ(link.write(QStringLiteral("SIM:HANG"), token_), Checkpoint::Continue);
    QString reply;
    const auto t0 = Clock::now();
    const QString error = errorOf([&] { link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_); });
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    EXPECT_EQ(error, QStringLiteral("dmm: no reply to 'MEAS:VOLT?' within 1 s (127.0.0.1:%1)").arg(sim.address()));
    EXPECT_GE(s, 0.9);
    EXPECT_LT(s, 5.0);
}

TEST_F(ScpiLinkTest, AnAbortEndsAWaitForAReplyQuickly) {
    Simulator sim(QStringLiteral("--tcp"));
    ScpiLinkConfig c = tcp(sim.address());
    c.replyTimeoutS = 60;
    ScpiLink link(QStringLiteral("dmm"), c);
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    ASSERT_EQ(link.write(QStringLiteral("SIM:HANG"), token_), Checkpoint::Continue);
    Clock::time_point requested;
    std::thread aborter([&] {
        // The scenario: an abort 200 ms into the wait (any earlier ends it as quickly).
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        requested = Clock::now();
        token_.request(model::CancelLevel::Abort);
    });
    QString reply;
    const Checkpoint c2 = link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_);
    const auto ended = Clock::now();
    aborter.join();
    EXPECT_EQ(c2, Checkpoint::Abort);
    const double latencyMs = std::chrono::duration<double, std::milli>(ended - requested).count();
    EXPECT_LT(latencyMs, 100.0);
    EXPECT_FALSE(link.isOpen()) << "an interrupted exchange must not leave its reply for the next one";
}

TEST_F(ScpiLinkTest, ADroppedConnectionIsAnErrorAndTheLinkReconnects) {
    Simulator sim(QStringLiteral("--tcp"));
    ScpiLink link(QStringLiteral("stage"), tcp(sim.address()));
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    QString reply;
    const QString error = errorOf([&] { link.query(QStringLiteral("SIM:DROP"), &reply, token_); });
    EXPECT_EQ(error, QStringLiteral("stage: connection closed by the instrument, waiting for the reply to 'SIM:DROP' (127.0.0.1:%1)")
                         .arg(sim.address()));
    EXPECT_FALSE(link.isOpen());
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    ASSERT_EQ(link.query(QStringLiteral("*IDN?"), &reply, token_), Checkpoint::Continue);
    EXPECT_TRUE(reply.startsWith(QLatin1String("Acquila,")));
}

TEST_F(ScpiLinkTest, GarbageIsAnError) {
    Simulator sim(QStringLiteral("--tcp"));
    ScpiLinkConfig c = tcp(sim.address());
    c.maxReplyBytes = 4;  // the garbage has no line end: past 4 bytes it cannot be a reply
    ScpiLink link(QStringLiteral("dmm"), c);
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    ASSERT_EQ(link.write(QStringLiteral("SIM:GARBAGE"), token_), Checkpoint::Continue);
    QString reply;
    const QString error = errorOf([&] { link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_); });
    EXPECT_TRUE(error.startsWith(QLatin1String("dmm: the reply to 'MEAS:VOLT?' has no line end in its first 4 bytes")))
        << error.toStdString();
}

TEST_F(ScpiLinkTest, AnIncompleteReplyAtTheTimeoutSaysSo) {
    Simulator sim(QStringLiteral("--tcp"));
    ScpiLink link(QStringLiteral("dmm"), tcp(sim.address()));
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    ASSERT_EQ(link.write(QStringLiteral("SIM:GARBAGE"), token_), Checkpoint::Continue);
    QString reply;
    const QString error = errorOf([&] { link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_); });
    EXPECT_EQ(error, QStringLiteral("dmm: no complete reply to 'MEAS:VOLT?' within 1 s (10 bytes without a line end) (127.0.0.1:%1)").arg(sim.address()));
    EXPECT_FALSE(link.isOpen());
}

/**
 * The instrument answers 1.5 s late, after the 1 s timeout: that reply is never taken as the
 * answer to a later question. Over TCP the link reconnects and the late reply goes to the
 * closed connection; a serial line has only the one, so after reopening it resync() asks
 * *IDN? and discards the lines before its answer.
 */
TEST_F(ScpiLinkTest, ALateReplyIsNeverTakenAsTheAnswerToALaterQuestion) {
    for (const char* mode : {"--tcp", "--pty"}) {
        SCOPED_TRACE(mode);
        const bool pty = QLatin1String(mode) == QLatin1String("--pty");
        Simulator sim(QString::fromLatin1(mode), {QStringLiteral("--fault"), QStringLiteral("hang"), QStringLiteral("--after"), QStringLiteral("1"),
                                                  QStringLiteral("--for"), QStringLiteral("1.5")});
        ScpiLinkConfig c = tcp(sim.address());
        if (pty) {
            c.transport = QStringLiteral("serial");
            c.device = sim.address();
        }
        ScpiLink link(QStringLiteral("dmm"), c);
        ASSERT_EQ(link.open(token_), Checkpoint::Continue);
        QString reply;
        ASSERT_EQ(link.write(QStringLiteral("SOUR:VOLT 1"), token_), Checkpoint::Continue);
        ASSERT_EQ(link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_), Checkpoint::Continue);
        EXPECT_EQ(reply.toDouble(), 0.999 * 1 + 0.001);
        const QString error = errorOf([&] { link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_); });
        EXPECT_TRUE(error.startsWith(QLatin1String("dmm: no reply to 'MEAS:VOLT?' within 1 s"))) << error.toStdString();
        EXPECT_FALSE(link.isOpen());
        // At once, while the instrument still owes the late reply.
        EXPECT_FALSE(sim.late());
        bool reconnected = false;
        ASSERT_EQ(link.ensureOpen(token_, &reconnected), Checkpoint::Continue);
        EXPECT_TRUE(reconnected);
        if (pty) {
            ASSERT_EQ(link.resync(QStringLiteral("*IDN?"), QStringLiteral("Acquila,SimInstrument,0001,1.0"), token_), Checkpoint::Continue);
            EXPECT_TRUE(sim.late()) << "resync() returned before the late reply came";
        }
        ASSERT_EQ(link.write(QStringLiteral("SOUR:VOLT 2"), token_), Checkpoint::Continue);
        ASSERT_EQ(link.query(QStringLiteral("SOUR:VOLT?"), &reply, token_), Checkpoint::Continue);
        EXPECT_EQ(reply.toDouble(), 2.0);
        ASSERT_EQ(link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_), Checkpoint::Continue);
        EXPECT_EQ(reply.toDouble(), 0.999 * 2 + 0.001);
    }
}

TEST_F(ScpiLinkTest, AnInstrumentRestartedAtTheSameAddressIsReconnectedToWithoutAnError) {
    auto sim = std::make_unique<Simulator>(QStringLiteral("--tcp"));
    const QString port = sim->address();
    ScpiLink link(QStringLiteral("psu"), tcp(port));
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    QString reply;
    ASSERT_EQ(link.query(QStringLiteral("*IDN?"), &reply, token_), Checkpoint::Continue);
    // Between two exchanges the instrument is power-cycled: nothing was in flight, nothing is lost.
    sim->kill();
    sim = std::make_unique<Simulator>(QStringLiteral("--tcp"), QStringList{QStringLiteral("--port"), port});
    ASSERT_EQ(sim->address(), port);
    bool reconnected = false;
    ASSERT_EQ(link.ensureOpen(token_, &reconnected), Checkpoint::Continue);
    EXPECT_TRUE(reconnected) << "the closed connection went unnoticed";
    ASSERT_EQ(link.query(QStringLiteral("*IDN?"), &reply, token_), Checkpoint::Continue);
    EXPECT_TRUE(reply.startsWith(QLatin1String("Acquila,")));
    // A connection that is fine is kept.
    ASSERT_EQ(link.ensureOpen(token_, &reconnected), Checkpoint::Continue);
    EXPECT_FALSE(reconnected);
}

TEST_F(ScpiLinkTest, ASerialLineWhoseInstrumentDiesIsAnErrorAtOnce) {
    Simulator sim(QStringLiteral("--pty"), {QStringLiteral("--fault"), QStringLiteral("die"), QStringLiteral("--after"), QStringLiteral("0")});
    ScpiLinkConfig c;
    c.transport = QStringLiteral("serial");
    c.device = sim.address();
    c.replyTimeoutS = 5;
    ScpiLink link(QStringLiteral("dmm"), c);
    ASSERT_EQ(link.open(token_), Checkpoint::Continue);
    QString reply;
    const auto t0 = Clock::now();
    const QString error = errorOf([&] { link.query(QStringLiteral("MEAS:VOLT?"), &reply, token_); });
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    EXPECT_EQ(error, QStringLiteral("dmm: the serial line hung up (the instrument or its port went away), waiting for the reply to 'MEAS:VOLT?' (%1)")
                         .arg(sim.address()));
    EXPECT_LT(s, 1.0) << "a line that hung up is not a silent instrument";
    EXPECT_FALSE(link.isOpen());
}

}  // namespace
