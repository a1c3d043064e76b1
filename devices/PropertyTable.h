#pragma once
#include "core/model/DeviceDescription.h"

#include <QString>
#include <QVariant>
#include <vector>

namespace acquila::devices {

/**
 * The typed property declarations of one device (docs/architecture.md, "Devices and workers") and the checks
 * setProperty applies. Built by the driver's constructor, then read-only.
 */
class PropertyTable {
public:
    static constexpr double kInf = std::numeric_limits<double>::infinity();

    void add(model::PropertyDecl decl) { decls_.push_back(std::move(decl)); }
    void addDouble(const QString& id, const QString& label, const QString& unit, double min,
                   double max, double defaultValue, bool readOnly = false);
    void addInt(const QString& id, const QString& label, qint64 min, qint64 max,
                qint64 defaultValue, bool readOnly = false);
    void addBool(const QString& id, const QString& label, bool defaultValue, bool readOnly = false);
    void addString(const QString& id, const QString& label, const QString& defaultValue,
                   bool readOnly = false);
    void addEnum(const QString& id, const QString& label, const QStringList& allowed,
                 const QString& defaultValue, bool readOnly = false);
    /** The "timeout_s" property every device has. */
    void addTimeout(double defaultValue);

    const std::vector<model::PropertyDecl>& decls() const { return decls_; }

    /**
     * Throws DeviceError naming `device` and the property when `id` is not
     * declared, is read-only, or `value` does not fit its declaration.
     */
    void validate(const QString& device, const QString& id, const QVariant& value) const;

private:
    std::vector<model::PropertyDecl> decls_;
};

}  // namespace acquila::devices
