#pragma once
#include "core/model/ResultBatch.h"
#include "core/storage/Hdf5Util.h"
#include "core/storage/NexusWriter.h"
#include "core/storage/RunLayout.h"

#include <QString>
#include <vector>

namespace acquila::storage {

/** One dataset of /entry/data and where its values come from. Internal to storage. */
struct ScanArraySpec {
    QString name;      // dataset name
    QString longName;  // original channel or axis name, stored as @long_name
    QString unit;
    QString role;  // @acquila_role: detector, axis, axis_readback, timestamp, point_index
    model::DType dtype = model::DType::Float64;
    std::vector<qint64> arrayShape;  // scan shape, or [n] for 1-D axis datasets
    std::vector<qint64> pointShape;  // per-point shape appended to arrayShape
    QString channel;                 // batch channel feeding it; empty = only `initial`
    std::vector<double> initial;     // written at open (axis positions)
    bool perPointAxis = false;       // 1-D over the last scan dimension: cells are taken modulo its length
    bool isPointIndex = false;       // values are the point indices themselves
};

/** Where the points of one batch land: contiguous cells or an explicit list. */
struct CellPlacement {
    qint64 first = 0;
    qint64 count = 0;
    bool contiguous = true;
    qint64 firstCell = 0;       // contiguous only
    std::vector<qint64> cells;  // per point, when not contiguous
    std::vector<qint64> order;  // point offsets sorted by cell, when not contiguous

    /** Evaluates `cellOf` (empty = identity) and checks every cell is below `cellCount`. */
    static util::Result<CellPlacement> build(qint64 first, qint64 count, const CellMap& cellOf, qint64 cellCount);
};

/**
 * Creates one chunked, extendable dataset and writes batches into it.
 *
 * Write paths, chosen for throughput: points of >= 64 KiB (image frames) get
 * one chunk per point and go to disk with H5Dwrite_chunk, which skips the
 * chunk cache, type conversion and hyperslab machinery (a 1 MiB frame is one
 * pwrite). Smaller points share ~1 MiB chunks and are written as a few
 * contiguous hyperslabs per batch (never per point) through a chunk cache
 * large enough to hold the partially filled chunks between flushes.
 */
class ScanArrayWriter {
public:
    static util::Result<ScanArrayWriter> create(hid_t group, const ScanArraySpec& spec, const QString& filePath);

    const ScanArraySpec& spec() const { return spec_; }
    /** Writes this dataset's channel of `batch` (no-op when the batch lacks it). */
    util::Result<Done> write(const model::ResultBatch& batch, const CellPlacement& placement);

private:
    util::Result<Done> writeRange(qint64 cellStart, qint64 n, const char* data);
    util::Result<Done> writeFrame(qint64 cell, const char* data);
    util::Result<Done> fail(const QString& op) const;

    ScanArraySpec spec_;
    QString file_;
    h5::Hid ds_;
    h5::Hid fileSpace_;
    bool frameChunks_ = false;
    qint64 elementsPerPoint_ = 1;
    qint64 bytesPerPoint_ = 8;
    std::vector<char> scratch_;
};

}  // namespace acquila::storage
