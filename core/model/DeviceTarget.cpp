#include "core/model/DeviceTarget.h"

#include <QLocale>
#include <cmath>

namespace acquila::model {

namespace {
QString number(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }

QString withUnit(const QString& text, const QString& unit) { return unit.isEmpty() ? text : text + QLatin1Char(' ') + unit; }

QString listOf(QStringList names) {
    return names.isEmpty() ? QStringLiteral("none") : names.join(QLatin1String(", "));
}

QStringList propertyNames(const DeviceDescription& d) {
    QStringList names;
    for (const PropertyDecl& p : d.properties) names << d.name + QLatin1Char('.') + p.id;
    return names;
}
}  // namespace

QString DeviceTarget::name() const {
    return isAxis() ? device->axes[size_t(axis)].name : device->name + QLatin1Char('.') + property->id;
}

QString DeviceTarget::unit() const { return isAxis() ? device->axes[size_t(axis)].unit : property->unit; }

QVariant DeviceTarget::current() const {
    if (!isAxis()) return device->values.value(property->id);
    return size_t(axis) < device->positions.size() ? QVariant(device->positions[size_t(axis)]) : QVariant();
}

QString DeviceTarget::checkValue(const QVariant& value) const {
    if (!isAxis()) {
        const QString problem = propertyWriteProblem(*property, value);
        return problem.isEmpty() ? QString() : device->name + QStringLiteral(": ") + problem;
    }
    const AxisDecl& a = device->axes[size_t(axis)];
    bool ok = false;
    const double position = value.toDouble(&ok);
    if (!ok || value.typeId() == QMetaType::QString || value.typeId() == QMetaType::Bool || !std::isfinite(position))
        return QStringLiteral("axis '%1' expects a finite position").arg(a.name);
    return axisLimitProblem(a, position);
}

util::Result<QVariant> DeviceTarget::parseValue(const QString& text) const {
    using R = util::Result<QVariant>;
    const QString t = text.trimmed();
    const PropertyType type = this->type();
    QVariant value;
    switch (type) {
        case PropertyType::Bool: {
            const QString b = t.toLower();
            if (b == QLatin1String("true") || b == QLatin1String("1") || b == QLatin1String("yes") || b == QLatin1String("on"))
                value = true;
            else if (b == QLatin1String("false") || b == QLatin1String("0") || b == QLatin1String("no") || b == QLatin1String("off"))
                value = false;
            else
                return R::failure(QStringLiteral("%1: property '%2' expects true or false, got '%3'").arg(device->name, property->id, text));
            break;
        }
        case PropertyType::Int:
        case PropertyType::Double: {
            bool ok = false;
            const double v = QLocale::c().toDouble(t, &ok);
            if (!ok) {
                return R::failure(isAxis() ? QStringLiteral("axis '%1' expects a number, got '%2'").arg(name(), text)
                                           : QStringLiteral("%1: property '%2' expects a number, got '%3'").arg(device->name, property->id, text));
            }
            // An integral value of an Int property travels as an integer; anything else stays a double, which check() refuses.
            if (type == PropertyType::Int && std::isfinite(v) && std::floor(v) == v && std::abs(v) < 9.0e15) value = static_cast<qlonglong>(v);
            else value = v;
            break;
        }
        case PropertyType::String:
        case PropertyType::Enum:
            value = text;
            break;
    }
    const QString problem = checkValue(value);
    if (!problem.isEmpty()) return R::failure(problem);
    return value;
}

QString formatValue(const QVariant& value, PropertyType type, const QString& unit) {
    QString text;
    switch (type) {
        case PropertyType::Bool: text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false"); break;
        case PropertyType::Int:
        case PropertyType::Double: text = number(value.toDouble()); break;
        case PropertyType::String:
        case PropertyType::Enum: text = value.toString(); break;
    }
    return withUnit(text, unit);
}

util::Result<DeviceTarget> findTarget(const std::vector<DeviceDescription>& devices, const QString& name) {
    using R = util::Result<DeviceTarget>;
    QStringList axes, deviceNames;
    for (const DeviceDescription& d : devices) {
        deviceNames << d.name;
        for (size_t i = 0; i < d.axes.size(); ++i) {
            if (d.axes[i].name == name) return DeviceTarget{&d, int(i), nullptr};
            axes << d.axes[i].name;
        }
    }
    const qsizetype dot = name.indexOf(QLatin1Char('.'));
    const QString deviceName = dot < 0 ? name : name.left(dot);
    const DeviceDescription* device = nullptr;
    for (const DeviceDescription& d : devices)
        if (d.name == deviceName) device = &d;
    if (!device) {
        if (dot < 0)
            return R::failure(QStringLiteral("no axis or device '%1' (axes: %2; devices: %3)").arg(name, listOf(axes), listOf(deviceNames)));
        return R::failure(QStringLiteral("no device '%1' in '%2' (devices: %3)").arg(deviceName, name, listOf(deviceNames)));
    }
    if (!device->unavailable.isEmpty())
        return R::failure(QStringLiteral("device '%1' is unavailable: %2").arg(deviceName, device->unavailable));
    if (dot < 0) {
        QStringList own;
        for (const AxisDecl& a : device->axes) own << a.name;
        if (!own.isEmpty())
            return R::failure(QStringLiteral("'%1' is a device, not an axis: name one of its axes (%2) or a property as %1.PROPERTY")
                                  .arg(name, listOf(own)));
        return R::failure(QStringLiteral("'%1' is a device: name one of its properties (%2)").arg(name, listOf(propertyNames(*device))));
    }
    const PropertyDecl* property = device->findProperty(name.mid(dot + 1));
    if (!property)
        return R::failure(QStringLiteral("device '%1' has no property '%2' (properties: %3)")
                              .arg(deviceName, name.mid(dot + 1), listOf(propertyNames(*device))));
    return DeviceTarget{device, -1, property};
}

QString propertyWriteProblem(const PropertyDecl& decl, const QVariant& value) {
    if (decl.readOnly) return QStringLiteral("property '%1' is read-only").arg(decl.id);
    const QString problem = decl.check(value);
    if (!problem.isEmpty()) return problem;
    const bool numeric = decl.type == PropertyType::Double || decl.type == PropertyType::Int;
    if (numeric && !std::isfinite(value.toDouble())) return QStringLiteral("property '%1' expects a finite number").arg(decl.id);
    return {};
}

QString axisLimitProblem(const AxisDecl& axis, double position, const QString& how) {
    const QString unit = axis.unit.isEmpty() ? QString() : QLatin1Char(' ') + axis.unit;
    if (position > axis.max)
        return QStringLiteral("%1%2 is above the limit %3%4 of axis '%5'").arg(number(position), how, number(axis.max), unit, axis.name);
    if (position < axis.min)
        return QStringLiteral("%1%2 is below the limit %3%4 of axis '%5'").arg(number(position), how, number(axis.min), unit, axis.name);
    return {};
}

}  // namespace acquila::model
