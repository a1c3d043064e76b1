// parsePlan: JSON -> Plan with errors that name the JSON pointer of the bad field.
#include "core/model/DriverSchema.h"
#include "core/plan/Plan.h"
#include "core/plan/PointsCsv.h"
#include "core/plan/SpiralGenerator.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>
#include <cmath>
#include <initializer_list>

namespace acquila::plan {

namespace {
// Thrown inside the parser only, caught by parsePlan: keeps each field check a single line.
struct ParseFailure {
    QString pointer;
    QString message;
};

[[noreturn]] void fail(const QString& pointer, const QString& message) { throw ParseFailure{pointer, message}; }

QString number(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }

QString describe(const QJsonValue& v) {
    switch (v.type()) {
        case QJsonValue::Null: return QStringLiteral("null");
        case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        case QJsonValue::Double: return number(v.toDouble());
        case QJsonValue::String: {
            const QString s = v.toString();  // long strings are cut: an error echoes no more than identifies
            return QLatin1Char('"') + (s.size() > 64 ? s.left(64) + QStringLiteral("...") : s) + QLatin1Char('"');
        }
        case QJsonValue::Array: return QStringLiteral("an array");
        case QJsonValue::Object: return QStringLiteral("an object");
        case QJsonValue::Undefined: break;
    }
    return QStringLiteral("nothing");
}

[[noreturn]] void expected(const QString& pointer, const QString& what, const QJsonValue& got) {
    fail(pointer, QStringLiteral("expected %1, got %2").arg(what, describe(got)));
}

QString child(const QString& base, const QString& key) {
    QString k = key;
    k.replace(QLatin1Char('~'), QLatin1String("~0")).replace(QLatin1Char('/'), QLatin1String("~1"));
    return base + QLatin1Char('/') + k;
}
QString child(const QString& base, qsizetype index) { return base + QLatin1Char('/') + QString::number(index); }

double toNumber(const QJsonValue& v, const QString& p) {
    if (!v.isDouble() || !std::isfinite(v.toDouble())) expected(p, QStringLiteral("a number"), v);
    return v.toDouble();
}
double toNonNegative(const QJsonValue& v, const QString& p) {
    if (!v.isDouble() || !(v.toDouble() >= 0) || !std::isfinite(v.toDouble())) expected(p, QStringLiteral("a number >= 0"), v);
    return v.toDouble();
}
/** A time in seconds: 0 to one day. */
double toSeconds(const QJsonValue& v, const QString& p) {
    const double s = toNonNegative(v, p);
    if (s > model::kMaxTimeS)
        fail(p, QStringLiteral("%1 s is above the limit of %2 s (one day)").arg(model::formatNumber(s), model::formatNumber(model::kMaxTimeS)));
    return s;
}
/** A string of at most `max` characters; longer ones are refused without echoing them. */
QString limited(const QString& s, const QString& p, qsizetype max) {
    if (s.size() > max) fail(p, QStringLiteral("%1 characters is above the limit of %2").arg(s.size()).arg(max));
    return s;
}
double toPositive(const QJsonValue& v, const QString& p) {
    if (!v.isDouble() || !(v.toDouble() > 0) || !std::isfinite(v.toDouble())) expected(p, QStringLiteral("a number > 0"), v);
    return v.toDouble();
}
qint64 toInteger(const QJsonValue& v, const QString& p, qint64 min) {
    const double d = v.toDouble();
    if (!v.isDouble() || std::floor(d) != d || d < static_cast<double>(min) || d > 9007199254740992.0)
        expected(p, QStringLiteral("an integer >= %1").arg(min), v);
    return static_cast<qint64>(d);
}
bool toBool(const QJsonValue& v, const QString& p) {
    if (!v.isBool()) expected(p, QStringLiteral("true or false"), v);
    return v.toBool();
}
QString toString(const QJsonValue& v, const QString& p) {
    if (!v.isString()) expected(p, QStringLiteral("a string"), v);
    return v.toString();
}
QString toNonEmptyString(const QJsonValue& v, const QString& p) {
    if (!v.isString() || v.toString().isEmpty()) expected(p, QStringLiteral("a non-empty string"), v);
    return v.toString();
}
QJsonObject toObject(const QJsonValue& v, const QString& p) {
    if (!v.isObject()) expected(p, QStringLiteral("an object"), v);
    return v.toObject();
}
QJsonArray toArray(const QJsonValue& v, const QString& p) {
    if (!v.isArray()) expected(p, QStringLiteral("an array"), v);
    return v.toArray();
}

/** One JSON object being read, with its pointer for messages. */
struct Fields {
    QJsonObject obj;
    QString pointer;

