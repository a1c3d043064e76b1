#include "core/model/LabConfig.h"

#include "core/model/DriverSchema.h"
#include "core/util/CborFields.h"

#include <QCborArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QSet>
#include <algorithm>
#include <cmath>

// The resources are compiled into a static library, whose automatic
// registration the linker may drop; registering explicitly is idempotent.
static void ensureResources() {
    Q_INIT_RESOURCE(resources);
}

namespace acquila::model {

namespace {
constexpr int kLabVersion = 1;
constexpr qsizetype kMaxDevices = 4096;
// Device names become HDF5 group names and prefix axis names ("stage.x"), so no '/', '.' or spaces.
const QRegularExpression& deviceNamePattern() {
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    return re;
}

QString nameProblem(const QString& name) {
    if (!deviceNamePattern().match(name).hasMatch())
        return QStringLiteral("device name '%1' must be 1 to 64 letters, digits, '_' or '-'")
            .arg(name);
    return {};
}

/** Line and column (1-based) of a byte offset, for JSON syntax errors. */
QString lineColumn(const QByteArray& text, int offset) {
    int line = 1, column = 1;
    for (int i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

QString typeName(const QJsonValue& v) {
    switch (v.type()) {
        case QJsonValue::Null:
            return QStringLiteral("null");
        case QJsonValue::Bool:
            return QStringLiteral("a boolean");
        case QJsonValue::Double:
            return QStringLiteral("a number");
        case QJsonValue::String:
            return QStringLiteral("a string");
        case QJsonValue::Array:
            return QStringLiteral("an array");
        case QJsonValue::Object:
            return QStringLiteral("an object");
        case QJsonValue::Undefined:
            break;
    }
    return QStringLiteral("nothing");
}
}  // namespace

namespace {
/** Every problem found in one lab file, each as "<file>: <pointer>: <problem>". */
class Problems {
public:
    explicit Problems(QString file) : file_(std::move(file)) {}
    void add(const QString& pointer, const QString& problem, const QString& device = {}) {
        const QString where = pointer.isEmpty() ? QStringLiteral("/") : pointer;
        lines_ << (device.isEmpty() ? QStringLiteral("%1: %2: %3").arg(file_, where, problem)
                                    : QStringLiteral("%1: %2 (%3): %4").arg(file_, where, device, problem));
    }
    void expected(const QString& pointer, const char* what, const QJsonValue& got) {
        add(pointer, QStringLiteral("expected %1, got %2").arg(QLatin1String(what), typeName(got)));
    }
    bool empty() const { return lines_.isEmpty(); }
    qsizetype size() const { return lines_.size(); }
    /** All problems, one per line; a very long list is cut after kMaxLines. */
    QString text() const {
        constexpr qsizetype kMaxLines = 50;
        QStringList shown = lines_.mid(0, kMaxLines);
        if (lines_.size() > kMaxLines)
            shown << QStringLiteral("%1: ... and %2 more problems").arg(file_).arg(lines_.size() - kMaxLines);
        return shown.join(QLatin1Char('\n'));
    }

private:
    QString file_;
    QStringList lines_;
};

void readHeader(const QJsonObject& root, LabConfig& lab, Problems& problems) {
    static const QStringList known = {QStringLiteral("version"), QStringLiteral("seed"), QStringLiteral("devices"),
                                      QStringLiteral("description"), QStringLiteral("plugin_dirs"), QStringLiteral("monitor_interval_s")};
    for (auto it = root.begin(); it != root.end(); ++it)
        if (!known.contains(it.key()))
            problems.add(QLatin1Char('/') + it.key(),
                         QStringLiteral("unknown field (expected one of %1)").arg(known.join(QLatin1String(", "))));
    if (root.contains(QLatin1String("version"))) {
        const QJsonValue v = root.value(QLatin1String("version"));
        if (!v.isDouble())
            problems.expected(QStringLiteral("/version"), "a number", v);
        else if (v.toDouble() != kLabVersion)
            problems.add(QStringLiteral("/version"), QStringLiteral("unsupported version %1 (this program reads version %2)")
                                                         .arg(v.toDouble())
                                                         .arg(kLabVersion));
    }
    if (root.contains(QLatin1String("description")) && !root.value(QLatin1String("description")).isString())
        problems.expected(QStringLiteral("/description"), "a string", root.value(QLatin1String("description")));
    if (root.contains(QLatin1String("plugin_dirs"))) {
        const QJsonValue v = root.value(QLatin1String("plugin_dirs"));
        const QJsonArray dirs = v.toArray();
        if (!v.isArray() || dirs.size() > kMaxPluginDirs)
            problems.add(QStringLiteral("/plugin_dirs"), QStringLiteral("expected a list of at most %1 directories").arg(kMaxPluginDirs));
        for (qsizetype i = 0; i < dirs.size() && i < kMaxPluginDirs; ++i) {
            if (!dirs[i].isString() || dirs[i].toString().isEmpty())
                problems.expected(QStringLiteral("/plugin_dirs/%1").arg(i), "a directory name", dirs[i]);
            else
                lab.pluginDirs << dirs[i].toString();
        }
    }
    if (root.contains(QLatin1String("seed"))) {
        const QJsonValue v = root.value(QLatin1String("seed"));
        const double d = v.toDouble();
        // Doubles hold integers exactly only up to 2^53.
        if (!v.isDouble())
            problems.expected(QStringLiteral("/seed"), "a number", v);
        else if (d < 0 || d > 9007199254740992.0 || std::floor(d) != d)
            problems.add(QStringLiteral("/seed"), QStringLiteral("expected an integer between 0 and 2^53"));
        else
            lab.seed = static_cast<quint64>(d);
    }
    if (root.contains(QLatin1String("monitor_interval_s"))) {
        const QJsonValue v = root.value(QLatin1String("monitor_interval_s"));
        const double s = v.toDouble();
        if (!v.isDouble())
            problems.expected(QStringLiteral("/monitor_interval_s"), "a number", v);
        else if (s != 0 && !(s >= LabConfig::kMinMonitorIntervalS && s <= LabConfig::kMaxMonitorIntervalS))
            problems.add(QStringLiteral("/monitor_interval_s"), QStringLiteral("expected 0 (no monitors) or %1 to %2 seconds, got %3")
                                                                    .arg(LabConfig::kMinMonitorIntervalS).arg(LabConfig::kMaxMonitorIntervalS).arg(s));
        else
            lab.monitorIntervalS = s;
    }
}

/** One entry of "devices"; false (with its problems recorded) when it is not a usable device spec. */
bool readDevice(const QJsonValue& dv, const QString& at, QSet<QString>& names, DeviceSpec& spec, Problems& problems) {
    if (!dv.isObject()) {
        problems.expected(at, "an object", dv);
        return false;
    }
    const qsizetype before = problems.size();
    const QJsonObject o = dv.toObject();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (it.key() != QLatin1String("name") && it.key() != QLatin1String("driver") && it.key() != QLatin1String("params"))
            problems.add(at + QLatin1Char('/') + it.key(), QStringLiteral("unknown field (expected name, driver, params)"));
    const QJsonValue name = o.value(QLatin1String("name"));
    spec.name = name.toString();
    if (!name.isString())
        problems.expected(at + QStringLiteral("/name"), "a string", name);
    else if (const QString p = nameProblem(spec.name); !p.isEmpty())
        problems.add(at + QStringLiteral("/name"), p);
    else if (names.contains(spec.name))
        problems.add(at + QStringLiteral("/name"), QStringLiteral("duplicate device name '%1'").arg(spec.name));
    names.insert(spec.name);
    const QJsonValue driver = o.value(QLatin1String("driver"));
    spec.driver = driver.toString();
    if (!driver.isString())
        problems.expected(at + QStringLiteral("/driver"), "a string", driver);
    else if (spec.driver.isEmpty())
        problems.add(at + QStringLiteral("/driver"), QStringLiteral("must not be empty"));
    const QJsonValue params = o.value(QLatin1String("params"));
    if (!params.isUndefined() && !params.isObject())
        problems.expected(at + QStringLiteral("/params"), "an object", params);
    else
        spec.params = params.toObject().toVariantMap();
    return problems.size() == before;
}
}  // namespace

util::Result<LabConfig> parseLabConfig(const QByteArray& json, const QString& fileLabel) {
    using R = util::Result<LabConfig>;
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError)
        return R::failure(QStringLiteral("%1: %2: JSON syntax error: %3")
                              .arg(fileLabel, lineColumn(json, perr.offset), perr.errorString()));
    if (!doc.isObject()) return R::failure(QStringLiteral("%1: /: expected an object").arg(fileLabel));
    const QJsonObject root = doc.object();

    Problems problems(fileLabel);
    LabConfig lab;
    readHeader(root, lab, problems);
    const QJsonValue devicesValue = root.value(QLatin1String("devices"));
    if (devicesValue.isUndefined()) {
        problems.add(QStringLiteral("/devices"), QStringLiteral("missing (the list of devices)"));
    } else if (!devicesValue.isArray()) {
        problems.expected(QStringLiteral("/devices"), "an array", devicesValue);
    } else if (devicesValue.toArray().size() > kMaxDevices) {
        problems.add(QStringLiteral("/devices"), QStringLiteral("more than %1 devices").arg(kMaxDevices));
    } else {
        const QJsonArray devices = devicesValue.toArray();
        QSet<QString> names;
        QStringList malformed;  // pointers of devices already reported: their parameters are not checked
        for (qsizetype i = 0; i < devices.size(); ++i) {
            const QString at = QStringLiteral("/devices/%1").arg(i);
            DeviceSpec spec;
            if (!readDevice(devices.at(i), at, names, spec, problems)) {
                malformed << at + QLatin1Char('/');
                spec.driver.clear();
            }
            lab.devices.push_back(std::move(spec));
        }
        for (const LabProblem& p : checkLab(lab)) {
            const bool reported = std::any_of(malformed.begin(), malformed.end(),
                                              [&](const QString& m) { return p.pointer.startsWith(m); });
            if (!reported) problems.add(p.pointer, p.message, p.device);
        }
    }
    if (!problems.empty()) return R::failure(problems.text());
    return lab;
}

util::Result<LabConfig> loadLabConfig(const QString& path) {
    if (path.isEmpty()) ensureResources();
    const QString file = path.isEmpty() ? QStringLiteral(":/acquila/lab/default.json") : path;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return util::Result<LabConfig>::failure(
            QStringLiteral("%1: cannot open: %2").arg(file, f.errorString()));
    // A lab file is a few kilobytes; refuse anything absurd rather than read it all.
    constexpr qint64 kMaxBytes = 16 * 1024 * 1024;
    if (f.size() > kMaxBytes)
        return util::Result<LabConfig>::failure(
            QStringLiteral("%1: larger than 16 MiB, not a lab config").arg(file));
    auto lab = parseLabConfig(f.readAll(), file);
    // Plugin directories are relative to the lab file, wherever the app was started.
    if (lab && !path.isEmpty())
        for (QString& dir : lab->pluginDirs) dir = QFileInfo(path).absoluteDir().absoluteFilePath(dir);
    return lab;
}

QCborMap LabConfig::toCbor() const {
    QCborMap m;
    // CBOR carries the full 64-bit seed; the signed view round-trips bit for bit.
    m.insert(QLatin1String("seed"), static_cast<qint64>(seed));
    m.insert(QLatin1String("monitor_interval_s"), monitorIntervalS);
    QCborArray devs;
    for (const DeviceSpec& d : devices) {
        QCborMap dm;
        dm.insert(QLatin1String("name"), d.name);
        dm.insert(QLatin1String("driver"), d.driver);
        dm.insert(QLatin1String("params"), QCborMap::fromVariantMap(d.params));
        devs.append(dm);
    }
    m.insert(QLatin1String("devices"), devs);
    if (!pluginDirs.isEmpty()) m.insert(QLatin1String("plugin_dirs"), QCborArray::fromStringList(pluginDirs));
    return m;
}

util::Result<LabConfig> LabConfig::fromCbor(const QCborMap& map) {
    using R = util::Result<LabConfig>;
    util::CborFields f(map, QStringLiteral("lab"));
    LabConfig lab;
    lab.seed = static_cast<quint64>(f.integer("seed"));
    lab.monitorIntervalS = f.optNumber("monitor_interval_s", lab.monitorIntervalS);
    if (f.ok() && lab.monitorIntervalS != 0 &&
        !(lab.monitorIntervalS >= kMinMonitorIntervalS && lab.monitorIntervalS <= kMaxMonitorIntervalS))
        f.fail(QStringLiteral("lab: monitor_interval_s out of range"));
    const QCborArray devs = f.array("devices");
    if (f.has("plugin_dirs")) {
        const QCborArray dirs = f.array("plugin_dirs");
        if (dirs.size() > kMaxPluginDirs) return R::failure(QStringLiteral("lab: more than %1 plugin_dirs").arg(kMaxPluginDirs));
        for (const QCborValue& d : dirs) {
            if (!d.isString()) return R::failure(QStringLiteral("lab: plugin_dirs must be strings"));
            lab.pluginDirs << d.toString();
        }
    }
    if (!f.ok()) return R::failure(f.error());
    if (devs.size() > kMaxDevices)
        return R::failure(QStringLiteral("lab: more than %1 devices").arg(kMaxDevices));
    QSet<QString> names;
    for (qsizetype i = 0; i < devs.size(); ++i) {
        const QCborValue v = devs.at(i);
        if (!v.isMap()) return R::failure(QStringLiteral("lab: devices[%1] must be a map").arg(i));
        util::CborFields df(v.toMap(), QStringLiteral("lab: devices[%1]").arg(i));
        DeviceSpec spec;
        spec.name = df.str("name");
        spec.driver = df.str("driver");
        const QCborMap params = df.has("params") ? df.map("params") : QCborMap();
        if (!df.ok()) return R::failure(df.error());
        if (const QString p = nameProblem(spec.name); !p.isEmpty())
            return R::failure(QStringLiteral("lab: devices[%1]: %2").arg(i).arg(p));
        if (names.contains(spec.name))
            return R::failure(QStringLiteral("lab: devices[%1]: duplicate device name '%2'")
                                  .arg(i)
                                  .arg(spec.name));
        names.insert(spec.name);
        spec.params = params.toVariantMap();
        lab.devices.push_back(std::move(spec));
    }
    return lab;
}

}  // namespace acquila::model
