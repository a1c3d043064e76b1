// The parameters of every driver, declared once for the app (lab validation) and the drivers.
#include "core/model/DriverSchema.h"

#include "core/model/LabConfig.h"

#include <QLocale>
#include <QSet>
#include <cmath>
#include <deque>
#include <iterator>

namespace acquila::model {

namespace param {
using P = ParamType;

ParamDecl decl(const char* key, ParamType type, const QVariant& fallback, double min, double max) {
    ParamDecl d;
    d.key = QLatin1String(key);
    d.type = type;
    d.fallback = fallback;
    d.min = min;
    d.max = max;
    return d;
}
ParamDecl number(const char* key, double fallback, double min, double max) {
    return decl(key, P::Number, fallback, min, max);
}
ParamDecl integer(const char* key, qint64 fallback, double min, double max) {
    return decl(key, P::Integer, fallback, min, max);
}
ParamDecl text(const char* key, const QString& fallback, QStringList allowed) {
    ParamDecl d = decl(key, P::String, fallback);
    d.allowed = std::move(allowed);
    return d;
}
ParamDecl axisNames(const char* key, int maxCount) {
    ParamDecl d = decl(key, P::Strings, QVariant());
    d.maxCount = maxCount;
    d.namesAxes = true;
    return d;
}
ParamDecl numbers(const char* key, double fallback, int count, double min) {
    ParamDecl d = decl(key, P::Numbers, fallback, min);
    d.count = count;
    return d;
}

ParamDecl objects(const char* key, int maxCount) {
    ParamDecl d = decl(key, P::Objects, QVariantList());
    d.maxCount = maxCount;
    return d;
}

ParamDecl boolean(const char* key, bool fallback) { return decl(key, P::Boolean, fallback); }
}  // namespace param

/** The parameters every driver accepts, after its own. */
std::vector<ParamDecl> withCommon(std::vector<ParamDecl> params) {
    params.push_back(param::boolean("exclusive", false));
    params.push_back(param::number("timeout_s", 10.0, 0.001, kMaxTimeS));
    return params;
}

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
using P = ParamType;
using namespace param;

bool isNumeric(const QVariant& v) {
    switch (v.typeId()) {
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::LongLong:
        case QMetaType::ULongLong:
        case QMetaType::Double:
        case QMetaType::Float:
            return true;
        default:
            return false;
    }
}

/** A number's list form: one element, or the list's elements (rules run on well-formed params only). */
std::vector<double> numbersOf(const QVariantMap& params, const char* key, double fallback, int count) {
    const QVariant v = params.value(QLatin1String(key));
    if (v.typeId() == QMetaType::QVariantList) {
        std::vector<double> out;
        for (const QVariant& e : v.toList()) out.push_back(e.toDouble());
        return out;
    }
    return std::vector<double>(static_cast<size_t>(count), v.isValid() ? v.toDouble() : fallback);
}

void limitRules(const QVariantMap& params, int count, ParamProblems& out) {
    const auto mins = numbersOf(params, "min", -kInf, count);
    const auto maxs = numbersOf(params, "max", kInf, count);
    const auto starts = numbersOf(params, "start", 0.0, count);
    for (size_t i = 0; i < mins.size() && i < maxs.size(); ++i) {
        if (mins[i] > maxs[i]) {
            out.push_back({QStringLiteral("min"), QStringLiteral("min %1 is above max %2")
                                                      .arg(formatNumber(mins[i]), formatNumber(maxs[i]))});
        } else if (params.contains(QStringLiteral("start")) && i < starts.size() &&
                   (starts[i] < mins[i] || starts[i] > maxs[i])) {
            out.push_back({QStringLiteral("start"), QStringLiteral("%1 is outside the limits [%2, %3]")
                                                        .arg(formatNumber(starts[i]), formatNumber(mins[i]),
                                                             formatNumber(maxs[i]))});
        }
    }
}

void motorRules(const QVariantMap& params, ParamProblems& out) { limitRules(params, 1, out); }
void stageRules(const QVariantMap& params, ParamProblems& out) { limitRules(params, 2, out); }

void spectrometerRules(const QVariantMap& params, ParamProblems& out) {
    const double lo = params.value(QStringLiteral("wl_min"), 400.0).toDouble();
    const double hi = params.value(QStringLiteral("wl_max"), 800.0).toDouble();
    if (hi <= lo) out.push_back({QStringLiteral("wl_max"), QStringLiteral("must be above wl_min (%1)").arg(formatNumber(lo))});
}

void cameraRules(const QVariantMap& params, ParamProblems& out) {
    const QVariant axes = params.value(QStringLiteral("axes"));
    const qsizetype n = axes.typeId() == QMetaType::QString ? 1 : axes.toList().size();
    if (n != 0 && n != 2) out.push_back({QStringLiteral("axes"), QStringLiteral("expected two axis names [x, y]")});
}

QString typeOf(const QVariant& v);

/**
 * One entry of a mapping list (a SCPI or Tango device's "outputs", "axes", "properties"):
 * `required` string fields, optional string and number fields; entries are told apart by
 * their first required field, which must not repeat.
 */
void checkMappingEntries(const QVariantMap& params, const char* key, const QStringList& required, const QStringList& texts,
                      const QStringList& numbers, ParamProblems& out) {
    const QVariantList list = params.value(QLatin1String(key)).toList();
    QSet<QString> names;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QVariantMap e = list[i].toMap();
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (texts.contains(it.key()) || required.contains(it.key())) {
                if (it.value().typeId() != QMetaType::QString)
                    out.push_back({QLatin1String(key), QStringLiteral("'%1': expected a string, got %2").arg(it.key(), typeOf(it.value())), i});
            } else if (numbers.contains(it.key())) {
                if (!isNumeric(it.value()) || !std::isfinite(it.value().toDouble()))
                    out.push_back({QLatin1String(key), QStringLiteral("'%1': expected a number, got %2").arg(it.key(), typeOf(it.value())), i});
            } else {
                out.push_back({QLatin1String(key), QStringLiteral("unknown field '%1' (known: %2)").arg(it.key(), (required + texts + numbers).join(QLatin1String(", "))), i});
            }
        }
        for (const QString& r : required)
            if (!e.contains(r) || e.value(r).toString().isEmpty())
                out.push_back({QLatin1String(key), QStringLiteral("'%1' is missing").arg(r), i});
        const QString name = e.value(required.front()).toString();
        if (names.contains(name)) out.push_back({QLatin1String(key), QStringLiteral("'%1' is named twice").arg(name), i});
        names.insert(name);
    }
}

