#pragma once
#include <QString>
#include <QStringList>
#include <vector>

namespace acquila::devices {

/** What became of one plugin file. */
struct PluginReport {
    QString file;          // absolute path
    QString name;          // from its ACQUILA_PLUGIN marker, when it has one
    QString version;
    QStringList drivers;   // drivers it registered
    QString error;         // empty when it loaded; else what went wrong, naming the file
};

/**
 * The plugin directories of a worker, in search order: those of $ACQUILA_PLUGIN_PATH
 * (separated by ':'), the per-user one (~/.local/share/acquila/plugins), the system one
 * (lib/acquila/plugins beside the installed bin/), then `labDirs`. Duplicates removed.
 */
QStringList pluginDirs(const QStringList& labDirs);

/**
 * Loads every plugin (`*.so`) of `dirs` not loaded before in this process: reads the
 * interface version from the file first (a foreign one is never loaded), then dlopen()s
 * it with every symbol resolved at once, then registers its drivers. One report per file.
 * Worker executor thread, before any device opens (docs/architecture.md, "Driver plugins").
 */
std::vector<PluginReport> loadPlugins(const QStringList& dirs);

/** Every report of this process so far, for the reason a driver is missing. */
const std::vector<PluginReport>& pluginReports();

}  // namespace acquila::devices
