#include "core/util/CborFields.h"

namespace acquila::util {

void CborFields::fail(const QString& message) {
    if (error_.isEmpty()) error_ = message;
}

QCborValue CborFields::need(const char* key, bool (QCborValue::*is)() const, const char* what) {
    const QCborValue v = map_.value(QLatin1String(key));
    if (v.isUndefined()) {
        fail(QStringLiteral("%1: missing field '%2'").arg(context_, QLatin1String(key)));
        return {};
    }
    if (!(v.*is)()) {
        fail(QStringLiteral("%1: field '%2' must be %3").arg(context_, QLatin1String(key), QLatin1String(what)));
        return {};
    }
    return v;
}

QString CborFields::str(const char* key) { return need(key, &QCborValue::isString, "a string").toString(); }
qint64 CborFields::integer(const char* key) {
    return need(key, &QCborValue::isInteger, "an integer").toInteger();
}
double CborFields::number(const char* key) {
    const QCborValue v = map_.value(QLatin1String(key));
    if (v.isInteger()) return static_cast<double>(v.toInteger());
    return need(key, &QCborValue::isDouble, "a number").toDouble();
}
bool CborFields::boolean(const char* key) { return need(key, &QCborValue::isBool, "a boolean").toBool(); }
QByteArray CborFields::bytes(const char* key) {
    return need(key, &QCborValue::isByteArray, "a byte string").toByteArray();
}
QCborMap CborFields::map(const char* key) { return need(key, &QCborValue::isMap, "a map").toMap(); }
QCborArray CborFields::array(const char* key) { return need(key, &QCborValue::isArray, "an array").toArray(); }

QString CborFields::optStr(const char* key, const QString& fallback) { return has(key) ? str(key) : fallback; }
qint64 CborFields::optInteger(const char* key, qint64 fallback) { return has(key) ? integer(key) : fallback; }
double CborFields::optNumber(const char* key, double fallback) { return has(key) ? number(key) : fallback; }
bool CborFields::optBoolean(const char* key, bool fallback) { return has(key) ? boolean(key) : fallback; }

}  // namespace acquila::util