/** The axes of a mapped device (SCPI, Tango): "" for an unnamed axis (the device itself), else its name. */
QStringList mappingAxes(const QVariantMap& params) {
    QStringList out;
    for (const QVariant& a : params.value(QStringLiteral("axes")).toList()) out << a.toMap().value(QStringLiteral("name")).toString();
    return out;
}

/**
 * A mapped device has axes (an actuator) or outputs (a detector), not both; several axes are
 * named. `device` ("a SCPI device") and `peer` ("instrument") are for the messages.
 */
void axesOrOutputs(const QVariantMap& params, const QString& device, const QString& peer, ParamProblems& out) {
    const QVariantList axisList = params.value(QStringLiteral("axes")).toList();
    for (qsizetype i = 0; i < axisList.size(); ++i)
        if (axisList[i].toMap().value(QStringLiteral("name")).toString().isEmpty() && axisList.size() > 1)
            out.push_back({QStringLiteral("axes"), QStringLiteral("with several axes, each needs a 'name'"), i});
    if (!axisList.isEmpty() && !params.value(QStringLiteral("outputs")).toList().isEmpty())
        out.push_back({QStringLiteral("outputs"), QStringLiteral("a device has axes or outputs, not both: make two devices on the same %1").arg(peer)});
    if (axisList.isEmpty() && params.value(QStringLiteral("outputs")).toList().isEmpty())
        out.push_back({QStringLiteral("outputs"), QStringLiteral("%1 needs 'axes' (an actuator) or 'outputs' (a detector)").arg(device)});
}

