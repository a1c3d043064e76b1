#pragma once
#include <QByteArray>
#include <QCborMap>
#include <QString>
#include <cstdint>
#include <deque>

namespace acquila::protocol {

/** Every message type of the worker protocol (docs/architecture.md, "Protocol"). */
enum class MessageType : uint8_t {
    Hello, Configure, Describe, Open, Job, Cancel, Result, Error, Log, Progress,
    Heartbeat, Shutdown, Close, Move, Store, StoreStatus, Set, Monitor
};

/** Wire name of a message type ("hello", "job", ...). */
const char* messageTypeName(MessageType t);
/** Parses a wire name; false for an unknown name. */
bool messageTypeFromName(QStringView name, MessageType* out);

/** One protocol message: type, request id, payload map. A value type. */
struct Message {
    MessageType type = MessageType::Heartbeat;
    quint64 id = 0;
    QCborMap payload;
    /**
     * The whole CBOR body, kept instead of `payload` for `result` messages when
     * the decoder is lazy: results are then parsed once, in place, by
     * ResultBatch::fromFrameBody (no tree, no copies of the channel data).
     */
    QByteArray body{};
};

/** Largest accepted frame body in bytes; bigger length prefixes are a protocol error. */
inline constexpr quint32 kMaxFrameBytes = 256u * 1024u * 1024u;
inline constexpr int kProtocolVersion = 1;

/** Encodes a message as one frame: 4-byte little-endian length, then CBOR. */
QByteArray encodeFrame(const Message& m);

/**
 * Incremental, hostile-input-safe frame decoder. Feed bytes as they arrive and
 * pop whole messages. Any malformed input (oversized length, bad CBOR, wrong
 * field types, unknown type) puts the decoder in a sticky error state with a
 * message; it never throws or crashes. Not thread-safe: one owner thread.
 */
class FrameDecoder {
public:
    explicit FrameDecoder(quint32 maxFrameBytes = kMaxFrameBytes) : max_(maxFrameBytes) {}
    /** Appends bytes; decodes every complete frame. Returns false once in error. */
    bool feed(const char* data, qsizetype size);
    bool feed(const QByteArray& bytes) { return feed(bytes.constData(), bytes.size()); }
    /**
     * Zero-copy feeding: returns space for at least `size` more bytes; write
     * into it (e.g. recv) and call commit() with the count written.
     */
    char* prepare(qsizetype size);
    bool commit(qsizetype written);
    bool hasMessage() const { return !ready_.empty(); }
    /** Keep `result` bodies raw (Message::body) instead of building the payload tree. */
    void setLazyResults(bool lazy) { lazyResults_ = lazy; }
    /** Raises or lowers the frame size limit (e.g. after a handshake). */
    void setMaxFrameBytes(quint32 max) { max_ = max; }
    Message take();
    bool failed() const { return !error_.isEmpty(); }
    const QString& error() const { return error_; }
    /** Bytes of an incomplete frame still waiting for the rest. */
    qsizetype pendingBytes() const { return buffer_.size() - offset_; }

private:
    void decodeAvailable();
    quint32 max_;
    QByteArray buffer_;
    qsizetype offset_ = 0;  // start of the first undecoded byte in buffer_
    qsizetype prepared_ = 0;
    bool lazyResults_ = false;  // buffer_ size before prepare(): where the caller's bytes start
    std::deque<Message> ready_;
    QString error_;
};

/**
 * Decodes one frame body (the CBOR part); sets *error and returns false on bad
 * input. With `lazyResults`, a `result` message keeps its body and leaves the
 * payload empty (the header fields are still validated).
 */
bool decodeMessageBody(const QByteArray& body, Message* out, QString* error, bool lazyResults = false);
/** Frame bytes (length prefix + body) for a message decoded lazily. */
QByteArray frameOfBody(const QByteArray& body);

}  // namespace acquila::protocol