    bool has(const char* key) const { return obj.contains(QLatin1String(key)); }
    QString path(const char* key) const { return child(pointer, QLatin1String(key)); }
    QJsonValue required(const char* key) const {
        const auto it = obj.constFind(QLatin1String(key));
        if (it == obj.constEnd()) fail(path(key), QStringLiteral("missing required field"));
        return *it;
    }
    QJsonValue value(const char* key) const { return obj.value(QLatin1String(key)); }
    /** Rejects fields not in `allowed` so a misspelt field is an error, not silently ignored. */
    void allowOnly(std::initializer_list<const char*> allowed, const QString& context = {}) const {
        QStringList names;
        for (const char* a : allowed) names << QLatin1String(a);
        for (auto it = obj.constBegin(); it != obj.constEnd(); ++it)
            if (!names.contains(it.key()))
                fail(child(pointer, it.key()), QStringLiteral("unknown field%1 (expected one of %2)")
                                                    .arg(context, names.join(QLatin1String(", "))));
    }
};

ScanType parseScanType(const QJsonValue& v, const QString& p) {
    const QString s = toString(v, p);
    for (ScanType t : {ScanType::Count, ScanType::Linear, ScanType::Grid, ScanType::List, ScanType::Spiral})
        if (s == QLatin1String(scanTypeName(t))) return t;
    fail(p, QStringLiteral("unknown scan type '%1' (expected one of count, linear, grid, list, spiral)").arg(s));
}

void parseScan(const Fields& scan, Plan& plan) {
    plan.type = parseScanType(scan.required("type"), scan.path("type"));
    const QString forType = QStringLiteral(" for a %1 scan").arg(QLatin1String(scanTypeName(plan.type)));
    switch (plan.type) {
        case ScanType::Count:
            scan.allowOnly({"type", "points", "interval_s"}, forType);
            plan.count = toInteger(scan.required("points"), scan.path("points"), 1);
            if (scan.has("interval_s")) plan.intervalS = toSeconds(scan.value("interval_s"), scan.path("interval_s"));
            break;
        case ScanType::Linear:
            scan.allowOnly({"type"}, forType);
            break;
        case ScanType::Grid:
            scan.allowOnly({"type", "snake"}, forType);
            if (scan.has("snake")) plan.snake = toBool(scan.value("snake"), scan.path("snake"));
            break;
        case ScanType::List:
            scan.allowOnly({"type", "points", "csv"}, forType);
            if (!scan.has("points") && !scan.has("csv"))
                fail(scan.pointer, QStringLiteral("a list scan needs either \"points\" or \"csv\""));
            if (scan.has("points") && scan.has("csv"))
                fail(scan.path("csv"), QStringLiteral("give either \"points\" or \"csv\", not both"));
            break;
        case ScanType::Spiral:
            scan.allowOnly({"type", "radius", "step"}, forType);
            plan.spiralRadius = toPositive(scan.required("radius"), scan.path("radius"));
            plan.spiralStep = toPositive(scan.required("step"), scan.path("step"));
            break;
    }
}

void parseAxes(const QJsonObject& root, Plan& plan) {
    const QString p = QStringLiteral("/axes");
    const char* typeName = scanTypeName(plan.type);
    if (plan.type == ScanType::Count) {
        if (root.contains(QLatin1String("axes")) && !toArray(root.value(QLatin1String("axes")), p).isEmpty())
            fail(p, QStringLiteral("a count scan moves no axes (expected an empty list or no \"axes\")"));
        return;
    }
    if (!root.contains(QLatin1String("axes"))) fail(p, QStringLiteral("missing required field"));
    const QJsonArray axes = toArray(root.value(QLatin1String("axes")), p);
    const qsizetype n = axes.size();
    if ((plan.type == ScanType::Linear && n != 1) || (plan.type == ScanType::Spiral && n != 2))
        fail(p, QStringLiteral("a %1 scan needs exactly %2, got %3")
                    .arg(QLatin1String(typeName), plan.type == ScanType::Linear ? QStringLiteral("1 axis") : QStringLiteral("2 axes"))
                    .arg(n));
    if (n < 1) fail(p, QStringLiteral("a %1 scan needs at least 1 axis, got 0").arg(QLatin1String(typeName)));

    const QString forType = QStringLiteral(" for an axis of a %1 scan").arg(QLatin1String(typeName));
    for (qsizetype i = 0; i < n; ++i) {
        const Fields f{toObject(axes[i], child(p, i)), child(p, i)};
        AxisSpec a;
        a.device = limited(toNonEmptyString(f.required("device"), f.path("device")), f.path("device"), kMaxNameChars);
        for (const AxisSpec& earlier : plan.axes)
            if (earlier.device == a.device) fail(f.path("device"), QStringLiteral("axis '%1' appears twice").arg(a.device));
        switch (plan.type) {
            case ScanType::Linear:
            case ScanType::Grid:
                f.allowOnly({"device", "start", "stop", "steps", "relative"}, forType);
                a.start = toNumber(f.required("start"), f.path("start"));
                a.stop = toNumber(f.required("stop"), f.path("stop"));
                a.steps = toInteger(f.required("steps"), f.path("steps"), 1);
                break;
            case ScanType::Spiral:
                f.allowOnly({"device", "center", "relative"}, forType);
                if (f.has("center")) a.center = toNumber(f.value("center"), f.path("center"));
                break;
            case ScanType::List:
            case ScanType::Count:
                f.allowOnly({"device", "relative"}, forType);
                break;
        }
        if (f.has("relative")) a.relative = toBool(f.value("relative"), f.path("relative"));
        plan.axes.push_back(a);
    }
}

void parseListPoints(const Fields& scan, const QString& baseDir, Plan& plan) {
    QStringList names;
    for (const AxisSpec& a : plan.axes) names << a.device;
    if (scan.has("csv")) {
        const QString file = limited(toNonEmptyString(scan.value("csv"), scan.path("csv")), scan.path("csv"), kMaxPathChars);
        // Relative to the plan file, never to the working directory of whoever runs it.
        if (QDir::isRelativePath(file) && baseDir.isEmpty())
            fail(scan.path("csv"), QStringLiteral("a relative path needs a plan loaded from a file; give an absolute path"));
        const QString path = QDir(baseDir).filePath(file);
        auto columns = readPointsCsv(path, names);
        if (!columns) fail(scan.path("csv"), columns.error());
        for (size_t k = 0; k < plan.axes.size(); ++k) plan.axes[k].points = std::move(columns.value()[k]);
        plan.csvFile = path;
        return;
    }
    const QString p = scan.path("points");
    const QJsonArray rows = toArray(scan.value("points"), p);
    if (rows.isEmpty()) fail(p, QStringLiteral("expected at least one point"));
    if (rows.size() > kMaxListPoints) fail(p, QStringLiteral("%1 points is above the limit of %2").arg(rows.size()).arg(kMaxListPoints));
    for (qsizetype r = 0; r < rows.size(); ++r) {
        const QString rp = child(p, r);
        const QJsonArray row = toArray(rows[r], rp);
        if (row.size() != static_cast<qsizetype>(plan.axes.size()))
            fail(rp, QStringLiteral("expected %1 numbers (one per axis: %2), got %3")
                         .arg(plan.axes.size())
                         .arg(names.join(QLatin1String(", ")))
                         .arg(row.size()));
        for (qsizetype k = 0; k < row.size(); ++k)
            plan.axes[static_cast<size_t>(k)].points.push_back(toNumber(row[k], child(rp, k)));
    }
}

QStringList parseDetectors(const QJsonValue& v) {
    const QString p = QStringLiteral("/detectors");
    const QJsonArray arr = toArray(v, p);
    QStringList out;
    for (qsizetype i = 0; i < arr.size(); ++i) {
        const QString name = limited(toNonEmptyString(arr[i], child(p, i)), child(p, i), kMaxNameChars);
        if (out.contains(name)) fail(child(p, i), QStringLiteral("detector '%1' appears twice").arg(name));
        out << name;
    }
    return out;
}

QMap<QString, QVariantMap> parseProperties(const QJsonValue& v) {
    const QString p = QStringLiteral("/properties");
    const QJsonObject devices = toObject(v, p);
    QMap<QString, QVariantMap> out;
    for (auto d = devices.constBegin(); d != devices.constEnd(); ++d) {
        const QString dp = child(p, limited(d.key(), p, kMaxNameChars));
        const QJsonObject props = toObject(d.value(), dp);
        for (auto it = props.constBegin(); it != props.constEnd(); ++it) {
            const QJsonValue pv = it.value();
            limited(it.key(), dp, kMaxNameChars);
            if (!pv.isDouble() && !pv.isString() && !pv.isBool())
                expected(child(dp, it.key()), QStringLiteral("a number, string or boolean"), pv);
            if (pv.isString()) limited(pv.toString(), child(dp, it.key()), kMaxTitleChars);
        }
        out.insert(d.key(), props.toVariantMap());
    }
    return out;
}

QVariantMap parseMetadata(const QJsonValue& v, const QString& p) {
    const QJsonObject o = toObject(v, p);
    const qint64 bytes = QJsonDocument(o).toJson(QJsonDocument::Compact).size();
    if (bytes > kMaxMetadataBytes) fail(p, QStringLiteral("%1 bytes of JSON is above the limit of %2").arg(bytes).arg(kMaxMetadataBytes));
    return o.toVariantMap();
}

/** Points of the whole plan, or a failure naming the field that makes it too large. */
void checkPointCount(const Plan& plan) {
    qint64 n = 1;
    QString where;
    switch (plan.type) {
        case ScanType::Count: n = plan.count; where = QStringLiteral("/scan/points"); break;
        case ScanType::Linear:
        case ScanType::Grid:
            where = QStringLiteral("/axes");
            for (const AxisSpec& a : plan.axes) {
                if (a.steps > kMaxPlanPoints / n) fail(where, QStringLiteral("the scan has more than %1 points").arg(kMaxPlanPoints));
                n *= a.steps;
            }
            break;
        case ScanType::List:
            n = static_cast<qint64>(plan.axes.front().points.size());
            if (n > kMaxListPoints)
                fail(plan.csvFile.isEmpty() ? QStringLiteral("/scan/points") : QStringLiteral("/scan/csv"), QStringLiteral("the list has %1 points, above the limit of %2").arg(n).arg(kMaxListPoints));
            break;
        case ScanType::Spiral:
            n = SpiralGenerator::pointCount(plan.spiralRadius, plan.spiralStep);
            where = QStringLiteral("/scan/radius");
            break;
    }
    if (n > kMaxPlanPoints) fail(where, QStringLiteral("the scan has more than %1 points").arg(kMaxPlanPoints));
    if (plan.repeats > kMaxPlanPoints / n)
        fail(QStringLiteral("/repeats"), QStringLiteral("the scan with its repeats has more than %1 points").arg(kMaxPlanPoints));
}

Plan parseRoot(const QJsonObject& obj, const QString& baseDir) {
    const Fields root{obj, QString()};
    Plan plan;
    const QJsonValue version = root.required("version");
    if (toInteger(version, root.path("version"), 1) != kPlanSchemaVersion)
        fail(root.path("version"), QStringLiteral("unsupported plan version %1 (this version of Acquila reads version %2)")
                                       .arg(describe(version))
                                       .arg(kPlanSchemaVersion));
    root.allowOnly({"version", "name", "title", "scan", "axes", "detectors", "settle_s", "exposure_s", "repeats", "metadata",
                    "output", "return_to_start", "properties", "points_per_job", "retry_after_crash"});

    plan.name = toString(root.required("name"), root.path("name"));
    static const QRegularExpression safeName(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    if (!safeName.match(plan.name).hasMatch())
        expected(root.path("name"),
                 QStringLiteral("a name of at most 64 letters, digits, '.', '_' or '-' starting with a letter or digit "
                                "(it becomes part of file names)"),
                 root.value("name"));
    if (root.has("title")) plan.title = limited(toString(root.value("title"), root.path("title")), root.path("title"), kMaxTitleChars);

    const Fields scan{toObject(root.required("scan"), root.path("scan")), root.path("scan")};
    parseScan(scan, plan);
    parseAxes(obj, plan);
    if (plan.type == ScanType::List) parseListPoints(scan, baseDir, plan);
    plan.detectors = parseDetectors(root.required("detectors"));

    if (root.has("settle_s")) plan.settleS = toSeconds(root.value("settle_s"), root.path("settle_s"));
    if (root.has("exposure_s")) plan.exposureS = toSeconds(root.value("exposure_s"), root.path("exposure_s"));
    if (root.has("repeats")) plan.repeats = toInteger(root.value("repeats"), root.path("repeats"), 1);
    if (root.has("metadata")) plan.metadata = parseMetadata(root.value("metadata"), root.path("metadata"));
    if (root.has("output")) {
        const Fields output{toObject(root.value("output"), root.path("output")), root.path("output")};
        output.allowOnly({"directory", "allow_partial"});
        if (output.has("allow_partial")) plan.outputAllowPartial = toBool(output.value("allow_partial"), output.path("allow_partial"));
        if (output.has("directory"))
            plan.outputDirectory = limited(toString(output.value("directory"), output.path("directory")), output.path("directory"), kMaxPathChars);
    }
    if (root.has("return_to_start")) plan.returnToStart = toBool(root.value("return_to_start"), root.path("return_to_start"));
    if (root.has("properties")) plan.properties = parseProperties(root.value("properties"));
    if (root.has("points_per_job")) plan.pointsPerJob = toInteger(root.value("points_per_job"), root.path("points_per_job"), 0);
    if (root.has("retry_after_crash")) plan.retryAfterCrash = toBool(root.value("retry_after_crash"), root.path("retry_after_crash"));
    checkPointCount(plan);
    return plan;
}
}  // namespace

util::Result<Plan> parsePlan(const QByteArray& json, const QString& fileLabel, const QString& baseDir) {
    const QString label = fileLabel.isEmpty() ? QStringLiteral("plan") : fileLabel;
    if (json.size() > kMaxPlanFileBytes)
        return util::Result<Plan>::failure(
            QStringLiteral("%1: %2 bytes is above the limit of %3 bytes for a plan").arg(label).arg(json.size()).arg(kMaxPlanFileBytes));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError) {
        // Qt reports the offset just past the character it stumbled on; name that character.
        const qsizetype offset = std::clamp<qsizetype>(err.offset - 1, 0, json.size());
        const QByteArray before = json.left(offset);
        const qsizetype line = before.count('\n') + 1;
        const qsizetype column = offset - (before.lastIndexOf('\n') + 1) + 1;
        return util::Result<Plan>::failure(
            QStringLiteral("%1: line %2, column %3: %4").arg(label).arg(line).arg(column).arg(err.errorString()));
    }
    if (!doc.isObject()) return util::Result<Plan>::failure(QStringLiteral("%1: expected a JSON object at the top level").arg(label));
    try {
        return parseRoot(doc.object(), baseDir);
    } catch (const ParseFailure& f) {
        return util::Result<Plan>::failure(QStringLiteral("%1: %2: %3").arg(label, f.pointer, f.message));
    }
}

}  // namespace acquila::plan
