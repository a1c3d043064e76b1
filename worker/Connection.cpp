#include "worker/Connection.h"

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

bool Connection::sendFrame(const QByteArray& frame) {
    std::lock_guard lock(sendMutex_);
    const char* data = frame.constData();
    qsizetype left = frame.size();
    while (left > 0 && !closed_) {
        const ssize_t n = ::send(fd_, data, static_cast<size_t>(left), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            closed_ = true;
            return false;
        }
        data += n;
        left -= n;
    }
    return !closed_;
}

bool Connection::receive(protocol::FrameDecoder& decoder, int timeoutMs) {
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
