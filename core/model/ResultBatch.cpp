#include "core/model/ResultBatch.h"

#include "core/protocol/CborFields.h"

#include <QCborArray>

namespace acquila::core {

qint64 Channel::elementsPerPoint() const {
    qint64 n = 1;
    for (int64_t d : pointShape) n *= d;
    return n;
}

const Channel* ResultBatch::find(const QString& name) const {
    for (const auto& c : channels)
        if (c.name == name) return &c;
    return nullptr;
}

QString ResultBatch::checkSizes() const {
    for (const Channel& c : channels) {
        // In doubles: a hostile shape times a hostile count must not overflow.
        const double expected = static_cast<double>(c.bytesPerPoint()) * static_cast<double>(count);
        if (expected != static_cast<double>(c.data.size()))
            return QStringLiteral("result channel '%1': %2 bytes for %3 points of %4 bytes")
                .arg(c.name).arg(c.data.size()).arg(count).arg(c.bytesPerPoint());
    }
    return {};
}

QCborMap ResultBatch::toCbor() const {
    QCborMap m;
    m.insert(QLatin1String("run"), static_cast<qint64>(runId));
    m.insert(QLatin1String("first"), first);
    m.insert(QLatin1String("count"), count);
    QCborArray chans;
    for (const auto& c : channels) {
        QCborMap cm;
        cm.insert(QLatin1String("name"), c.name);
        cm.insert(QLatin1String("dtype"), QLatin1String(dtypeName(c.dtype)));
        QCborArray shape;
        for (int64_t d : c.pointShape) shape.append(static_cast<qint64>(d));
        cm.insert(QLatin1String("shape"), shape);
        cm.insert(QLatin1String("data"), c.data);
        chans.append(cm);
    }
    m.insert(QLatin1String("channels"), chans);
    return m;
}

Result<ResultBatch> ResultBatch::fromCbor(const QCborMap& map) {
    using R = Result<ResultBatch>;
    CborFields f(map, QStringLiteral("result"));
    ResultBatch b;
    b.runId = static_cast<quint64>(f.integer("run"));
    b.first = f.integer("first");
    b.count = f.integer("count");
    const QCborArray chans = f.array("channels");
    if (!f.ok()) return R::failure(f.error());
    if (b.first < 0 || b.count < 0) return R::failure(QStringLiteral("result: negative point range"));
    for (const QCborValue& cv : chans) {
        CborFields cf(cv.toMap(), QStringLiteral("result channel"));
        Channel c;
        c.name = cf.str("name");
        if (!dtypeFromName(cf.str("dtype"), &c.dtype)) cf.fail(QStringLiteral("result channel: unknown dtype"));
        for (const QCborValue& d : cf.array("shape")) {
            if (!d.isInteger() || d.toInteger() < 1 || d.toInteger() > (1 << 20)) {
                cf.fail(QStringLiteral("result channel: bad shape"));
                break;
            }
            c.pointShape.push_back(d.toInteger());
        }
        c.data = cf.bytes("data");
        if (!cf.ok()) return R::failure(cf.error());
        if (c.pointShape.size() > 4) return R::failure(QStringLiteral("result channel '%1': too many dimensions").arg(c.name));
        b.channels.push_back(std::move(c));
    }
    if (const QString bad = b.checkSizes(); !bad.isEmpty()) return R::failure(bad);
    return b;
}

}  // namespace acquila::core
