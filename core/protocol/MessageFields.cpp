#include "core/protocol/MessageFields.h"

#include "core/protocol/ResultFrame.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace acquila::protocol::detail {

QCborMap cborMap(std::initializer_list<std::pair<const char*, QCborValue>> fields) {
    QCborMap m;
    for (const auto& [k, v] : fields) m.insert(QLatin1String(k), v);
    return m;
}

void insertIfSet(QCborMap& map, const char* key, const QString& value) {
    if (!value.isEmpty()) map.insert(QLatin1String(key), value);
}

void insertIfSet(QCborMap& map, const char* key, const QCborMap& value) {
    if (!value.isEmpty()) map.insert(QLatin1String(key), value);
}

QCborArray toCborArray(const std::vector<double>& values) {
    QCborArray a;
    for (double v : values) a.append(v);
    return a;
}

QCborArray toCborArray(const std::vector<model::DeviceDescription>& devices) {
    QCborArray a;
    for (const model::DeviceDescription& d : devices) a.append(d.toCbor());
    return a;
}

bool sameDevices(const std::vector<model::DeviceDescription>& a, const std::vector<model::DeviceDescription>& b) {
    return toCborArray(a) == toCborArray(b);
}

MessageFields::MessageFields(const Message& m, MessageType expected, const QString& context)
    : util::CborFields(m.payload, context), context_(context) {
    if (m.type != expected)
        fail(QStringLiteral("%1: expected a '%2' message, got '%3'")
                 .arg(context, QLatin1String(messageTypeName(expected)), QLatin1String(messageTypeName(m.type))));
}

void MessageFields::require(bool good, const char* key, const QString& problem) {
    if (!good) fail(QStringLiteral("%1: field '%2' %3").arg(context_, QLatin1String(key), problem));
}

quint64 MessageFields::id(const char* key, bool zeroAllowed) {
    const qint64 v = integer(key);
    require(v > 0 || (zeroAllowed && v == 0), key,
            zeroAllowed ? QStringLiteral("must not be negative") : QStringLiteral("must be positive"));
    return static_cast<quint64>(std::max<qint64>(v, 0));
}

qint64 MessageFields::inRange(const char* key, qint64 min, qint64 max) {
    const qint64 v = integer(key);
    if (max < std::numeric_limits<qint64>::max())
        require(v >= min && v <= max, key, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
    else
        require(v >= min, key, min == 0 ? QStringLiteral("must not be negative") : QStringLiteral("must be at least %1").arg(min));
    // Clamped: a decoder that computes with the value before checking ok() never meets one outside the range.
    return std::clamp(v, min, max);
}

double MessageFields::finite(const char* key, double min) {
    const double v = number(key);
    require(std::isfinite(v) && v >= min, key,
            min == -std::numeric_limits<double>::infinity() ? QStringLiteral("must be a finite number")
                                                            : QStringLiteral("must be a finite number >= %1").arg(min));
    if (std::isfinite(v) && v >= min) return v;
    return std::isfinite(min) ? min : 0.0;
}

int MessageFields::oneOf(const char* key, std::span<const char* const> names) {
    const QString v = str(key);
    int i = 0;
    for (const char* n : names) {
        if (v == QLatin1String(n)) return i;
        ++i;
    }
    if (ok()) {  // a missing or mistyped field already has its error
        QStringList all;
        for (const char* n : names) all << QLatin1String(n);
        fail(QStringLiteral("%1: field '%2' must be one of %3").arg(context_, QLatin1String(key), all.join(QStringLiteral(", "))));
    }
    return -1;
}

std::vector<double> MessageFields::numbers(const char* key) {
    std::vector<double> out;
    const QCborArray a = array(key);
    for (qsizetype i = 0; i < a.size() && ok(); ++i) {
        require(a.at(i).isInteger() || a.at(i).isDouble(), key, QStringLiteral("item %1 must be a number").arg(i));
        out.push_back(a.at(i).toDouble());
    }
    return out;
}

QStringList MessageFields::strings(const char* key) {
    QStringList out;
    const QCborArray a = array(key);
    for (qsizetype i = 0; i < a.size() && ok(); ++i) {
        require(a.at(i).isString(), key, QStringLiteral("item %1 must be a string").arg(i));
        out << a.at(i).toString();
    }
    return out;
}

std::vector<model::DeviceDescription> MessageFields::devices(const char* key) {
    std::vector<model::DeviceDescription> out;
    const QCborArray a = array(key);
    for (qsizetype i = 0; i < a.size() && ok(); ++i) {
        require(a.at(i).isMap(), key, QStringLiteral("item %1 must be a map").arg(i));
        if (!ok()) break;
        auto d = model::DeviceDescription::fromCbor(a.at(i).toMap());
        require(d.ok(), key, QStringLiteral("item %1 is invalid: %2").arg(i).arg(d.ok() ? QString() : d.error()));
        if (!d) break;
        for (const model::OutputDecl& o : d->outputs)
            require(pointElements(o.shape) > 0, key, QStringLiteral("item %1: output '%2' has more than %3 elements per point")
                                                          .arg(i).arg(o.name.left(64)).arg(kMaxFrameBytes));
        out.push_back(std::move(*d));
    }
    return out;
}

QVariant MessageFields::scalar(const char* key) {
    const QCborValue v = raw(key);
    if (v.isUndefined()) {
        fail(QStringLiteral("%1: missing field '%2'").arg(context_, QLatin1String(key)));
        return {};
    }
    require(isScalar(v), key, QStringLiteral("must be a boolean, a number or a string"));
    return isScalar(v) ? v.toVariant() : QVariant();
}

}  // namespace acquila::protocol::detail