void scpiRules(const QVariantMap& params, ParamProblems& out) {
    const bool serial = params.value(QStringLiteral("transport")).toString() == QLatin1String("serial");
    if (!serial && params.value(QStringLiteral("host")).toString().isEmpty())
        out.push_back({QStringLiteral("host"), QStringLiteral("a tcp instrument needs a host")});
    if (serial && params.value(QStringLiteral("device")).toString().isEmpty())
        out.push_back({QStringLiteral("device"), QStringLiteral("a serial instrument needs a device (e.g. /dev/ttyUSB0)")});
    // An axis without a name is the device itself; it must then be the only one.
    const QStringList t = {QStringLiteral("unit")};
    checkMappingEntries(params, "outputs", {QStringLiteral("name"), QStringLiteral("query")}, t, {}, out);
    checkMappingEntries(params, "properties", {QStringLiteral("id")}, {QStringLiteral("get"), QStringLiteral("set"), QStringLiteral("unit")},
                     {QStringLiteral("min"), QStringLiteral("max")}, out);
    const QVariantList axisList = params.value(QStringLiteral("axes")).toList();
    for (qsizetype i = 0; i < axisList.size(); ++i) {
        const QVariantMap e = axisList[i].toMap();
        for (auto it = e.begin(); it != e.end(); ++it) {
            static const QStringList texts = {QStringLiteral("name"), QStringLiteral("unit"), QStringLiteral("set"), QStringLiteral("get"),
                                              QStringLiteral("busy"), QStringLiteral("idle")};
            static const QStringList nums = {QStringLiteral("min"), QStringLiteral("max"), QStringLiteral("settle_s"), QStringLiteral("move_timeout_s")};
            if (texts.contains(it.key()) ? it.value().typeId() != QMetaType::QString
                                         : nums.contains(it.key()) ? !isNumeric(it.value())
                                                                   : true)
                out.push_back({QStringLiteral("axes"), texts.contains(it.key()) || nums.contains(it.key())
                                                           ? QStringLiteral("'%1': expected a %2, got %3").arg(it.key(), texts.contains(it.key()) ? QStringLiteral("string") : QStringLiteral("number"), typeOf(it.value()))
                                                           : QStringLiteral("unknown field '%1' (known: %2)").arg(it.key(), (texts + nums).join(QLatin1String(", "))),
                               i});
        }
        if (!e.value(QStringLiteral("set")).toString().contains(QLatin1String("{value}")))
            out.push_back({QStringLiteral("axes"), QStringLiteral("'set' must be a command with {value}, e.g. \"POS {value}\""), i});
    }
    axesOrOutputs(params, QStringLiteral("a SCPI device"), QStringLiteral("instrument"), out);
}

void tangoRules(const QVariantMap& params, ParamProblems& out) {
    if (params.value(QStringLiteral("device")).toString().isEmpty())
        out.push_back({QStringLiteral("device"), QStringLiteral("a Tango device needs its name: tango://HOST:PORT/domain/family/member#dbase=no, "
                                                                "or domain/family/member with TANGO_HOST set")});
    const QString attribute = QStringLiteral("attribute");
    const QStringList limits = {QStringLiteral("min"), QStringLiteral("max")};
    checkMappingEntries(params, "outputs", {attribute}, {QStringLiteral("name")}, {}, out);
    checkMappingEntries(params, "properties", {attribute}, {QStringLiteral("id")}, limits, out);
    checkMappingEntries(params, "axes", {attribute}, {QStringLiteral("name"), QStringLiteral("readback")},
                        limits + QStringList{QStringLiteral("settle_s"), QStringLiteral("move_timeout_s")}, out);
    const QVariantList axisList = params.value(QStringLiteral("axes")).toList();
    for (qsizetype i = 0; i < axisList.size(); ++i) {
        const QVariant readback = axisList[i].toMap().value(QStringLiteral("readback"));
        if (readback.isValid() && readback != QLatin1String("read") && readback != QLatin1String("setpoint"))
            out.push_back({QStringLiteral("axes"), QStringLiteral("'readback': expected \"read\" or \"setpoint\", got %1").arg(typeOf(readback)), i});
    }
    axesOrOutputs(params, QStringLiteral("a Tango device"), QStringLiteral("Tango device"), out);
}

