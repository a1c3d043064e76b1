#pragma once
#include "core/model/DType.h"
#include "core/util/Result.h"

#include <QCborMap>
#include <QString>
#include <QVariant>
#include <cstdint>
#include <limits>
#include <vector>

namespace acquila::model {

enum class DeviceKind : uint8_t { Actuator, Detector, Compute };
/** Exclusive devices live in one worker; replicable ones may be opened in every worker. */
enum class Concurrency : uint8_t { Exclusive, Replicable };
enum class PropertyType : uint8_t { Bool, Int, Double, String, Enum };

const char* deviceKindName(DeviceKind k);
const char* propertyTypeName(PropertyType t);

/** A typed device property, declared once by the driver (docs/architecture.md, "Devices and workers"). */
struct PropertyDecl {
    QString id;
    QString label;
    QString unit;
    PropertyType type = PropertyType::Double;
    double min = -std::numeric_limits<double>::infinity();  // Int/Double only
    double max = std::numeric_limits<double>::infinity();
    QStringList allowed;  // Enum only
    QVariant defaultValue;
    bool readOnly = false;
    bool monitored = false;  // a live readback (a temperature): polled while no run is active; axis positions always are

    /** Empty when `value` fits this declaration, else why not (names the property). */
    QString check(const QVariant& value) const;
};

/** One movable axis of an actuator; full name is "device" or "device.axis". */
struct AxisDecl {
    QString name;
    QString unit;
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
};

/** One output of a detector or compute device, per point. Empty shape = scalar. */
struct OutputDecl {
    QString name;
    QString unit;
    DType dtype = DType::Float64;
    std::vector<int64_t> shape;
    QStringList axisLabels;  // one per dimension of `shape`
    qint64 elementsPerPoint() const;
    qint64 bytesPerPoint() const { return elementsPerPoint() * static_cast<qint64>(dtypeSize(dtype)); }
};

/** What a worker tells the manager about one opened device. A value type. */
struct DeviceDescription {
    QString name;
    QString driver;
    DeviceKind kind = DeviceKind::Detector;
    Concurrency concurrency = Concurrency::Replicable;
    QString summary;
    /**
     * Why the device cannot be used ("plugin … was built for plugin interface 2 …",
     * "could not be opened: …"); empty when it is open. An unavailable device has
     * no properties, axes or outputs.
     */
    QString unavailable;
    std::vector<PropertyDecl> properties;
    QVariantMap values;  // property id -> current value
    std::vector<AxisDecl> axes;
    std::vector<OutputDecl> outputs;
    std::vector<double> positions;  // current position per axis

    const AxisDecl* findAxis(const QString& fullName) const;
    const OutputDecl* findOutput(const QString& fullName) const;
    const PropertyDecl* findProperty(const QString& id) const;

    QCborMap toCbor() const;
    static util::Result<DeviceDescription> fromCbor(const QCborMap& map);
    /** A device of the lab that cannot be used, and why. */
    static DeviceDescription unavailableDevice(const QString& name, const QString& driver, const QString& why);
};

}  // namespace acquila::model
