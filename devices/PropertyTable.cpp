#include "devices/PropertyTable.h"

#include "core/model/DriverSchema.h"

#include "devices/Device.h"

#include <cmath>

namespace acquila::devices {

namespace {
/** The fields every declaration has. */
model::PropertyDecl declaration(const QString& id, const QString& label, model::PropertyType type, const QVariant& defaultValue,
                                bool readOnly) {
    model::PropertyDecl d;
    d.id = id;
    d.label = label;
    d.type = type;
    d.defaultValue = defaultValue;
    d.readOnly = readOnly;
    return d;
}
}  // namespace

void PropertyTable::addDouble(const QString& id, const QString& label, const QString& unit,
                              double min, double max, double defaultValue, bool readOnly) {
    model::PropertyDecl d = declaration(id, label, model::PropertyType::Double, defaultValue, readOnly);
    d.unit = unit;
    d.min = min;
    d.max = max;
    add(std::move(d));
}

void PropertyTable::addInt(const QString& id, const QString& label, qint64 min, qint64 max,
                           qint64 defaultValue, bool readOnly) {
    model::PropertyDecl d = declaration(id, label, model::PropertyType::Int, defaultValue, readOnly);
    d.min = static_cast<double>(min);
    d.max = static_cast<double>(max);
    add(std::move(d));
}

void PropertyTable::addBool(const QString& id, const QString& label, bool defaultValue,
                            bool readOnly) {
    add(declaration(id, label, model::PropertyType::Bool, defaultValue, readOnly));
}

void PropertyTable::addString(const QString& id, const QString& label, const QString& defaultValue,
                              bool readOnly) {
    add(declaration(id, label, model::PropertyType::String, defaultValue, readOnly));
}

void PropertyTable::addEnum(const QString& id, const QString& label, const QStringList& allowed,
                            const QString& defaultValue, bool readOnly) {
    model::PropertyDecl d = declaration(id, label, model::PropertyType::Enum, defaultValue, readOnly);
    d.allowed = allowed;
    add(std::move(d));
}

void PropertyTable::addTimeout(double defaultValue) {
    addDouble(QStringLiteral("timeout_s"), QStringLiteral("Operation timeout"), QStringLiteral("s"),
              0.001, model::kMaxTimeS, defaultValue);
}

void PropertyTable::validate(const QString& device, const QString& id,
                             const QVariant& value) const {
    for (const auto& d : decls_) {
        if (d.id != id) continue;
        if (d.readOnly)
            throw DeviceError(
                QStringLiteral("%1: property '%2' is read-only").arg(device, id).toStdString());
        QString problem = d.check(value);
        // check() lets NaN through (every comparison with it is false); no property wants one.
        const bool numeric =
            d.type == model::PropertyType::Double || d.type == model::PropertyType::Int;
        if (problem.isEmpty() && numeric && !std::isfinite(value.toDouble()))
            problem = QStringLiteral("property '%1' expects a finite number").arg(id);
        if (!problem.isEmpty())
            throw DeviceError(QStringLiteral("%1: %2").arg(device, problem).toStdString());
        return;
    }
    throw DeviceError(QStringLiteral("%1: no property '%2'").arg(device, id).toStdString());
}

}  // namespace acquila::devices
