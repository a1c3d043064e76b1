// The device role driven message by message over a real socket, as the reader thread would.
#include "worker/Connection.h"
#include "worker/DeviceExecutor.h"

#include "core/model/LabConfig.h"
#include "core/protocol/Messages.h"
#include "core/protocol/ResultFrame.h"

#include <QTemporaryDir>
#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace acquila;
using protocol::Message;
using protocol::MessageType;

namespace {

const QString kPlan = QStringLiteral(R"({"version": 1, "name": "lin", "scan": {"type": "linear"},
    "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 100}], "detectors": ["diode"]})");

/** The manager's end: a listening socket the executor's Connection connects to. */
class DeviceExecutorTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.isValid());
        const QByteArray path = QFile::encodeName(dir_.filePath(QStringLiteral("s.sock")));
        listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.constData(), static_cast<size_t>(path.size()));
        ASSERT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        ASSERT_EQ(::listen(listener_, 1), 0);
        QString error;
        ASSERT_TRUE(conn_.connectTo(QString::fromLocal8Bit(path), &error)) << error.toStdString();
        peer_ = ::accept(listener_, nullptr, nullptr);
        ASSERT_GE(peer_, 0);
        decoder_.setLazyResults(true);  // results keep their body, as in the manager
        auto lab = model::loadLabConfig(QString());
        ASSERT_TRUE(lab.ok()) << lab.error().toStdString();
        exec_ = std::make_unique<worker::DeviceExecutor>(conn_, nullptr);
        exec_->handle(protocol::toMessage(protocol::Configure{*lab, true, 0.5, QString(), {}}, 1));
    }
    void TearDown() override {
        exec_.reset();
        if (peer_ >= 0) ::close(peer_);
        if (listener_ >= 0) ::close(listener_);
    }

    /** Every message the executor has sent so far (it sends before handle() returns). */
    std::vector<Message> received() {
        std::vector<Message> out;
        for (;;) {
            pollfd p{peer_, POLLIN, 0};
            if (::poll(&p, 1, 0) <= 0) break;
            char* into = decoder_.prepare(1 << 16);
            const ssize_t n = ::recv(peer_, into, 1 << 16, 0);
            decoder_.commit(n > 0 ? n : 0);
            if (n <= 0) break;
        }
        EXPECT_FALSE(decoder_.failed()) << decoder_.error().toStdString();
        while (decoder_.hasMessage()) out.push_back(decoder_.take());
        return out;
    }

    void open(quint64 run) {
        exec_->handle(protocol::toMessage(protocol::OpenRun{run, kPlan, {0.0}}, 10 + run));
        bool replied = false;
        for (const Message& m : received()) {
            if (m.type != MessageType::Open) continue;
            auto reply = protocol::OpenReply::decode(m);
            ASSERT_TRUE(reply.ok());
            EXPECT_TRUE(reply->error.isEmpty()) << reply->error.toStdString();
            replied = true;
        }
        ASSERT_TRUE(replied);
    }

    /** Queues the job as the reader thread does, runs it and returns how many points it produced. */
    qint64 job(quint64 run, quint64 id, qint64 first, qint64 count) {
        exec_->onJobQueued(id);
        exec_->handle(protocol::toMessage(protocol::JobRequest{run, id, first, count}, id));
        qint64 points = 0;
        bool final = false;
        for (const Message& m : received()) {
            if (m.type == MessageType::Error) ADD_FAILURE() << "job failed: " << protocol::ErrorReport::decode(m)->message.toStdString();
            if (m.type != MessageType::Result) continue;
            protocol::ResultMeta meta;
            auto batch = protocol::parseResultBody(m.body, &meta);
            EXPECT_TRUE(batch.ok());
            if (!batch.ok() || batch->runId != run || meta.job != id) continue;
            points += batch->count;
            final = final || meta.final;
        }
        EXPECT_TRUE(final) << "job " << id << " of run " << run << " sent no final result";
        return points;
    }

    QTemporaryDir dir_;
    int listener_ = -1;
    int peer_ = -1;
    worker::Connection conn_;
    protocol::FrameDecoder decoder_;
    std::unique_ptr<worker::DeviceExecutor> exec_;
};

}  // namespace

TEST_F(DeviceExecutorTest, AStopInOneRunDoesNotCancelTheNextRunsJobs) {
    open(1);
    EXPECT_EQ(job(1, 1, 0, 10), 10);
    exec_->onJobQueued(2);
    exec_->onJobQueued(3);
    exec_->onCancel(model::CancelLevel::Stop);  // the user stops run 1 with jobs 2 and 3 queued
    EXPECT_EQ(job(1, 2, 10, 10), 0);
    EXPECT_EQ(job(1, 3, 20, 10), 0);
    exec_->handle(protocol::toMessage(protocol::CloseRun{1}, 20));
    received();

    // Job ids start again at 1: the stop above covered ids up to 3 of run 1, not of run 2.
    open(2);
    EXPECT_EQ(job(2, 1, 0, 10), 10);
    EXPECT_EQ(job(2, 2, 10, 10), 10);
    EXPECT_EQ(job(2, 3, 20, 10), 10);
}