std::vector<DriverDecl> buildDecls() {
    const std::vector<ParamDecl> axis = {text("unit", QStringLiteral("mm")), number("min", -kInf), number("max", kInf),
                                         number("velocity", 0.0, 0.0), number("start", 0.0),
                                         number("settle_s", 0.0, 0.0, 3600.0)};
    const std::vector<ParamDecl> stage = {text("unit", QStringLiteral("mm")), numbers("min", -kInf, 2),
                                          numbers("max", kInf, 2),        numbers("velocity", 0.0, 2, 0.0),
                                          numbers("start", 0.0, 2),       number("settle_s", 0.0, 0.0, 3600.0)};
    return {
        {QStringLiteral("sim.motor"), withCommon(axis), {QString()}, &motorRules},
        {QStringLiteral("sim.xy_stage"), withCommon(stage), {QStringLiteral("x"), QStringLiteral("y")}, &stageRules},
        {QStringLiteral("sim.gaussian"),
         withCommon({axisNames("axes", 16), numbers("center", 0.0, 0), numbers("width", 1.0, 0, 1e-12),
                     number("amplitude", 1000.0), number("background", 0.0), number("noise", 0.0, 0.0)}),
         {}},
        {QStringLiteral("sim.spectrometer"),
         withCommon({integer("pixels", 512, 2, 1 << 20), number("wl_min", 400.0), number("wl_max", 800.0),
                     [] {
                         ParamDecl d = text("axis", QString());
                         d.namesAxes = true;
                         return d;
                     }(),
                     number("peak_nm", 600.0), number("shift_per_unit", 1.0), number("step_nm", 0.5),
                     number("width_nm", 8.0, 1e-9), number("amplitude", 1000.0), number("background", 20.0),
                     number("noise", 3.0, 0.0)}),
         {},
         &spectrometerRules},
        {QStringLiteral("sim.camera"),
         withCommon({integer("width", 160, 1, 8192), integer("height", 120, 1, 8192),
                     number("spot_sigma", 6.0, 0.1, 1e4), number("amplitude", 2000.0, 0.0, 65535.0),
                     number("background", 100.0, 0.0, 65535.0), axisNames("axes", 2), number("pixels_per_unit", 1.0),
                     integer("orbit_points", 50, 1, 1 << 30)}),
         {},
         &cameraRules},
        {QStringLiteral("sim.cpu"), withCommon({integer("cost_us", 1000, 0, 60'000'000)}), {}},
        {QStringLiteral("sim.fault"),
         withCommon({text("mode", QStringLiteral("none"),
                          {QStringLiteral("none"), QStringLiteral("crash"), QStringLiteral("hang"), QStringLiteral("throw"),
                           QStringLiteral("malformed"), QStringLiteral("slow"), QStringLiteral("wrong_shape"),
                           QStringLiteral("hang_open"), QStringLiteral("hang_set")}),
                     integer("at_point", -1, -1, std::numeric_limits<qint32>::max())}),
         {}},
        [] {
            DriverDecl d{QStringLiteral("scpi"),
                         withCommon({text("transport", QStringLiteral("tcp"), {QStringLiteral("tcp"), QStringLiteral("serial")}),
                                     text("host", QString()), integer("port", 5025, 1, 65535), text("device", QString()),
                                     integer("baud", 9600, 50, 4'000'000),
                                     text("parity", QStringLiteral("none"), {QStringLiteral("none"), QStringLiteral("even"), QStringLiteral("odd")}),
                                     integer("stop_bits", 1, 1, 2),
                                     text("flow", QStringLiteral("none"), {QStringLiteral("none"), QStringLiteral("hardware"), QStringLiteral("software")}),
                                     text("write_termination", QStringLiteral("\n")), text("read_termination", QStringLiteral("\n")),
                                     number("connect_timeout_s", 3.0, 0.001, kMaxTimeS), number("reply_timeout_s", 2.0, 0.001, kMaxTimeS),
                                     decl("check_errors", P::Boolean, true), objects("outputs", 256), objects("axes", 16),
                                     objects("properties", 256)}),
                         {},
                         &scpiRules};
            d.paramAxes = &mappingAxes;
            return d;
        }(),
        [] {
            DriverDecl d{QStringLiteral("tango"),
                         withCommon({text("device", QString()), objects("outputs", 256), objects("axes", 16), objects("properties", 256)}),
                         {},
                         &tangoRules};
            d.paramAxes = &mappingAxes;
            return d;
        }(),
    };
}

