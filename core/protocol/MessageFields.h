#pragma once
#include "core/model/DeviceDescription.h"
#include "core/util/CborFields.h"
#include "core/protocol/Frame.h"
#include "core/util/Result.h"

#include <QCborArray>
#include <QStringList>
#include <initializer_list>
#include <span>
#include <utility>
#include <vector>

/** Building blocks of the typed messages (Messages.cpp). Internal to core/protocol. */

namespace acquila::protocol::detail {

/** A payload map from (key, value) pairs. */
QCborMap cborMap(std::initializer_list<std::pair<const char*, QCborValue>> fields);
/** Inserts `value` under `key` unless it is empty (optional fields). */
void insertIfSet(QCborMap& map, const char* key, const QString& value);
void insertIfSet(QCborMap& map, const char* key, const QCborMap& value);
QCborArray toCborArray(const std::vector<double>& values);
QCborArray toCborArray(const std::vector<model::DeviceDescription>& devices);
/** Device lists compare by their wire form (DeviceDescription has no operator==). */
bool sameDevices(const std::vector<model::DeviceDescription>& a, const std::vector<model::DeviceDescription>& b);

/**
 * The payload fields of one message, checked as they are read: the message
 * type, presence, CBOR type and range. The first problem is kept as an error
 * naming the message and the field; reads after it return defaults.
 */
class MessageFields : public util::CborFields {
public:
    MessageFields(const Message& m, MessageType expected, const QString& context);

    /** Fails with "<context>: field '<key>' <problem>" unless `good`. */
    void require(bool good, const char* key, const QString& problem);
    /** An id: > 0, or also 0 when `zeroAllowed`. */
    quint64 id(const char* key, bool zeroAllowed);
    /** An integer in [min, max]; out of range: an error, and the value clamped into the range. */
    qint64 inRange(const char* key, qint64 min, qint64 max);
    /** A finite number >= min; otherwise an error, and `min` (0 when min is -inf). */
    double finite(const char* key, double min);
    /** Index of the string in `names`, or -1 (and an error) for any other value. */
    int oneOf(const char* key, std::span<const char* const> names);
    std::vector<double> numbers(const char* key);
    QStringList strings(const char* key);
    std::vector<model::DeviceDescription> devices(const char* key);
    /** A boolean, a number or a string (a property value). */
    QVariant scalar(const char* key);
    /** Whether `v` is a boolean, a number or a string. */
    static bool isScalar(const QCborValue& v) { return v.isBool() || v.isInteger() || v.isDouble() || v.isString(); }

    template <typename T>
    util::Result<T> done(T value) const {
        if (!ok()) return util::Result<T>::failure(error());
        return value;
    }

private:
    QString context_;
};

}  // namespace acquila::protocol::detail
