#pragma once
#include "core/model/DeviceDescription.h"
#include "core/util/Result.h"

#include <QString>
#include <QVariant>
#include <vector>

namespace acquila::model {

/** A value of `type` with its unit, as a user reads it: "12.5 mm", "true", "slow". */
QString formatValue(const QVariant& value, PropertyType type, const QString& unit);

/**
 * What "set now" and `acquila set`/`acquila get` name (docs/architecture.md, "Devices and
 * workers"): an axis by its full name ("motor", "stage.x") or a property as
 * "DEVICE.PROPERTY" ("camera.spot_sigma"). Device names hold no '.', so the device is what
 * comes before the first one; property ids may hold dots ("diode.center.motor"). Points
 * into the descriptions it was found in: use it while they live. Any thread.
 */
struct DeviceTarget {
    const DeviceDescription* device = nullptr;
    int axis = -1;                           // index into device->axes for an axis, else -1
    const PropertyDecl* property = nullptr;  // the property, or nullptr for an axis

    bool isAxis() const { return axis >= 0; }
    /** "stage.x" or "camera.spot_sigma". */
    QString name() const;
    QString unit() const;
    /** The position or the property value the description holds. */
    QVariant current() const;
    /**
     * Empty when `value` may be applied now, else why not, naming the device and the
     * property or the axis: a property must be writable and the value fit its declaration
     * (type, range or allowed values) and be finite (propertyWriteProblem); a position must
     * be a finite number within the axis limits.
     */
    QString checkValue(const QVariant& value) const;
    /**
     * `text` as a value of the declared type (bool: true/false/1/0/yes/no/on/off; int and
     * double: a number; string and enum: the text itself; an axis: a number), then checked
     * with checkValue(). The error names the device and the property.
     */
    util::Result<QVariant> parseValue(const QString& text) const;
    /** The declared type: a property's, Double for an axis. */
    PropertyType type() const { return isAxis() ? PropertyType::Double : property->type; }
    /** formatValue() with this target's type and unit. */
    QString format(const QVariant& value) const { return formatValue(value, type(), unit()); }
};

/** The axis or property `name` names among `devices`; the error says what is known instead. */
util::Result<DeviceTarget> findTarget(const std::vector<DeviceDescription>& devices, const QString& name);

/**
 * Empty when `value` may be written to a property declared as `decl`: writable, fitting
 * PropertyDecl::check and finite (check lets NaN through). The one check of a write, made
 * by the drivers (DriverKit) and, before anything is sent, by the manager's set-now.
 */
QString propertyWriteProblem(const PropertyDecl& decl, const QVariant& value);

/**
 * Empty when `position` lies within the limits of `axis`, else "250 is above the limit
 * 200 mm of axis 'stage.x'"; `how` follows the number (e.g. " (current position 3 + offset 247)").
 */
QString axisLimitProblem(const AxisDecl& axis, double position, const QString& how = {});

}  // namespace acquila::model
