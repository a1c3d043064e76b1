#pragma once
#include "core/protocol/Frame.h"
#include "core/util/DeadlineMutex.h"

#include <QString>
#include <atomic>
#include <chrono>
#include <mutex>

namespace acquila::worker {

/**
 * The worker's end of the manager socket: an AF_UNIX stream. Sending is
 * thread-safe (the reader thread sends heartbeats and logs, the executor sends
 * results); a slow peer is the backpressure that slows a worker down when the
 * manager cannot keep up. Every send has a deadline (`sendTimeout`, 15 s by
 * default), waiting for the socket and for another thread's send alike: a peer
 * that stops reading for longer closes the connection, and the reader thread
 * then sees it lost. Receiving happens on the reader thread only.
 */
class Connection {
public:
    static constexpr std::chrono::milliseconds kDefaultSendTimeout{15000};

    ~Connection();
    /** Connects to `path`; false with `*error` set on failure. */
    bool connectTo(const QString& path, QString* error);
    /** Sends one message; false once the connection is gone or the send missed its deadline. */
    bool send(const protocol::Message& m);
    /**
     * Sends `m` only when no other send is in progress (heartbeats: a frame on its way
     * already tells the peer the worker is alive). True when sent or skipped.
     */
    bool trySend(const protocol::Message& m);
    /** Sends an already encoded frame (length prefix included). */
    bool sendFrame(const QByteArray& frame);
    /** Waits up to `timeoutMs` for data and feeds it to `decoder`; false on EOF, error or a closed connection. */
    bool receive(protocol::FrameDecoder& decoder, int timeoutMs);
    bool closed() const { return closed_.load(); }
    void setSendTimeout(std::chrono::milliseconds timeout) { sendTimeout_ = timeout; }

private:
    bool writeAll(const char* data, qsizetype left, std::chrono::steady_clock::time_point deadline);
    /** Marks the connection lost and shuts the socket down, waking the reader thread. */
    bool lose();

    int fd_ = -1;
    util::DeadlineMutex sendMutex_;  // serializes whole frames on the socket; held at most one send deadline
    std::atomic<bool> closed_{false};  // set by either thread when a read or write fails
    std::chrono::milliseconds sendTimeout_ = kDefaultSendTimeout;  // set before the threads start
};

}  // namespace acquila::worker
