#pragma once
#include "core/util/Result.h"

#include <QCborMap>
#include <QString>
#include <QVariantMap>
#include <vector>

namespace acquila::model {

/** At most this many "plugin_dirs" in a lab. */
inline constexpr qsizetype kMaxPluginDirs = 64;

/** How to open one device: name, driver type and driver parameters (docs/architecture.md, "Devices and workers"). */
struct DeviceSpec {
    QString name;
    QString driver;        // e.g. "sim.motor"
    QVariantMap params;    // driver specific; "exclusive": true forces exclusive concurrency
};

/**
 * Whether a device must live in exactly one worker, decided from its spec
 * alone (without opening it): simulated drivers ("sim.*") are replicable
 * unless "exclusive": true; every other driver talks to real hardware and is
 * exclusive.
 */
inline bool isExclusive(const DeviceSpec& spec) {
    if (spec.params.contains(QStringLiteral("exclusive"))) return spec.params.value(QStringLiteral("exclusive")).toBool();
    return !spec.driver.startsWith(QStringLiteral("sim."));
}

/** The lab: every device the workers open, plus the simulation seed. A value type. */
struct LabConfig {
    static constexpr double kMinMonitorIntervalS = 0.05;
    static constexpr double kMaxMonitorIntervalS = 3600;

    quint64 seed = 1;
    std::vector<DeviceSpec> devices;
    /** Where the workers look for driver plugins besides the standard places (absolute once loaded from a file). */
    QStringList pluginDirs;
    /** How often worker 0 polls the monitored values while no run is active ("monitor_interval_s"); 0 = never. */
    double monitorIntervalS = 1;

    QCborMap toCbor() const;
    static util::Result<LabConfig> fromCbor(const QCborMap& map);
};

/**
 * Parses a lab config JSON document and validates the whole lab: structure,
 * every driver's parameters against its declaration (DriverSchema.h) and
 * every parameter naming an axis. The error lists every problem, one per
 * line, as "<file>: <JSON pointer> (<device>): <problem>".
 */
util::Result<LabConfig> parseLabConfig(const QByteArray& json, const QString& fileLabel);
/** Reads a lab config file; an empty path gives the embedded default lab. */
util::Result<LabConfig> loadLabConfig(const QString& path);

}  // namespace acquila::model
