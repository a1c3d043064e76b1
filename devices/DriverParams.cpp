#include "devices/DriverParams.h"

#include "devices/Device.h"

namespace acquila::devices {

DriverParams::DriverParams(const model::DeviceSpec& spec)
    : device_(spec.name), driver_(model::findDriverDecl(spec.driver)), params_(spec.params) {
    if (!driver_)
        throw DeviceError(QStringLiteral("%1: unknown driver '%2' (known: %3)")
                              .arg(spec.name, spec.driver, model::knownDriverNames().join(QLatin1String(", ")))
                              .toStdString());
    const model::ParamProblems problems = model::checkParams(*driver_, params_);
    if (problems.empty()) return;
    const model::ParamProblem& p = problems.front();
    const QString element = p.index >= 0 ? QStringLiteral(" element %1").arg(p.index) : QString();
    throw DeviceError(QStringLiteral("%1: parameter '%2'%3: %4").arg(device_, p.key, element, p.message).toStdString());
}

const model::ParamDecl& DriverParams::decl(const char* key) const {
    const model::ParamDecl* d = driver_->find(QLatin1String(key));
    if (!d)
        throw DeviceError(QStringLiteral("%1: driver %2 reads the undeclared parameter '%3'")
                              .arg(device_, driver_->driver, QLatin1String(key))
                              .toStdString());
    return *d;
}

QVariant DriverParams::valueOr(const char* key) const {
    const model::ParamDecl& d = decl(key);
    return params_.value(QLatin1String(key), d.fallback);
}

bool DriverParams::has(const char* key) const { return params_.contains(QLatin1String(key)); }

bool DriverParams::provides(const char* key) const {
    const model::ParamDecl* d = driver_->find(QLatin1String(key));
    return d && (has(key) || d->fallback.isValid());
}

double DriverParams::number(const char* key) const { return valueOr(key).toDouble(); }

double DriverParams::number(const char* key, double fallback) const {
    decl(key);
    return has(key) ? params_.value(QLatin1String(key)).toDouble() : fallback;
}

qint64 DriverParams::integer(const char* key) const { return static_cast<qint64>(valueOr(key).toDouble()); }

bool DriverParams::boolean(const char* key) const { return valueOr(key).toBool(); }

QString DriverParams::string(const char* key) const { return valueOr(key).toString(); }

QStringList DriverParams::strings(const char* key) const {
    const QVariant v = valueOr(key);
    if (v.typeId() == QMetaType::QString) return {v.toString()};
    return v.toStringList();
}

std::vector<QVariantMap> DriverParams::objects(const char* key) const {
    std::vector<QVariantMap> out;
    for (const QVariant& e : valueOr(key).toList()) out.push_back(e.toMap());
    return out;
}

std::vector<double> DriverParams::numbers(const char* key, qsizetype count) const {
    const QVariant v = valueOr(key);
    if (v.typeId() != QMetaType::QVariantList) return std::vector<double>(static_cast<size_t>(count), v.toDouble());
    std::vector<double> out;
    for (const QVariant& e : v.toList()) out.push_back(e.toDouble());
    return out;
}

}  // namespace acquila::devices
