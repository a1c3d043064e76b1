#pragma once
#include "core/model/ResultBatch.h"
#include "core/model/RunTypes.h"
#include "core/storage/RunLayout.h"
#include "core/util/Result.h"

#include <QDateTime>
#include <QString>
#include <chrono>
#include <memory>
#include <vector>

namespace acquila::storage {

/** Empty value for Result<> of operations that return nothing. */
struct Done {};

/** Status string written to /entry/status ("completed", "stopped", ...). */
QString runStatusText(model::RunStatus status);

/** Where a run file goes when its own directory vanished: $XDG_DATA_HOME (or ~/.local/share)/acquila/recovered. */
QString recoveryDirectory();

/**
 * Writes one run to a NeXus/HDF5 file (docs/architecture.md, "Storage") with SWMR, so readers can
 * follow it live and a killed writer leaves every flushed point readable.
 *
 * Single-thread object: create, use and destroy it on one thread (the storage
 * worker's). Every failure is returned as an error naming the file, the HDF5
 * object and the operation; nothing throws and nothing aborts. After any
 * failed call the writer may be unusable; finish() still tries to record the
 * status.
 *
 * The file is "<layout.path>.part" until finish() renames it. Destroying an
 * unfinished writer closes the file and leaves the ".part" with status
 * "interrupted".
 */
class NexusWriter {
public:
    NexusWriter();
    ~NexusWriter();
    NexusWriter(const NexusWriter&) = delete;
    NexusWriter& operator=(const NexusWriter&) = delete;

    /**
     * Creates "<path>.part" (replacing a stale one), every group, dataset and
     * attribute, writes the start metadata and starts SWMR writing.
     */
    util::Result<Done> open(const RunLayout& layout);

    /**
     * Stores the points [first, first+count) of `batch` at the cells given by
     * `cellOf` (empty = identity). Channels are matched by name against the
     * layout; an unknown channel or a dtype/shape mismatch is an error naming it.
     * Cells never written read as NaN (floats), -1 (point_index) or 0: a
     * cell holds a point exactly when its point_index is >= 0.
     */
    util::Result<Done> append(const model::ResultBatch& batch, const CellMap& cellOf = {});

    /** Flushes when the flush interval has passed since the last flush; cheap otherwise. */
    util::Result<Done> flushIfDue();
    /**
     * Flushes the data, then writes and flushes points_written. Fails when the
     * file is no longer reachable by its path (deleted, or its directory
     * removed): finish() then saves it under recoveryDirectory().
     */
    util::Result<Done> flush();

    /** Appends a message to /entry/log. `time` is stored as seconds since the Unix epoch. */
    util::Result<Done> log(const QDateTime& time, const QString& level, const QString& text);

    /**
     * Writes the last points, the end snapshots (/entry/instrument/<device>/at_end,
     * overwritten in place), then end_time, status and status_reason, all under
     * SWMR without reopening (a reader may hold the file); closes the file and
     * renames it to the final path. Any problem on the way (a write error, a
     * failed rename, a deleted file) makes the written status "failed" with the
     * problem in status_reason and is returned as the error (one line per
     * problem), which also says
     * when the status itself could not be written. currentPath() then names
     * the file that exists. Calling it twice is an error.
     */
    util::Result<Done> finish(model::RunStatus status, const QString& reason, const std::vector<model::DeviceDescription>& endSnapshots = {});

    bool isOpen() const;
    /** Path of the file as currently named on disk (".part" until finished). */
    QString currentPath() const;
    /** Cells that hold a point (a point written twice counts once). */
    qint64 pointsWritten() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d_;
};

/**
 * Completes a run file whose writer died (killed, crashed) and left it as
 * "<name>.h5.part" with status "running": opens it for writing, clearing the
 * "open for writing" flags as `h5clear -s` would, writes `status`, `reason` and the
 * end time into the end metadata in place, closes it and renames it to "<name>.h5"
 * (kept as ".part" when that name is taken). The points are left as the last flush
 * wrote them. Refuses a file whose status is not "running" (nothing to complete).
 * Returns the file's path afterwards; on an error the file is left as it was found
 * where possible, and the error names it. Call on the thread that owns HDF5 access.
 */
util::Result<QString> sealAbandonedFile(const QString& partPath, model::RunStatus status, const QString& reason);

}  // namespace acquila::storage
