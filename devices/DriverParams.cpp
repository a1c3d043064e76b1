#include "devices/DriverParams.h"

#include "devices/Device.h"

#include <QStringList>
#include <cmath>

namespace acquila::devices {

namespace {
bool isNumeric(const QVariant& v) {
    switch (v.typeId()) {
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
        case QMetaType::ULongLong:
        case QMetaType::Double:
        case QMetaType::Float:
            return true;
        default:
            return false;
    }
}
}  // namespace

DriverParams::DriverParams(const model::DeviceSpec& spec)
    : device_(spec.name), driver_(spec.driver), params_(spec.params) {}

void DriverParams::fail(const char* key, const QString& problem) const {
    throw DeviceError(QStringLiteral("%1: parameter '%2': %3")
                          .arg(device_, QLatin1String(key), problem)
                          .toStdString());
}

bool DriverParams::has(const char* key) const {
    return params_.contains(QLatin1String(key));
}

double DriverParams::toNumber(const char* key, const QVariant& v, double min, double max) const {
    if (!isNumeric(v)) fail(key, QStringLiteral("expected a number"));
    const double d = v.toDouble();
    if (!std::isfinite(d)) fail(key, QStringLiteral("expected a finite number"));
    if (d < min) fail(key, QStringLiteral("%1 is below the minimum %2").arg(d).arg(min));
    if (d > max) fail(key, QStringLiteral("%1 is above the maximum %2").arg(d).arg(max));
    return d;
}

double DriverParams::number(const char* key, double fallback, double min, double max) {
    known_.insert(QLatin1String(key));
    if (!has(key)) return fallback;
    return toNumber(key, params_.value(QLatin1String(key)), min, max);
}

qint64 DriverParams::integer(const char* key, qint64 fallback, qint64 min, qint64 max) {
    known_.insert(QLatin1String(key));
    if (!has(key)) return fallback;
    const double d = toNumber(key, params_.value(QLatin1String(key)), static_cast<double>(min),
                              static_cast<double>(max));
    if (std::floor(d) != d) fail(key, QStringLiteral("expected an integer"));
    return static_cast<qint64>(d);
}

bool DriverParams::boolean(const char* key, bool fallback) {
    known_.insert(QLatin1String(key));
    if (!has(key)) return fallback;
    const QVariant v = params_.value(QLatin1String(key));
    if (v.typeId() != QMetaType::Bool) fail(key, QStringLiteral("expected true or false"));
    return v.toBool();
}

QString DriverParams::string(const char* key, const QString& fallback) {
    known_.insert(QLatin1String(key));
    if (!has(key)) return fallback;
    const QVariant v = params_.value(QLatin1String(key));
    if (v.typeId() != QMetaType::QString) fail(key, QStringLiteral("expected a string"));
    return v.toString();
}

QString DriverParams::choice(const char* key, const QString& fallback, const QStringList& allowed) {
    const QString s = string(key, fallback);
    if (!allowed.contains(s))
        fail(key,
             QStringLiteral("'%1' is not one of %2").arg(s, allowed.join(QLatin1String(", "))));
    return s;
}

QStringList DriverParams::strings(const char* key) {
    known_.insert(QLatin1String(key));
    if (!has(key)) return {};
    const QVariant v = params_.value(QLatin1String(key));
    if (v.typeId() == QMetaType::QString) return {v.toString()};
    if (v.typeId() != QMetaType::QVariantList)
        fail(key, QStringLiteral("expected a string or a list of strings"));
    QStringList out;
    const QVariantList list = v.toList();
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (list[i].typeId() != QMetaType::QString)
            fail(key, QStringLiteral("element %1: expected a string").arg(i));
        out << list[i].toString();
    }
    return out;
}

std::vector<double> DriverParams::numbers(const char* key, qsizetype count, double fallback,
                                          double min, double max) {
    known_.insert(QLatin1String(key));
    if (!has(key)) return std::vector<double>(static_cast<size_t>(count), fallback);
    const QVariant v = params_.value(QLatin1String(key));
    if (isNumeric(v))
        return std::vector<double>(static_cast<size_t>(count), toNumber(key, v, min, max));
    if (v.typeId() != QMetaType::QVariantList)
        fail(key, QStringLiteral("expected a number or a list of numbers"));
    const QVariantList list = v.toList();
    if (list.size() != count)
        fail(key, QStringLiteral("expected %1 numbers (one per axis), got %2")
                      .arg(count)
                      .arg(list.size()));
    std::vector<double> out;
    out.reserve(static_cast<size_t>(count));
    for (const QVariant& e : list) out.push_back(toNumber(key, e, min, max));
    return out;
}

void DriverParams::finish() const {
    for (auto it = params_.constBegin(); it != params_.constEnd(); ++it) {
        if (known_.contains(it.key())) continue;
        QStringList known(known_.begin(), known_.end());
        known.sort();
        throw DeviceError(QStringLiteral("%1: unknown parameter '%2' for driver %3 (known: %4)")
                              .arg(device_, it.key(), driver_, known.join(QLatin1String(", ")))
                              .toStdString());
    }
}

}  // namespace acquila::devices
