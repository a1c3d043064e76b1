#pragma once
// The storage benchmark's side of the worker protocol, without Qt's socket buffers.
#include "core/protocol/Frame.h"

#include <QByteArray>

#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <functional>
#include <poll.h>
#include <sys/socket.h>

namespace acquila::bench {

/**
 * Speaks the worker protocol over the accepted socket with poll/send/recv, so a
 * 4 MiB result is sent without another copy into a Qt write buffer.
 */
class WorkerLink {
public:
    explicit WorkerLink(int fd) : fd_(fd) { ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK); }

    /** Sends the whole frame, handing every message that arrives meanwhile to `onMessage`. */
    bool send(const QByteArray& frame) {
        qsizetype off = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (off < frame.size()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            const ssize_t n = ::send(fd_, frame.constData() + off, static_cast<size_t>(frame.size() - off), MSG_NOSIGNAL);
            if (n > 0) {
                off += n;
                continue;
            }
            if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
            if (!pump(POLLOUT, 10000)) return false;
        }
        return true;
    }
    /** Reads messages until `done()` or the timeout; false on timeout or a closed socket. */
    bool waitFor(const std::function<bool()>& done, int timeoutMs) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
        while (!done()) {
            const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
            if (left <= 0 || !pump(0, left)) return false;
        }
        return true;
    }
    std::function<void(const protocol::Message&)> onMessage;

private:
    /** One poll: decodes what arrived. False only when the socket is closed or broken. */
    bool pump(short extra, int timeoutMs) {
        pollfd p{fd_, static_cast<short>(POLLIN | extra), 0};
        const int r = ::poll(&p, 1, timeoutMs);
        if (r < 0) return errno == EINTR;
        if (r == 0) return true;
        if (p.revents & POLLIN) {
            char buf[1 << 16];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return false;
            if (n > 0 && !decoder_.feed(buf, n)) return false;
            while (decoder_.hasMessage()) onMessage(decoder_.take());
            return true;
        }
        return !(p.revents & (POLLERR | POLLHUP | POLLNVAL));
    }
    int fd_;
    protocol::FrameDecoder decoder_;
};

}  // namespace acquila::bench
