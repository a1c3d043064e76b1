#include "devices/DriverKit.h"
#include "devices/DriverRegistry.h"

#include "core/model/DeviceTarget.h"

#include <cstdio>
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

std::vector<PendingDriver>* capturing = nullptr;  // set only around a plugin's dlopen
}  // namespace

DriverRegistration::DriverRegistration(const char* driver, DriverFactory factory, std::vector<model::ParamDecl> params) {
    PendingDriver d{QString::fromUtf8(driver), factory, std::move(params)};
    if (capturing) {
        capturing->push_back(std::move(d));
    } else if (model::isBuiltinFamily(d.driver)) {
        registry().emplace(d.driver, factory);  // parameters in the app's table
    } else if (const QString error = registerDriver(std::move(d)); !error.isEmpty()) {
        std::fprintf(stderr, "acquila: driver '%s' not registered: %s\n", driver, qPrintable(error));
    }
}

void captureRegistrations(std::vector<PendingDriver>* into) { capturing = into; }

QString registerDriver(PendingDriver driver) {
    if (!driver.factory) return QStringLiteral("driver '%1' has no factory").arg(driver.driver);
    if (registry().count(driver.driver)) return QStringLiteral("a driver named '%1' is already loaded").arg(driver.driver);
    model::DriverDecl decl;
    decl.driver = driver.driver;
    decl.params = std::move(driver.params);
    if (QString error = model::addDriverDecl(std::move(decl)); !error.isEmpty()) return error;
    registry().emplace(driver.driver, driver.factory);
    return {};
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
