#pragma once
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>
#include <limits>
#include <vector>

namespace acquila::model {

struct LabConfig;

/** Longest time any parameter, property or plan field may name: one day. */
inline constexpr double kMaxTimeS = 86400.0;

enum class ParamType : uint8_t {
    Number,   // a finite number in [min, max]
    Integer,  // an integral number in [min, max]
    Boolean,
    String,   // one of `allowed` when it is not empty
    Strings,  // a string or a list of at most `maxCount` strings
    Numbers,  // a number (used for every element) or a list of `count` numbers in [min, max]
    Objects,  // a list of at most `maxCount` JSON objects; the driver's rules check their fields
};

/** One parameter a driver reads from its DeviceSpec (docs/architecture.md, "Devices and workers"). */
struct ParamDecl {
    QString key;
    ParamType type = ParamType::Number;
    QVariant fallback;  // the value when absent (Numbers: of every element; Strings: none)
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    QStringList allowed;     // String only
    int count = 0;           // Numbers: elements; 0 = one per entry of the driver's "axes"
    int maxCount = 1 << 20;  // Strings only
    bool namesAxes = false;  // String/Strings: names axes of other devices of the lab
};

/** A problem with one parameter (or one element of a list parameter) and what is wrong. */
struct ParamProblem {
    QString key;
    QString message;
    qsizetype index = -1;  // the list element, or -1
};
using ParamProblems = std::vector<ParamProblem>;

/**
 * Everything a driver accepts, declared once: the app validates a lab from it
 * without opening a device, and the driver reads its parameters through it
 * (devices/DriverParams). A static table; any thread.
 */
struct DriverDecl {
    QString driver;
    std::vector<ParamDecl> params;  // "exclusive" and "timeout_s" included
    QStringList axisSuffixes;       // axes it provides: "" = the device's name, "x" = "<name>.x"
    /** Checks between parameters (e.g. min <= max); runs only when every parameter is well-formed. */
    void (*rules)(const QVariantMap& params, ParamProblems& out) = nullptr;

    const ParamDecl* find(const QString& key) const;
    /** Axes that depend on the parameters (a SCPI device's "axes"): suffixes as axisSuffixes. */
    QStringList (*paramAxes)(const QVariantMap& params) = nullptr;

    /** Full names of the axes a device of this driver named `device`, with `params`, provides. */
    QStringList axesOf(const QString& device, const QVariantMap& params = {}) const;
};

/** Every known driver, in a fixed order. */
const std::vector<DriverDecl>& driverDecls();
/** The declaration of `driver`, or nullptr when no driver has that name. */
const DriverDecl* findDriverDecl(const QString& driver);
QStringList knownDriverNames();

/** Every problem of `params` against `decl`: unknown keys, types, ranges, allowed values, rules. */
ParamProblems checkParams(const DriverDecl& decl, const QVariantMap& params);

/** A problem in a lab, at a JSON pointer into its file. */
struct LabProblem {
    QString pointer;  // e.g. "/devices/5/params/width"
    QString device;   // the device's name, when known
    QString message;  // e.g. "1000000000 is above the maximum 8192"
};

/**
 * Every problem of a parsed lab: unknown drivers, parameters that do not fit
 * their driver's declaration, and parameters naming axes no device provides.
 */
std::vector<LabProblem> checkLab(const LabConfig& lab);

/** A number as the user would write it: integers in full, others shortest. */
QString formatNumber(double v);

}  // namespace acquila::model