QString typeOf(const QVariant& v) {
    if (!v.isValid() || v.isNull()) return QStringLiteral("null");
    if (isNumeric(v)) return QStringLiteral("the number ") + formatNumber(v.toDouble());
    switch (v.typeId()) {
        case QMetaType::Bool:
            return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        case QMetaType::QString:
            return QStringLiteral("the string \"%1\"").arg(v.toString().left(64));
        case QMetaType::QVariantList:
            return QStringLiteral("a list");
        case QMetaType::QVariantMap:
            return QStringLiteral("an object");
        default:
            return QStringLiteral("a %1").arg(QLatin1String(v.typeName()));
    }
}

/** Empty when `v` is a number that fits `d`, else why not. */
QString numberProblem(const ParamDecl& d, const QVariant& v) {
    const char* what = d.type == P::Integer ? "an integer" : "a number";
    if (!isNumeric(v)) return QStringLiteral("expected %1, got %2").arg(QLatin1String(what), typeOf(v));
    const double x = v.toDouble();
    if (!std::isfinite(x)) return QStringLiteral("expected a finite number");
    if (d.type == P::Integer && std::floor(x) != x) return QStringLiteral("expected an integer, got %1").arg(formatNumber(x));
    if (x < d.min) return QStringLiteral("%1 is below the minimum %2").arg(formatNumber(x), formatNumber(d.min));
    if (x > d.max) return QStringLiteral("%1 is above the maximum %2").arg(formatNumber(x), formatNumber(d.max));
    return {};
}

void checkStrings(const ParamDecl& d, const QVariant& v, ParamProblems& out) {
    if (v.typeId() == QMetaType::QString) {
        if (d.namesAxes && v.toString().isEmpty() && d.type == P::Strings)
            out.push_back({d.key, QStringLiteral("axis names must not be empty")});
        return;
    }
    if (v.typeId() != QMetaType::QVariantList) {
        out.push_back({d.key, QStringLiteral("expected a string or a list of strings, got %1").arg(typeOf(v))});
        return;
    }
    const QVariantList list = v.toList();
    if (list.size() > d.maxCount)
        out.push_back({d.key, QStringLiteral("at most %1 names, got %2").arg(d.maxCount).arg(list.size())});
    for (qsizetype i = 0; i < list.size() && i < d.maxCount; ++i) {
        if (list[i].typeId() != QMetaType::QString)
            out.push_back({d.key, QStringLiteral("expected a string, got %1").arg(typeOf(list[i])), i});
        else if (d.namesAxes && list[i].toString().isEmpty())
            out.push_back({d.key, QStringLiteral("axis names must not be empty"), i});
    }
}

qsizetype axisCount(const QVariantMap& params) {
    const QVariant axes = params.value(QStringLiteral("axes"));
    if (!axes.isValid()) return 0;
    return axes.typeId() == QMetaType::QString ? 1 : axes.toList().size();
}

void checkNumbers(const ParamDecl& d, const QVariant& v, qsizetype count, ParamProblems& out) {
    if (isNumeric(v)) {
        if (const QString p = numberProblem(d, v); !p.isEmpty()) out.push_back({d.key, p});
        return;
    }
    if (v.typeId() != QMetaType::QVariantList) {
        out.push_back({d.key, QStringLiteral("expected a number or a list of numbers, got %1").arg(typeOf(v))});
        return;
    }
    const QVariantList list = v.toList();
    if (list.size() != count) {
        out.push_back({d.key, QStringLiteral("expected %1 numbers (one per axis), got %2").arg(count).arg(list.size())});
        return;
    }
    for (qsizetype i = 0; i < list.size(); ++i)
        if (const QString p = numberProblem(d, list[i]); !p.isEmpty())
            out.push_back({d.key, p, i});
}

