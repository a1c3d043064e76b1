#pragma once
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>
#include <deque>
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

/**
 * Builders of parameter declarations, for the built-in table and for plugins
 * (docs/plugins.md). `key` must outlive nothing: it is copied.
 */
namespace param {
ParamDecl decl(const char* key, ParamType type, const QVariant& fallback, double min = -std::numeric_limits<double>::infinity(),
               double max = std::numeric_limits<double>::infinity());
ParamDecl number(const char* key, double fallback, double min = -std::numeric_limits<double>::infinity(),
                 double max = std::numeric_limits<double>::infinity());
ParamDecl integer(const char* key, qint64 fallback, double min, double max);
ParamDecl boolean(const char* key, bool fallback);
/** A string; one of `allowed` when that is not empty. */
ParamDecl text(const char* key, const QString& fallback, QStringList allowed = {});
/** Names of axes of other devices of the lab (at most `maxCount`). */
ParamDecl axisNames(const char* key, int maxCount);
/** A number for every element or a list of `count` numbers (0: one per entry of "axes"). */
ParamDecl numbers(const char* key, double fallback, int count, double min = -std::numeric_limits<double>::infinity());
ParamDecl objects(const char* key, int maxCount);
}  // namespace param

/** `params` followed by the parameters every driver accepts: "exclusive" and "timeout_s". */
std::vector<ParamDecl> withCommon(std::vector<ParamDecl> params);

/**
 * Every known driver: the built-in ones in a fixed order, then those plugins
 * added in the worker that loaded them. Pointers into it stay valid.
 */
const std::deque<DriverDecl>& driverDecls();
/**
 * Adds a plugin's driver (its parameters get withCommon()). Empty on success,
 * else why not: an empty name, a built-in family ("sim.*", "scpi", "tango") or a name
 * already taken. Worker only, while plugins load, before any device opens.
 */
QString addDriverDecl(DriverDecl decl);
/** Whether `driver` is of a family only Acquila itself provides ("sim.*", "scpi", "tango"). */
bool isBuiltinFamily(const QString& driver);
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

/** What checkLab does with a driver it does not know. */
enum class UnknownDrivers : uint8_t {
    Refuse,          // every driver must be known (the worker, after loading its plugins)
    LeaveToWorkers,  // drivers outside the built-in families may come from plugins (the app)
};

/**
 * Every problem of a parsed lab: unknown drivers, parameters that do not fit
 * their driver's declaration, and parameters naming axes no device provides.
 * The app never loads a plugin, so it leaves plugin drivers to the workers.
 */
std::vector<LabProblem> checkLab(const LabConfig& lab, UnknownDrivers unknown = UnknownDrivers::LeaveToWorkers);

/** A number as the user would write it: integers in full, others shortest. */
QString formatNumber(double v);

}  // namespace acquila::model
