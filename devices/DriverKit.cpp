#include "devices/DriverKit.h"

#include "core/model/DeviceTarget.h"

#include <map>

namespace acquila::devices {

namespace {
model::PropertyDecl readOnly(model::PropertyDecl d) {
    d.readOnly = true;
    return d;
}

/** Every registered driver by name; filled before main() by the registrations, read-only after. */
std::map<QString, DriverFactory>& registry() {
    static std::map<QString, DriverFactory> drivers;
    return drivers;
}
}  // namespace

DriverRegistration::DriverRegistration(const char* driver, DriverFactory factory) {
    registry().emplace(QString::fromLatin1(driver), factory);
}

void checkPropertyValue(const QString& device, const std::vector<BoundProperty>& props, const QString& id,
                        const QVariant& value, const BoundProperty** found) {
    for (const BoundProperty& p : props) {
        const model::PropertyDecl& d = p.decl;
        if (d.id != id) continue;
        // A property bound without a setter is read-only whatever its declaration says.
        const QString problem = p.set ? model::propertyWriteProblem(d, value) : model::propertyWriteProblem(readOnly(d), value);
        if (!problem.isEmpty()) throw DeviceError(QStringLiteral("%1: %2").arg(device, problem).toStdString());
        *found = &p;
        return;
    }
    throw DeviceError(QStringLiteral("%1: no property '%2'").arg(device, id).toStdString());
}

std::unique_ptr<Device> createDevice(const model::DeviceSpec& spec, const LabContext& ctx) {
    if (spec.name.isEmpty())
        throw DeviceError("device with driver '" + spec.driver.toStdString() + "' has no name");
    const auto it = registry().find(spec.driver);
    if (it == registry().end())
        throw DeviceError(QStringLiteral("%1: unknown driver '%2' (known: %3)")
                              .arg(spec.name, spec.driver, driverNames().join(QLatin1String(", ")))
                              .toStdString());
    return it->second(spec, ctx);
}

QStringList driverNames() {
    QStringList names;
    for (const auto& [name, factory] : registry()) names << name;
    return names;
}

}  // namespace acquila::devices