void checkValue(const ParamDecl& d, const QVariant& v, const QVariantMap& params, ParamProblems& out) {
    switch (d.type) {
        case P::Number:
        case P::Integer:
            if (const QString p = numberProblem(d, v); !p.isEmpty()) out.push_back({d.key, p});
            return;
        case P::Boolean:
            if (v.typeId() != QMetaType::Bool)
                out.push_back({d.key, QStringLiteral("expected true or false, got %1").arg(typeOf(v))});
            return;
        case P::String:
            if (v.typeId() != QMetaType::QString)
                out.push_back({d.key, QStringLiteral("expected a string, got %1").arg(typeOf(v))});
            else if (!d.allowed.isEmpty() && !d.allowed.contains(v.toString()))
                out.push_back({d.key, QStringLiteral("'%1' is not one of %2")
                                          .arg(v.toString().left(64), d.allowed.join(QLatin1String(", ")))});
            return;
        case P::Strings:
            checkStrings(d, v, out);
            return;
        case P::Numbers:
            checkNumbers(d, v, d.count > 0 ? d.count : axisCount(params), out);
            return;
        case P::Objects: {
            if (v.typeId() != QMetaType::QVariantList) {
                out.push_back({d.key, QStringLiteral("expected a list of objects, got %1").arg(typeOf(v))});
                return;
            }
            const QVariantList list = v.toList();
            if (list.size() > d.maxCount) out.push_back({d.key, QStringLiteral("at most %1 entries, got %2").arg(d.maxCount).arg(list.size())});
            for (qsizetype i = 0; i < list.size() && i < d.maxCount; ++i)
                if (list[i].typeId() != QMetaType::QVariantMap)
                    out.push_back({d.key, QStringLiteral("expected an object, got %1").arg(typeOf(list[i])), i});
            return;
        }
    }
}

QString escapeKey(QString key) {
    return key.replace(QLatin1Char('~'), QLatin1String("~0")).replace(QLatin1Char('/'), QLatin1String("~1"));
}

/** Every axis the lab provides; devices with unknown drivers are remembered so references to them are not blamed twice. */
struct LabAxes {
    QSet<QString> axes;
    QSet<QString> unknownDevices;
};

LabAxes labAxes(const LabConfig& lab) {
    LabAxes out;
    for (const DeviceSpec& spec : lab.devices) {
        if (const DriverDecl* d = findDriverDecl(spec.driver))
            for (const QString& a : d->axesOf(spec.name, spec.params)) out.axes.insert(a);
        else
            out.unknownDevices.insert(spec.name);
    }
    return out;
}

void checkAxisReferences(const DriverDecl& decl, const DeviceSpec& spec, const QString& at, const LabAxes& known,
                         std::vector<LabProblem>& out) {
    QStringList all(known.axes.begin(), known.axes.end());
    all.sort();
    for (const ParamDecl& p : decl.params) {
        if (!p.namesAxes || !spec.params.contains(p.key)) continue;
        const QVariant v = spec.params.value(p.key);
        const bool single = v.typeId() == QMetaType::QString;
        const QStringList names = single ? QStringList{v.toString()} : v.toStringList();
        for (qsizetype i = 0; i < names.size(); ++i) {
            const QString& name = names[i];
            if (name.isEmpty() || known.axes.contains(name) || known.unknownDevices.contains(name.section(QLatin1Char('.'), 0, 0)))
                continue;
            const QString pointer = at + escapeKey(p.key) + (single ? QString() : QLatin1Char('/') + QString::number(i));
            out.push_back({pointer, spec.name, QStringLiteral("'%1' is not an axis of this lab (axes: %2)")
                                                   .arg(name, all.isEmpty() ? QStringLiteral("none") : all.join(QLatin1String(", ")))});
        }
    }
}
}  // namespace

const ParamDecl* DriverDecl::find(const QString& key) const {
    for (const ParamDecl& p : params)
        if (p.key == key) return &p;
    return nullptr;
}

