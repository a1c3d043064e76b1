#include "devices/PluginLoader.h"

#include "devices/DriverRegistry.h"
#include "devices/Plugin.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QStandardPaths>
#include <dlfcn.h>

namespace acquila::devices {

namespace {
std::vector<PluginReport>& reports() {
    static std::vector<PluginReport> all;
    return all;
}

/** The marker's fields ("acquila-plugin-api=1;name=x;version=y;"), read from the file without loading it. */
struct Marker {
    bool found = false;
    QString api, name, version;
};

Marker readMarker(const QString& path, QString* error) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read: %1").arg(f.errorString());
        return {};
    }
    constexpr qint64 kMaxPluginBytes = 512LL << 20;
    if (f.size() > kMaxPluginBytes) {
        *error = QStringLiteral("larger than 512 MiB, not a plugin");
        return {};
    }
    const QByteArray bytes = f.readAll();
    const QByteArray prefix(ACQUILA_PLUGIN_MARKER_PREFIX);
    Marker m;
    const qsizetype at = bytes.indexOf(prefix);
    if (at < 0) return m;
    const qsizetype end = bytes.indexOf('\0', at);
    const QString text = QString::fromUtf8(bytes.mid(at, (end < 0 ? bytes.size() : end) - at).left(1024));
    m.found = true;
    for (const QString& field : text.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const QString key = field.section(QLatin1Char('='), 0, 0), value = field.section(QLatin1Char('='), 1);
        if (key == QLatin1String("acquila-plugin-api")) m.api = value;
        else if (key == QLatin1String("name")) m.name = value;
        else if (key == QLatin1String("version")) m.version = value;
    }
    return m;
}

PluginReport load(const QString& path) {
    PluginReport r;
    r.file = path;
    QString error;
    const Marker marker = readMarker(path, &error);
    r.name = marker.name;
    r.version = marker.version;
    const QString mine = QStringLiteral(ACQUILA_PLUGIN_STR(ACQUILA_PLUGIN_API));
    if (!error.isEmpty()) {
        r.error = QStringLiteral("plugin %1: %2").arg(path, error);
    } else if (!marker.found) {
        r.error = QStringLiteral("%1 is not an Acquila plugin (no ACQUILA_PLUGIN marker; see docs/plugins.md)").arg(path);
    } else if (marker.api != mine) {
        r.error = QStringLiteral("plugin %1 was built for plugin interface %2, but this Acquila %3 provides plugin interface %4: "
                                 "rebuild it against this version's SDK")
                      .arg(path, marker.api.isEmpty() ? QStringLiteral("(none)") : marker.api, QStringLiteral(ACQUILA_VERSION), mine);
    }
    if (!r.error.isEmpty()) return r;

    std::vector<PendingDriver> pending;
    captureRegistrations(&pending);
    void* handle = dlopen(QFile::encodeName(path).constData(), RTLD_NOW | RTLD_LOCAL);
    captureRegistrations(nullptr);
    if (!handle) {
        const char* why = dlerror();
        r.error = QStringLiteral("plugin %1 cannot be loaded: %2").arg(path, QString::fromLocal8Bit(why ? why : "unknown error"));
        return r;
    }
    // The handle is never closed: drivers made by the plugin live as long as the worker.
    QStringList problems;
    for (PendingDriver& d : pending) {
        const QString name = d.driver;
        if (const QString e = registerDriver(std::move(d)); !e.isEmpty()) problems << e;
        else r.drivers << name;
    }
    if (pending.empty()) problems << QStringLiteral("it registers no driver (ACQUILA_REGISTER_DRIVER)");
    if (!problems.isEmpty()) r.error = QStringLiteral("plugin %1: %2").arg(path, problems.join(QLatin1String("; ")));
    return r;
}

/** The directory of the running executable (the installed bin/, or the build tree's app/). */
QString executableDir() { return QFileInfo(QFile::symLinkTarget(QStringLiteral("/proc/self/exe"))).absolutePath(); }
}  // namespace

QStringList pluginDirs(const QStringList& labDirs) {
    QStringList dirs;
    for (const QString& d : qEnvironmentVariable("ACQUILA_PLUGIN_PATH").split(QLatin1Char(':'), Qt::SkipEmptyParts)) dirs << d;
    dirs << QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/acquila/plugins");
    dirs << QDir::cleanPath(executableDir() + QStringLiteral("/../lib/acquila/plugins"));
    dirs << labDirs;
    dirs.removeDuplicates();
    return dirs;
}

std::vector<PluginReport> loadPlugins(const QStringList& dirs) {
    static QSet<QString> seen;  // canonical paths already tried in this process
    std::vector<PluginReport> out;
    for (const QString& dir : dirs) {
        const QFileInfoList files = QDir(dir).entryInfoList({QStringLiteral("*.so")}, QDir::Files | QDir::Readable, QDir::Name);
        for (const QFileInfo& file : files) {
            const QString canonical = file.canonicalFilePath();
            if (canonical.isEmpty() || seen.contains(canonical)) continue;
            seen.insert(canonical);
            out.push_back(load(file.absoluteFilePath()));
            reports().push_back(out.back());
        }
    }
    return out;
}

const std::vector<PluginReport>& pluginReports() { return reports(); }

}  // namespace acquila::devices
