#pragma once
#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QString>

namespace acquila::util {

/**
 * Typed, hostile-input-safe access to the fields of a CBOR map. The first
 * missing or mistyped field is remembered as an error naming the field path;
 * later reads return defaults. Any thread.
 */
class CborFields {
public:
    CborFields(const QCborMap& map, QString context) : map_(map), context_(std::move(context)) {}

    QString str(const char* key);
    qint64 integer(const char* key);
    double number(const char* key);
    bool boolean(const char* key);
    QByteArray bytes(const char* key);
    QCborMap map(const char* key);
    QCborArray array(const char* key);
    bool has(const char* key) const { return map_.contains(QLatin1String(key)); }
    QCborValue raw(const char* key) const { return map_.value(QLatin1String(key)); }

    QString optStr(const char* key, const QString& fallback);
    qint64 optInteger(const char* key, qint64 fallback);
    double optNumber(const char* key, double fallback);
    bool optBoolean(const char* key, bool fallback);

    bool ok() const { return error_.isEmpty(); }
    const QString& error() const { return error_; }
    void fail(const QString& message);

private:
    QCborValue need(const char* key, bool (QCborValue::*is)() const, const char* what);
    QCborMap map_;
    QString context_;
    QString error_;
};

}  // namespace acquila::util
