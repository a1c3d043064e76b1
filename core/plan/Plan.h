#pragma once
#include "core/model/DeviceDescription.h"
#include "core/util/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <vector>

namespace acquila::plan {

enum class ScanType : uint8_t { Count, Linear, Grid, List, Spiral };
const char* scanTypeName(ScanType t);

/** One scanned axis of a plan. Which fields matter depends on the scan type. */
struct AxisSpec {
    QString device;              // full axis name: "motor" or "stage.x"
    double start = 0;            // linear, grid
    double stop = 0;             // linear, grid
    qint64 steps = 0;            // number of points along the axis (linear, grid)
    bool relative = false;       // start/stop/center/points are offsets from the position at run start
    double center = 0;           // spiral
    std::vector<double> points;  // list: one value per point (inline or loaded from CSV)

    bool operator==(const AxisSpec&) const = default;
};

/** Schema version written and accepted by the loader. */
inline constexpr int kPlanSchemaVersion = 1;

/**
 * A measurement plan: pure data (docs/architecture.md, "Plans, points and jobs"), loaded from versioned JSON.
 * Units follow the devices' declared units. A value type; any thread.
 */
struct Plan {
    int version = kPlanSchemaVersion;
    QString name;               // short, used in the file name
    QString title;
    ScanType type = ScanType::Count;
    std::vector<AxisSpec> axes;  // empty for count
    QStringList detectors;       // full output names: "diode", "camera"
    qint64 count = 1;            // count: number of points
    double intervalS = 0;        // count: time between points (0 = as fast as possible)
    bool snake = false;          // grid
    double spiralRadius = 0;     // spiral: outer radius
    double spiralStep = 0;       // spiral: radial distance between neighbouring points
    double settleS = 0;          // wait after each move
    double exposureS = 0;        // detector exposure per point
    qint64 repeats = 1;          // whole scan repeated this many times
    QVariantMap metadata;        // free-form, stored with the run
    QString outputDirectory;     // empty = default data directory
    bool outputAllowPartial = false;  // start even when the estimated file exceeds the free disk space
    bool returnToStart = false;  // move axes back to where they were when the run ends
    QMap<QString, QVariantMap> properties;  // device -> property id -> value, set for the run and restored after
    qint64 pointsPerJob = 0;     // 0 = adaptive (scheduler decides)
    bool retryAfterCrash = false;  // a point that crashed its worker is measured once more on a respawned worker
    QString sourceFile;          // where it was loaded from (for messages); not serialized
    QString csvFile;             // list: CSV file the points came from (for messages); not serialized

    /** Serializes with inline list points, so a worker needs no files. */
    QJsonObject toJson() const;
    /** Equal content; `sourceFile` and `csvFile` (provenance only) are ignored. */
    bool operator==(const Plan& other) const;
};

/** Largest number of points (repeats included) a plan may describe. */
inline constexpr qint64 kMaxPlanPoints = 1'000'000'000;
/** Limits of a plan file (resources/plans/README.md, "Limits"). */
inline constexpr qint64 kMaxPlanFileBytes = 4 << 20;
inline constexpr qint64 kMaxListPoints = 1'000'000;  // rows of a list scan, inline or CSV
inline constexpr qsizetype kMaxTitleChars = 4096;
inline constexpr qsizetype kMaxNameChars = 256;      // axis, detector, device and property names
inline constexpr qsizetype kMaxPathChars = 4096;     // output.directory, csv
inline constexpr qint64 kMaxMetadataBytes = 64 << 10;  // metadata as compact JSON

/**
 * Parses plan JSON. `fileLabel` prefixes every error, which names the JSON
 * pointer and what was expected, e.g. "plan.json: /axes/0/steps: expected an
 * integer >= 1". `baseDir`, the plan file's directory, resolves relative CSV
 * paths of list scans; without it only absolute CSV paths are accepted.
 */
util::Result<Plan> parsePlan(const QByteArray& json, const QString& fileLabel, const QString& baseDir = {});
/** Reads and parses a plan file; errors name the file. */
util::Result<Plan> loadPlanFile(const QString& path);

/**
 * Checks a parsed plan against the devices the workers described: unknown
 * axes or detector outputs, positions outside axis limits (relative axes add
 * the current position from DeviceDescription::positions and are skipped if
 * the device reported none; spirals check center +/- radius), plan properties
 * against their PropertyDecl (unknown, read-only, out of range). Returns an
 * empty string when valid, else the first problem, prefixed with the file
 * name of `sourceFile` ("plan" if empty), e.g. "plan.json: /axes/0/stop: 250
 * is above the limit 200 mm of axis 'stage.x'". Any thread.
 */
QString validatePlan(const Plan& plan, const std::vector<model::DeviceDescription>& devices);

}  // namespace acquila::plan
