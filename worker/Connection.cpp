#include "worker/Connection.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace acquila::worker {

Connection::~Connection() {
    if (fd_ >= 0) ::close(fd_);
}

bool Connection::connectTo(const QString& path, QString* error) {
    const QByteArray p = path.toLocal8Bit();
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (p.size() >= static_cast<qsizetype>(sizeof addr.sun_path)) {
        *error = QStringLiteral("socket path too long: %1").arg(path);
        return false;
    }
    std::memcpy(addr.sun_path, p.constData(), p.size());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        *error = QStringLiteral("cannot connect to %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    return true;
}

bool Connection::send(const protocol::Message& m) { return sendFrame(protocol::encodeFrame(m)); }

bool Connection::trySend(const protocol::Message& m) {
    std::unique_lock lock(sendMutex_, std::try_to_lock);
    if (!lock.owns_lock()) return !closed_;
    const QByteArray frame = protocol::encodeFrame(m);
    return !closed_ && writeAll(frame.constData(), frame.size(), std::chrono::steady_clock::now() + sendTimeout_);
}

bool Connection::sendFrame(const QByteArray& frame) {
    const auto deadline = std::chrono::steady_clock::now() + sendTimeout_;
    std::unique_lock lock(sendMutex_, deadline);
    if (!lock.owns_lock()) return false;  // another send is stuck: it will hit its own deadline first
    return !closed_ && writeAll(frame.constData(), frame.size(), deadline);
}

bool Connection::writeAll(const char* data, qsizetype left, std::chrono::steady_clock::time_point deadline) {
    using namespace std::chrono;
    while (left > 0) {
        if (closed_) return false;
        const ssize_t n = ::send(fd_, data, static_cast<size_t>(left), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            data += n;
            left -= n;
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return lose();
        const auto remaining = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
        if (remaining <= 0) return lose();  // the peer stopped reading: a partial frame cannot be resumed
        pollfd pfd{fd_, POLLOUT, 0};
        if (::poll(&pfd, 1, static_cast<int>(std::min<long long>(remaining, 100))) < 0 && errno != EINTR) return lose();
    }
    return true;
}

bool Connection::lose() {
    closed_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    return false;
}

bool Connection::receive(protocol::FrameDecoder& decoder, int timeoutMs) {
    if (closed_) return false;
    pollfd pfd{fd_, POLLIN, 0};
    const int r = ::poll(&pfd, 1, timeoutMs);
    if (r < 0) return errno == EINTR;
    if (r == 0) return true;
    // Receive straight into the decoder's buffer: large frames are copied once, not twice.
    constexpr qsizetype kChunk = 1 << 20;
    char* into = decoder.prepare(kChunk);
    const ssize_t n = ::recv(fd_, into, kChunk, 0);
    decoder.commit(n > 0 ? n : 0);
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
        closed_ = true;
        return false;
    }
    return true;
}

}  // namespace acquila::worker