namespace {
/** The reply of type `type` among `messages` (set or move), decoded; fails the test when there is none. */
template <typename Reply>
std::optional<Reply> replyIn(const std::vector<Message>& messages, quint64 id) {
    for (const Message& m : messages) {
        if (m.type != Reply::kType || m.id != id) continue;
        auto r = Reply::decode(m);
        EXPECT_TRUE(r.ok()) << r.error().toStdString();
        if (r.ok()) return *r;
    }
    ADD_FAILURE() << "no reply to request " << id;
    return std::nullopt;
}

bool hasDescribe(const std::vector<Message>& messages) {
    return std::any_of(messages.begin(), messages.end(), [](const Message& m) { return m.type == MessageType::Describe; });
}
}  // namespace

TEST_F(DeviceExecutorTest, SetNowAppliesAPropertyAndAnswersWithTheValueReadBack) {
    received();
    exec_->handle(protocol::toMessage(protocol::SetProperty{QStringLiteral("camera"), QStringLiteral("spot_sigma"), 8.5}, 21));
    auto messages = received();
    auto reply = replyIn<protocol::SetReply>(messages, 21);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->error, QString());
    EXPECT_EQ(reply->value.toDouble(), 8.5);
    EXPECT_TRUE(hasDescribe(messages)) << "the new value is described";
    // The driver's own checks answer a bad value, naming the device and the property.
    exec_->handle(protocol::toMessage(protocol::SetProperty{QStringLiteral("camera"), QStringLiteral("width"), 10}, 22));
    reply = replyIn<protocol::SetReply>(received(), 22);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->error, QStringLiteral("camera: property 'width' is read-only"));
    exec_->handle(protocol::toMessage(protocol::SetProperty{QStringLiteral("nodev"), QStringLiteral("x"), 1}, 23));
    reply = replyIn<protocol::SetReply>(received(), 23);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->error, QStringLiteral("device 'nodev' is not open in this worker"));
}

TEST_F(DeviceExecutorTest, AMoveAnswersWithThePositionOrTheError) {
    received();
    exec_->handle(protocol::toMessage(protocol::MoveAxis{QStringLiteral("motor"), 12.5}, 31));
    auto messages = received();
    auto reply = replyIn<protocol::MoveReply>(messages, 31);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->error, QString());
    EXPECT_EQ(reply->value.toDouble(), 12.5);
    EXPECT_TRUE(hasDescribe(messages));
    exec_->handle(protocol::toMessage(protocol::MoveAxis{QStringLiteral("nowhere"), 1}, 32));
    reply = replyIn<protocol::MoveReply>(received(), 32);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->error, QStringLiteral("axis 'nowhere' is not available in this worker"));
}

TEST_F(DeviceExecutorTest, SetNowIsRefusedWhileARunIsOpenHere) {
    open(1);
    received();
    exec_->handle(protocol::toMessage(protocol::SetProperty{QStringLiteral("camera"), QStringLiteral("spot_sigma"), 8.5}, 41));
    auto reply = replyIn<protocol::SetReply>(received(), 41);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->error, QStringLiteral("cannot set camera.spot_sigma: run 1 is open in this worker"));
}

TEST_F(DeviceExecutorTest, WorkerZeroPollsTheMonitorsOnlyWhileNoRunIsOpen) {
    received();
    // Configured as worker 0 with the default lab (monitor_interval_s 1): the first poll is due at once.
    ASSERT_EQ(exec_->idleIntervalMs(), 0);
    exec_->onIdle();
    std::optional<protocol::Monitor> monitor;
    for (const Message& m : received())
        if (m.type == MessageType::Monitor) monitor = *protocol::Monitor::decode(m);
    ASSERT_TRUE(monitor) << "no monitor message";
    EXPECT_TRUE(monitor->positions.contains(QStringLiteral("motor")));
    EXPECT_TRUE(monitor->positions.contains(QStringLiteral("stage.y")));
    EXPECT_NEAR(monitor->properties.value(QStringLiteral("camera")).value(QStringLiteral("sensor_temp")).toDouble(), -20.0, 0.06);
    EXPECT_FALSE(monitor->properties.contains(QStringLiteral("diode"))) << "nothing of the diode is monitored";
    // The next poll waits its interval; none while a run is open.
    const int next = exec_->idleIntervalMs();
    EXPECT_GT(next, 500);
    EXPECT_LE(next, 1000);
    open(1);
    EXPECT_EQ(exec_->idleIntervalMs(), -1);
}
