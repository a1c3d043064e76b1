#pragma once
#include "core/model/LabConfig.h"

#include <QSet>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <limits>
#include <vector>

namespace acquila::devices {

/**
 * Typed reading of a DeviceSpec's parameters while a driver is constructed.
 * Every getter throws DeviceError naming the device, the parameter and the
 * problem; finish() rejects parameters no getter asked for (typos). Used on
 * the thread that creates the device; not shared.
 */
class DriverParams {
public:
    static constexpr double kInf = std::numeric_limits<double>::infinity();

    explicit DriverParams(const model::DeviceSpec& spec);

    bool has(const char* key) const;
    double number(const char* key, double fallback, double min = -kInf, double max = kInf);
    qint64 integer(const char* key, qint64 fallback, qint64 min, qint64 max);
    bool boolean(const char* key, bool fallback);
    QString string(const char* key, const QString& fallback);
    /** A string that must be one of `allowed`. */
    QString choice(const char* key, const QString& fallback, const QStringList& allowed);
    /** A string or a list of strings (absent = empty list). */
    QStringList strings(const char* key);
    /** A list of exactly `count` numbers, or one number used for all of them. */
    std::vector<double> numbers(const char* key, qsizetype count, double fallback,
                                double min = -kInf, double max = kInf);

    /** The parameters every driver accepts. */
    bool exclusive() { return boolean("exclusive", false); }
    double timeoutS() { return number("timeout_s", 10.0, 0.001, 1e6); }

    /** Throws if a parameter was given that no getter asked for. */
    void finish() const;
    [[noreturn]] void fail(const char* key, const QString& problem) const;

private:
    double toNumber(const char* key, const QVariant& v, double min, double max) const;

    QString device_;
    QString driver_;
    QVariantMap params_;
    QSet<QString> known_;  // every key a getter asked for, given or not
};

}  // namespace acquila::devices