QStringList DriverDecl::axesOf(const QString& device, const QVariantMap& params) const {
    QStringList out;
    const QStringList suffixes = paramAxes ? paramAxes(params) : axisSuffixes;
    for (const QString& s : suffixes) out << (s.isEmpty() ? device : device + QLatin1Char('.') + s);
    return out;
}

namespace {
/** The built-in drivers, then those plugins added; a deque so that pointers stay valid as it grows. */
std::deque<DriverDecl>& allDecls() {
    static std::deque<DriverDecl> decls = [] {
        std::vector<DriverDecl> builtin = buildDecls();
        return std::deque<DriverDecl>(std::make_move_iterator(builtin.begin()), std::make_move_iterator(builtin.end()));
    }();
    return decls;
}
}  // namespace

const std::deque<DriverDecl>& driverDecls() { return allDecls(); }

const DriverDecl* findDriverDecl(const QString& driver) {
    for (const DriverDecl& d : allDecls())
        if (d.driver == driver) return &d;
    return nullptr;
}

QStringList knownDriverNames() {
    QStringList names;
    for (const DriverDecl& d : allDecls()) names << d.driver;
    return names;
}

bool isBuiltinFamily(const QString& driver) {
    return driver.startsWith(QLatin1String("sim.")) || driver == QLatin1String("scpi") || driver == QLatin1String("tango");
}

QString addDriverDecl(DriverDecl decl) {
    if (decl.driver.isEmpty()) return QStringLiteral("a driver needs a name");
    if (isBuiltinFamily(decl.driver))
        return QStringLiteral("the driver name '%1' belongs to Acquila's built-in drivers ('sim.*', 'scpi', 'tango')").arg(decl.driver);
    if (findDriverDecl(decl.driver)) return QStringLiteral("a driver named '%1' is already loaded").arg(decl.driver);
    decl.params = withCommon(std::move(decl.params));
    allDecls().push_back(std::move(decl));
    return {};
}

ParamProblems checkParams(const DriverDecl& decl, const QVariantMap& params) {
    ParamProblems out;
    for (auto it = params.constBegin(); it != params.constEnd(); ++it) {
        if (const ParamDecl* d = decl.find(it.key())) {
            checkValue(*d, it.value(), params, out);
            continue;
        }
        QStringList known;
        for (const ParamDecl& p : decl.params) known << p.key;
        known.sort();
        out.push_back({it.key(), QStringLiteral("unknown parameter for driver %1 (known: %2)")
                                     .arg(decl.driver, known.join(QLatin1String(", ")))});
    }
    if (out.empty() && decl.rules) decl.rules(params, out);
    return out;
}

std::vector<LabProblem> checkLab(const LabConfig& lab, UnknownDrivers unknown) {
    std::vector<LabProblem> out;
    const LabAxes axes = labAxes(lab);
    for (size_t i = 0; i < lab.devices.size(); ++i) {
        const DeviceSpec& spec = lab.devices[i];
        const QString at = QStringLiteral("/devices/%1/").arg(i);
        const DriverDecl* decl = findDriverDecl(spec.driver);
        if (!decl && unknown == UnknownDrivers::LeaveToWorkers && !isBuiltinFamily(spec.driver)) continue;
        if (!decl) {
            out.push_back({at + QStringLiteral("driver"), spec.name,
                           QStringLiteral("unknown driver '%1' (known: %2)")
                               .arg(spec.driver, knownDriverNames().join(QLatin1String(", ")))});
            continue;
        }
        for (const ParamProblem& p : checkParams(*decl, spec.params)) {
            const QString index = p.index >= 0 ? QLatin1Char('/') + QString::number(p.index) : QString();
            out.push_back({at + QStringLiteral("params/") + escapeKey(p.key) + index, spec.name, p.message});
        }
        checkAxisReferences(*decl, spec, at + QStringLiteral("params/"), axes, out);
    }
    return out;
}

QString formatNumber(double v) {
    if (std::isfinite(v) && std::floor(v) == v && std::abs(v) < 1e16) return QString::number(static_cast<qint64>(v));
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

}  // namespace acquila::model
