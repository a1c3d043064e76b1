// The worker's socket end: a send to a peer that stops reading ends within its deadline,
// the heartbeat never waits behind it, and the reader thread then sees the connection lost.
#include "worker/Connection.h"

#include "core/protocol/Messages.h"
#include "support/TestSupport.h"

#include <QTemporaryDir>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace acquila;
using namespace std::chrono;

namespace {

/** A listening AF_UNIX socket that accepts one peer and never reads from it. */
class SilentPeer {
public:
    explicit SilentPeer(const QString& path) {
        const QByteArray p = path.toLocal8Bit();
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, p.constData(), static_cast<size_t>(p.size()));
        listen_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ok_ = listen_ >= 0 && ::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(listen_, 1) == 0;
    }
    ~SilentPeer() {
        if (peer_ >= 0) ::close(peer_);
        if (listen_ >= 0) ::close(listen_);
    }
    bool ok() const { return ok_; }
    void accept() { peer_ = ::accept(listen_, nullptr, nullptr); }
    /** Bytes waiting to be read by the peer. */
    int pending() const {
        int n = 0;
        return peer_ >= 0 && ::ioctl(peer_, FIONREAD, &n) == 0 ? n : 0;
    }
    /** Unblocks a send stuck without a deadline, so a failing test still ends. */
    void hangUp() {
        if (peer_ >= 0) ::shutdown(peer_, SHUT_RDWR);
    }

private:
    int listen_ = -1;
    int peer_ = -1;
    bool ok_ = false;
};

QByteArray bigFrame() {
    // Far more than the socket buffers hold: the send can only finish if the peer reads.
    return QByteArray(64 << 20, 'x');
}

}  // namespace

TEST(Connection, SendToAPeerThatStopsReadingEndsAtItsDeadline) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    SilentPeer peer(dir.filePath(QStringLiteral("s.sock")));
    ASSERT_TRUE(peer.ok());
    worker::Connection conn;
    conn.setSendTimeout(milliseconds(500));
    QString error;
    ASSERT_TRUE(conn.connectTo(dir.filePath(QStringLiteral("s.sock")), &error)) << error.toStdString();
    peer.accept();

    const auto t0 = steady_clock::now();
    auto sent = std::async(std::launch::async, [&] { return conn.sendFrame(bigFrame()); });
    const bool ended = sent.wait_for(seconds(10)) == std::future_status::ready;
    const double seconds = duration<double>(steady_clock::now() - t0).count();
    if (!ended) peer.hangUp();
    ASSERT_TRUE(ended) << "a send to a peer that does not read did not end within 10 s";
    EXPECT_FALSE(sent.get());
    EXPECT_LT(seconds, 5.0) << "the send deadline is 0.5 s";
    EXPECT_TRUE(conn.closed());

    // The reader thread's next receive reports the connection lost, so the worker exits.
    protocol::FrameDecoder decoder;
    EXPECT_FALSE(conn.receive(decoder, 100));
    EXPECT_FALSE(conn.send(protocol::toMessage(protocol::Heartbeat{})));
}

TEST(Connection, HeartbeatDoesNotWaitBehindAStuckSend) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    SilentPeer peer(dir.filePath(QStringLiteral("s.sock")));
    ASSERT_TRUE(peer.ok());
    worker::Connection conn;
    conn.setSendTimeout(seconds(5));
    QString error;
    ASSERT_TRUE(conn.connectTo(dir.filePath(QStringLiteral("s.sock")), &error)) << error.toStdString();
    peer.accept();

    auto stuck = std::async(std::launch::async, [&] { return conn.sendFrame(bigFrame()); });
    // Once bytes reach the peer, the big send holds the socket until its deadline.
    ASSERT_TRUE(test::waitUntil([&] { return peer.pending() > 0; }, seconds(10)));

    const auto t0 = steady_clock::now();
    auto beat = std::async(std::launch::async, [&] { return conn.trySend(protocol::toMessage(protocol::Heartbeat{})); });
    const bool ended = beat.wait_for(seconds(10)) == std::future_status::ready;
    const double took = duration<double>(steady_clock::now() - t0).count();
    if (!ended) peer.hangUp();
    ASSERT_TRUE(ended);
    EXPECT_TRUE(beat.get()) << "a heartbeat skipped behind a send in progress is not a lost connection";
    EXPECT_LT(took, 2.0) << "the heartbeat waited for the stuck send";
    peer.hangUp();
    ASSERT_EQ(stuck.wait_for(seconds(10)), std::future_status::ready);
}
