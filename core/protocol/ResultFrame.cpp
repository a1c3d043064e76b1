#include "core/protocol/ResultFrame.h"

#include "core/protocol/Frame.h"

#include <QBuffer>
#include <QCborStreamReader>
#include <QCborStreamWriter>
#include <QtEndian>
#include <limits>

namespace acquila::protocol {

QByteArray encodeResultFrame(quint64 runId, qint64 first, qint64 count, const std::vector<model::Channel>& channels,
                             const std::vector<QByteArray>& data, const ResultMeta& meta) {
    qsizetype bytes = 256;
    for (const QByteArray& d : data) bytes += d.size() + 64;
    QByteArray frame(4, '\0');
    frame.reserve(bytes);
    {
        QBuffer out(&frame);
        out.open(QIODevice::WriteOnly | QIODevice::Append);
        QCborStreamWriter w(&out);
        w.startMap(3);
        w.append(QLatin1String("t"));
        w.append(QLatin1String("result"));
        w.append(QLatin1String("id"));
        w.append(static_cast<quint64>(meta.job));
        w.append(QLatin1String("p"));
        w.startMap(7);
        w.append(QLatin1String("run"));
        w.append(static_cast<quint64>(runId));
        w.append(QLatin1String("first"));
        w.append(static_cast<qint64>(first));
        w.append(QLatin1String("count"));
        w.append(static_cast<qint64>(count));
        w.append(QLatin1String("job"));
        w.append(static_cast<quint64>(meta.job));
        w.append(QLatin1String("final"));
        w.append(meta.final);
        w.append(QLatin1String("seconds"));
        w.append(meta.seconds);
        w.append(QLatin1String("channels"));
        w.startArray(static_cast<quint64>(channels.size()));
        for (size_t c = 0; c < channels.size(); ++c) {
            w.startMap(4);
            w.append(QLatin1String("name"));
            w.append(channels[c].name);
            w.append(QLatin1String("dtype"));
            w.append(QLatin1String(model::dtypeName(channels[c].dtype)));
            w.append(QLatin1String("shape"));
            w.startArray(static_cast<quint64>(channels[c].pointShape.size()));
            for (int64_t d : channels[c].pointShape) w.append(static_cast<qint64>(d));
            w.endArray();
            w.append(QLatin1String("data"));
            const QByteArray& d = c < data.size() ? data[c] : QByteArray();
            w.appendByteString(d.constData(), d.size());
            w.endMap();
        }
        w.endArray();
        w.endMap();
        w.endMap();
    }
    qToLittleEndian<quint32>(static_cast<quint32>(frame.size() - 4), frame.data());
    return frame;
}

qint64 pointElements(const std::vector<int64_t>& shape) {
    qint64 n = 1;
    for (int64_t d : shape) {
        if (d < 1 || n > static_cast<qint64>(kMaxFrameBytes) / d) return -1;
        n *= d;
    }
    return n;
}

bool readCborText(QCborStreamReader& r, QString* out) {
    if (!r.isString()) return false;
    out->clear();
    qint64 at = r.currentOffset();
    auto s = r.readString();
    while (s.status == QCborStreamReader::Ok) {
        *out += s.data;
        // Every chunk moves on; a malformed indefinite-length string can make Qt's reader
        // return "ok" forever without moving (found by fuzz_result: 10 bytes, a hang).
        if (r.currentOffset() <= at) return false;
        at = r.currentOffset();
        s = r.readString();
    }
    return s.status == QCborStreamReader::EndOfString;
}

namespace {

using R = util::Result<model::ResultBatch>;
constexpr double kMaxSeconds = 1e9;

/** Size of the CBOR header of a definite-length string at `at`, or 0 if unsupported. */
int stringHeaderSize(const QByteArray& body, qint64 at) {
    if (at < 0 || at >= body.size()) return 0;
    const int info = static_cast<unsigned char>(body[at]) & 0x1f;
    if (info < 24) return 1;
    if (info == 24) return 2;
    if (info == 25) return 3;
    if (info == 26) return 5;
    if (info == 27) return 9;
    return 0;  // indefinite length (chunked) strings are not produced by Acquila
}

bool readInt(QCborStreamReader& r, qint64* out) {
    if (r.isUnsignedInteger()) {
        const quint64 v = r.toUnsignedInteger();
        if (v > static_cast<quint64>(std::numeric_limits<qint64>::max())) return false;
        *out = static_cast<qint64>(v);
    } else if (r.isNegativeInteger()) {
        *out = -1 - static_cast<qint64>(quint64(r.toNegativeInteger()) & 0x7fffffffffffffffULL);
    } else {
        return false;
    }
    r.next();
    return true;
}

QString readText(QCborStreamReader& r, bool* ok) {
    QString out;
    *ok = readCborText(r, &out);
    return out;
}

bool parseChannel(QCborStreamReader& r, const QByteArray& body, model::Channel* c, QString* error) {
    if (!r.isMap() || !r.enterContainer()) return false;
    bool haveName = false, haveType = false, haveData = false;
    while (r.hasNext() && r.lastError() == QCborError::NoError) {
        bool ok = true;
        const QString key = readText(r, &ok);
        if (!ok) return false;
        if (key == QLatin1String("name")) {
            c->name = readText(r, &ok);
            haveName = ok;
        } else if (key == QLatin1String("dtype")) {
            haveType = model::dtypeFromName(readText(r, &ok), &c->dtype) && ok;
        } else if (key == QLatin1String("shape")) {
            if (!r.isArray() || !r.enterContainer()) return false;
            while (r.hasNext() && r.lastError() == QCborError::NoError) {
                qint64 d = 0;
                if (!readInt(r, &d) || d < 1 || d > (1 << 20) || c->pointShape.size() >= 4) {
                    *error = QStringLiteral("result channel '%1': field 'shape' must be up to 4 sizes of 1 to 2^20").arg(c->name.left(64));
                    return false;
                }
                c->pointShape.push_back(d);
            }
            if (pointElements(c->pointShape) < 0) {
                *error = QStringLiteral("result channel '%1': field 'shape' gives more than %2 elements per point")
                             .arg(c->name.left(64)).arg(kMaxFrameBytes);
                return false;
            }
            if (!r.leaveContainer()) return false;
        } else if (key == QLatin1String("data")) {
            if (!r.isByteArray() || !r.isLengthKnown()) return false;
            const qint64 at = r.currentOffset();
            const int header = stringHeaderSize(body, at);
            const quint64 len = r.length();
            if (header == 0 || len > static_cast<quint64>(body.size()) || at + header + static_cast<qint64>(len) > body.size()) return false;
            c->data = QByteArray::fromRawData(body.constData() + at + header, static_cast<qsizetype>(len));
            haveData = true;
            r.next();
        } else {
            r.next();
        }
        if (r.lastError() != QCborError::NoError) return false;
    }
    return r.leaveContainer() && haveName && haveType && haveData;
}

}  // namespace

util::Result<model::ResultBatch> parseResultBody(const QByteArray& body, ResultMeta* meta) {
    model::ResultBatch b;
    b.backing = body;
    QCborStreamReader r(b.backing);
    QString error;
    bool inPayload = false;
    // Find "p" in the envelope {t, id, p}.
    if (!r.isMap() || !r.enterContainer()) return R::failure(QStringLiteral("result: not a CBOR map"));
    while (r.hasNext() && !inPayload && r.lastError() == QCborError::NoError) {
        bool ok = true;
        const QString key = readText(r, &ok);
        if (!ok) return R::failure(QStringLiteral("result: malformed envelope"));
        if (key == QLatin1String("p")) inPayload = true;
        else r.next();
    }
    if (!inPayload || !r.isMap() || !r.enterContainer()) return R::failure(QStringLiteral("result: missing payload"));
    bool haveRun = false, haveFirst = false, haveCount = false, haveChannels = false;
    while (r.hasNext() && r.lastError() == QCborError::NoError) {
        bool ok = true;
        const QString key = readText(r, &ok);
        if (!ok) return R::failure(QStringLiteral("result: malformed payload"));
        qint64 v = 0;
        if (key == QLatin1String("run")) {
            haveRun = readInt(r, &v);
            b.runId = static_cast<quint64>(v);
        } else if (key == QLatin1String("first")) {
            haveFirst = readInt(r, &b.first);
        } else if (key == QLatin1String("count")) {
            haveCount = readInt(r, &b.count);
        } else if (key == QLatin1String("job")) {
            if (!readInt(r, &v)) return R::failure(QStringLiteral("result: field 'job' must be an integer"));
            meta->job = static_cast<quint64>(v);
        } else if (key == QLatin1String("final")) {
            if (!r.isBool()) return R::failure(QStringLiteral("result: field 'final' must be a boolean"));
            meta->final = r.toBool();
            r.next();
        } else if (key == QLatin1String("seconds")) {
            meta->seconds = r.isDouble() ? r.toDouble() : std::numeric_limits<double>::quiet_NaN();
            // -1 means unknown; anything else is a duration the scheduler divides and converts.
            if (!(meta->seconds == -1 || (meta->seconds >= 0 && meta->seconds <= kMaxSeconds)))
                return R::failure(QStringLiteral("result: field 'seconds' must be a number from 0 to %1, or -1").arg(kMaxSeconds));
            r.next();
        } else if (key == QLatin1String("channels")) {
            if (!r.isArray() || !r.enterContainer()) return R::failure(QStringLiteral("result: field 'channels' must be an array"));
            while (r.hasNext() && r.lastError() == QCborError::NoError) {
                model::Channel c;
                if (!parseChannel(r, b.backing, &c, &error))
                    return R::failure(error.isEmpty() ? QStringLiteral("result: malformed channel") : error);
                b.channels.push_back(std::move(c));
            }
            if (!r.leaveContainer()) return R::failure(QStringLiteral("result: malformed channels"));
            haveChannels = true;
        } else {
            r.next();
        }
        if (r.lastError() != QCborError::NoError) return R::failure(QStringLiteral("result: malformed CBOR: %1").arg(r.lastError().toString()));
    }
    if (!haveRun || !haveFirst || !haveCount || !haveChannels) return R::failure(QStringLiteral("result: missing run, first, count or channels"));
    if (b.first < 0 || b.count < 0) return R::failure(QStringLiteral("result: negative point range"));
    if (b.first > std::numeric_limits<qint64>::max() - b.count)
        return R::failure(QStringLiteral("result: fields 'first' + 'count' overflow"));
    // Every point has at least one byte in each channel; without channels nothing bounds the count.
    if (b.channels.empty() && b.count > 0) return R::failure(QStringLiteral("result: field 'channels' is empty for %1 points").arg(b.count));
    if (const QString bad = b.checkSizes(); !bad.isEmpty()) return R::failure(bad);
    return b;
}

}  // namespace acquila::protocol
