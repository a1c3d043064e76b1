#pragma once
#include "core/protocol/Frame.h"

#include <QString>
#include <mutex>

namespace acquila::worker {

/**
 * The worker's end of the manager socket: a blocking AF_UNIX stream. Sending
 * is thread-safe (the reader thread sends heartbeats and logs, the executor
 * sends results); a blocked send is the backpressure that slows a worker down
 * when the manager cannot keep up. Receiving happens on the reader thread only.
 */
class Connection {
public:
    ~Connection();
    /** Connects to `path`; false with `*error` set on failure. */
    bool connectTo(const QString& path, QString* error);
    /** Sends one message; false once the connection is gone. */
    bool send(const protocol::Message& m);
    /** Sends an already encoded frame (length prefix included). */
    bool sendFrame(const QByteArray& frame);
    /** Waits up to `timeoutMs` for data and feeds it to `decoder`; false on EOF or error. */
    bool receive(protocol::FrameDecoder& decoder, int timeoutMs);
    bool closed() const { return closed_; }

private:
    int fd_ = -1;
    std::mutex sendMutex_;  // serializes whole frames on the socket
    bool closed_ = false;   // written by either thread after a failed read/write; a late read is harmless
};

}  // namespace acquila::worker
