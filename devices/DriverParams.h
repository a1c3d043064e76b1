#pragma once
#include "core/model/DriverSchema.h"
#include "core/model/LabConfig.h"

#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <vector>

namespace acquila::devices {

/**
 * Typed reading of a DeviceSpec's parameters while a driver is constructed.
 * The constructor checks every parameter against the driver's declaration
 * (core/model/DriverSchema.h, the same the app validates a lab with) and
 * throws DeviceError naming the device, the parameter and the problem; the
 * getters then return the value or the declared default. Used on the thread
 * that creates the device; not shared.
 */
class DriverParams {
public:
    explicit DriverParams(const model::DeviceSpec& spec);

    bool has(const char* key) const;
    /** True when `key` is declared and has a value: set in the lab, or a declared default. */
    bool provides(const char* key) const;
    double number(const char* key) const;
    /** For defaults that depend on other parameters. */
    double number(const char* key, double fallback) const;
    qint64 integer(const char* key) const;
    bool boolean(const char* key) const;
    QString string(const char* key) const;
    /** A string or a list of strings (absent = empty list). */
    QStringList strings(const char* key) const;
    /** A list of JSON objects (a mapped device's "outputs", "axes"...; absent = empty list). */
    std::vector<QVariantMap> objects(const char* key) const;
    /** A list of `count` numbers, or one number used for all of them. */
    std::vector<double> numbers(const char* key, qsizetype count) const;

    /** The parameters every driver accepts. */
    bool exclusive() const { return boolean("exclusive"); }
    double timeoutS() const { return number("timeout_s"); }

    /** The declaration of `key`, or nullptr when the driver has no such parameter. */
    const model::ParamDecl* declaration(const char* key) const { return driver_->find(QLatin1String(key)); }

private:
    /** The declaration of `key`; a driver reading an undeclared parameter is a programming error. */
    const model::ParamDecl& decl(const char* key) const;
    QVariant valueOr(const char* key) const;

    QString device_;
    const model::DriverDecl* driver_ = nullptr;
    QVariantMap params_;
};

}  // namespace acquila::devices
