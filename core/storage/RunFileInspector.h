#pragma once
#include "core/util/Result.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace acquila::storage {

/** One dataset of /entry/data as found in a run file. */
struct RunDatasetSummary {
    QString name;
    QString role;   // "detector", "axis", "axis_readback", "timestamp", "point_index", or empty if unknown
    QString dtype;  // "float64", "uint16", "string", ...
    std::vector<qint64> shape;
    QString units;
};

/** What `acquila inspect` shows about a file. A value type. */
struct RunFileSummary {
    QString path;
    bool isAcquilaRun = false;   // false for foreign HDF5 files (no /entry NXentry)
    bool openedSwmrRead = false; // true when the plain read-only open failed (writer alive or killed) and SWMR-read worked
    QString creator;
    QString title;
    QString status;
    QString statusReason;
    QString planJson;
    QString startTime;
    QString endTime;
    QString programName;
    QString programVersion;
    qint64 pointsWritten = -1;  // -1 when absent
    std::vector<qint64> scanShape;
    QString signal;
    QStringList axes;
    std::vector<RunDatasetSummary> datasets;  // /entry/data except points_written (at most kMaxListedObjects)
    QStringList topLevelObjects;              // names under "/", always filled (at most kMaxListedObjects)
    QStringList notes;                        // what was not as expected and left out, e.g. "/entry/data/points_written: ..."
};

/** Most names listed per group: a foreign file may have millions. */
inline constexpr int kMaxListedObjects = 1000;

/**
 * Reads the summary of a run file. Opens read-only and, when that fails
 * because the file is still open for SWMR writing or was left by a killed
 * writer, retries with SWMR-read (docs/architecture.md, "Storage"). Non-HDF5, truncated or damaged
 * files give an error naming the file; a foreign HDF5 file gives a summary
 * with isAcquilaRun = false. Every read is checked for rank, shape and type
 * first and bounded (one element of a string dataset, at most 1 MiB of it):
 * what does not fit is left out and named in `notes`, so a hostile file
 * cannot make it crash, hang or allocate much. Any thread (HDF5 is built
 * thread-safe).
 */
util::Result<RunFileSummary> inspectRunFile(const QString& path);

/** Multi-line human-readable text for `acquila inspect`. */
QString formatSummary(const RunFileSummary& summary);

}  // namespace acquila::storage
