#include "core/protocol/Frame.h"

#include "core/protocol/ResultFrame.h"

#include <QBuffer>
#include <QCborStreamWriter>
#include <QCborStreamReader>
#include <QCborValue>
#include <QtEndian>
#include <array>

namespace acquila::protocol {

namespace {
constexpr std::array<const char*, 18> kNames = {
    "hello", "configure", "describe", "open", "job", "cancel", "result", "error", "log",
    "progress", "heartbeat", "shutdown", "close", "move", "store", "store_status", "set", "monitor"};
}

const char* messageTypeName(MessageType t) { return kNames[static_cast<size_t>(t)]; }

bool messageTypeFromName(QStringView name, MessageType* out) {
    for (size_t i = 0; i < kNames.size(); ++i) {
        if (name == QLatin1String(kNames[i])) {
            *out = static_cast<MessageType>(i);
            return true;
        }
    }
    return false;
}

QByteArray encodeFrame(const Message& m) {
    QCborMap top;
    top.insert(QLatin1String("t"), QLatin1String(messageTypeName(m.type)));
    top.insert(QLatin1String("id"), static_cast<qint64>(m.id));
    top.insert(QLatin1String("p"), m.payload);
    // Encode straight after a length placeholder: no second copy of the body.
    QByteArray frame(4, '\0');
    {
        QBuffer out(&frame);  // QCborStreamWriter(QByteArray*) would overwrite the placeholder
        out.open(QIODevice::WriteOnly | QIODevice::Append);
        QCborStreamWriter writer(&out);
        QCborValue(top).toCbor(writer);
    }
    qToLittleEndian<quint32>(static_cast<quint32>(frame.size() - 4), frame.data());
    return frame;
}

namespace {
/** Reads just the envelope {t, id, p} of a `result` body; true when it is a well-formed result. */
bool peekResultEnvelope(const QByteArray& body, quint64* id) {
    QCborStreamReader r(body);
    if (!r.isMap() || !r.enterContainer()) return false;
    bool isResult = false, haveId = false, havePayload = false;
    while (r.hasNext() && r.lastError() == QCborError::NoError) {
        QString key, type;
        if (!readCborText(r, &key)) return false;
        if (key == QLatin1String("t") && r.isString()) {
            if (!readCborText(r, &type)) return false;
            isResult = type == QLatin1String("result");
        } else if (key == QLatin1String("id") && r.isUnsignedInteger()) {
            *id = r.toUnsignedInteger();
            haveId = true;
            r.next();
        } else if (key == QLatin1String("p") && r.isMap()) {
            havePayload = true;
            r.next();  // validated in full later, in place
        } else {
            return false;
        }
    }
    return r.lastError() == QCborError::NoError && isResult && haveId && havePayload;
}
}  // namespace

QByteArray frameOfBody(const QByteArray& body) {
    QByteArray frame(4, Qt::Uninitialized);
    qToLittleEndian<quint32>(static_cast<quint32>(body.size()), frame.data());
    return frame + body;
}

bool decodeMessageBody(const QByteArray& body, Message* out, QString* error, bool lazyResults) {
    if (lazyResults && peekResultEnvelope(body, &out->id)) {
        out->type = MessageType::Result;
        out->body = body;
        return true;
    }
    QCborParserError perr;
    const QCborValue v = QCborValue::fromCbor(body, &perr);
    if (perr.error != QCborError::NoError) {
        *error = QStringLiteral("malformed CBOR at byte %1: %2").arg(perr.offset).arg(perr.errorString());
        return false;
    }
    if (!v.isMap()) {
        *error = QStringLiteral("message is not a CBOR map");
        return false;
    }
    const QCborMap top = v.toMap();
    const QCborValue t = top.value(QLatin1String("t"));
    const QCborValue id = top.value(QLatin1String("id"));
    const QCborValue p = top.value(QLatin1String("p"));
    if (!t.isString()) {
        *error = QStringLiteral("field 't' (message type) must be a string");
        return false;
    }
    if (!messageTypeFromName(t.toString(), &out->type)) {
        *error = QStringLiteral("unknown message type '%1'").arg(t.toString().left(64));
        return false;
    }
    if (!id.isInteger() || id.toInteger() < 0) {
        *error = QStringLiteral("field 'id' must be a non-negative integer");
        return false;
    }
    if (!p.isMap()) {
        *error = QStringLiteral("field 'p' (payload) must be a map");
        return false;
    }
    out->id = static_cast<quint64>(id.toInteger());
    out->payload = p.toMap();
    return true;
}

bool FrameDecoder::feed(const char* data, qsizetype size) {
    if (failed()) return false;
    buffer_.append(data, size);
    decodeAvailable();
    return !failed();
}

void FrameDecoder::decodeAvailable() {
    while (buffer_.size() - offset_ >= 4) {
        const quint32 len = qFromLittleEndian<quint32>(buffer_.constData() + offset_);
        if (len > max_) {
            error_ = QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes").arg(len).arg(max_);
            return;
        }
        if (len == 0) {
            error_ = QStringLiteral("empty frame");
            return;
        }
        if (buffer_.size() - offset_ - 4 < static_cast<qsizetype>(len)) break;
        Message m;
        QString err;
        // The eager path copies what it keeps, so the body can be viewed in place; a lazy
        // result keeps one copy of its body, shared by everything that uses the batch.
        const QByteArray view = QByteArray::fromRawData(buffer_.constData() + offset_ + 4, len);
        if (!decodeMessageBody(view, &m, &err, lazyResults_)) {
            error_ = err;
            return;
        }
        if (!m.body.isEmpty()) m.body = QByteArray(view.constData(), view.size());  // detach from buffer_
        ready_.push_back(std::move(m));
        offset_ += 4 + len;
    }
    // Compact when everything is consumed (free) or the consumed prefix is large; not on
    // every partial frame, which would move a big frame's bytes again and again.
    if (offset_ == buffer_.size()) {
        buffer_.resize(0);  // keeps the capacity for the next frames
        offset_ = 0;
    } else if (offset_ > (8 << 20) && offset_ >= buffer_.size() / 2) {
        buffer_.remove(0, offset_);
        offset_ = 0;
    }
}

char* FrameDecoder::prepare(qsizetype size) {
    prepared_ = buffer_.size();
    // A frame in progress whose length is known gets room for all of it at once, so
    // growing the buffer never copies a large frame again.
    if (prepared_ - offset_ >= 4) {
        const quint32 len = qFromLittleEndian<quint32>(buffer_.constData() + offset_);
        if (len <= max_) buffer_.reserve(std::max<qsizetype>(offset_ + 4 + static_cast<qsizetype>(len), prepared_ + size));
    }
    buffer_.resize(prepared_ + size);
    return buffer_.data() + prepared_;
}

bool FrameDecoder::commit(qsizetype written) {
    buffer_.resize(prepared_ + std::max<qsizetype>(written, 0));
    if (failed()) return false;
    decodeAvailable();
    return !failed();
}

Message FrameDecoder::take() {
    Message m = std::move(ready_.front());
    ready_.pop_front();
    return m;
}

}  // namespace acquila::protocol
