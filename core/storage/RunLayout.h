#pragma once
#include "core/model/DType.h"
#include "core/model/DeviceDescription.h"
#include "core/util/Result.h"

#include <QCborMap>
#include <QDateTime>
#include <QString>
#include <functional>
#include <vector>

namespace acquila::plan {
struct Plan;
class PointGenerator;
}  // namespace acquila::plan

namespace acquila::storage {

/** A run file is written as "<name>.h5" + kPartSuffix until it is closed and renamed. */
inline constexpr QLatin1StringView kPartSuffix{".part"};

/** What a channel of the result batches holds; decides where it is stored. */
enum class ChannelRole : uint8_t { AxisPosition, Timestamp, Detector };

/** How the positions of a scan axis are stored in /entry/data. */
enum class AxisStorage : uint8_t {
    /** 1-D setpoints along one scan dimension (linear, grid): written at open, @<axis>_indices = dimension. */
    Dimension,
    /**
     * One position per point of the last scan dimension (list, spiral): silx then
     * shows a scatter. Written at open from `positions` when given, otherwise
     * filled at append from the AxisPosition channel of the same name.
     */
    PerPoint,
};

/** One scan axis of a run. */
struct RunAxis {
    QString name;  // full axis name, e.g. "stage.x"; the dataset name replaces characters outside [A-Za-z0-9_] by '_'
    QString unit;
    AxisStorage storage = AxisStorage::Dimension;
    int dimension = 0;              // Dimension: index into RunLayout::scanShape
    std::vector<double> positions;  // Dimension: scanShape[dimension] values; PerPoint: scanShape.back() values or empty
};

/** One per-point channel of the result batches (matches model::Channel by name). */
struct RunChannel {
    QString name;
    QString unit;
    model::DType dtype = model::DType::Float64;
    std::vector<qint64> pointShape;  // empty = scalar, [n] spectrum, [h, w] image
    ChannelRole role = ChannelRole::Detector;
};

/**
 * Maps a point index to the flat row-major index of its cell in the scan
 * array. An empty CellMap means identity (raster order), the fast path.
 */
using CellMap = std::function<qint64(qint64 pointIndex)>;

/** Which run a layout is for, and when it started (RunLayout::forPlan). */
struct RunStart {
    quint64 runId = 0;
    QDateTime time;    // empty = when the file is opened
    QString planJson;  // the plan as run; empty = the compact JSON of the plan
};

/**
 * Everything needed to create a run file up front: every group,
 * dataset and attribute exists before SWMR writing starts. A value type built
 * once per run by forPlan from the plan, its PointGenerator and the device
 * descriptions, and sent to the storage worker as CBOR; any thread.
 */
struct RunLayout {
    QString path;  // final file path; the file is written as "<path>.part" (kPartSuffix) and renamed by NexusWriter::finish
    QString title;
    QString planName;
    quint64 runId = 0;
    QString planJson;  // the plan as run, stored as a text dataset
    QString programName = QStringLiteral("Acquila");
    QString programVersion;  // empty = ACQUILA_VERSION
    QString hostname;
    QString user;
    QDateTime startTime;  // empty = now

    std::vector<qint64> scanShape;  // [n], [n0, n1, ...], with repeats as a leading dimension
    std::vector<RunAxis> axes;
    std::vector<RunChannel> channels;  // the first Detector channel is the NXdata @signal
    std::vector<model::DeviceDescription> devices;  // start snapshots, /entry/instrument/<device>

    double flushIntervalS = 0.5;  // NexusWriter::flushIfDue flushes at most this often

    bool snake = false;         // points fill the scan array in snake order (snakeCellMap), else in raster order
    int leadingRasterDims = 0;  // with snake: leading dimensions (repeats) that are never reversed

    /**
     * The layout of a run of `plan`: scan shape, axis names and setpoints come
     * from `gen` (built with the resolved origin), units, dtypes and shapes
     * from `devices`, which are also stored as start snapshots. Linear and
     * grid axes get one Dimension axis per plan axis holding the generator's
     * positions; list and spiral axes are PerPoint and filled from the
     * positions reached. `path`, hostname and user stay empty: the storage
     * side fills them. Fails naming an unknown detector output.
     */
    static util::Result<RunLayout> forPlan(const plan::Plan& plan, const plan::PointGenerator& gen,
                                           const std::vector<model::DeviceDescription>& devices, const RunStart& start = {});

    /** Where each point goes in the scan array, from `snake` and `leadingRasterDims` alone. */
    CellMap cellMap() const;

    /** Every field, for the `layout` field of the storage worker's open command. */
    QCborMap toCbor() const;
    /**
     * Reads toCbor() output. Hostile-input safe: a missing, mistyped or
     * out-of-range field is an error naming it, e.g. "run layout: axes[0]:
     * field 'dimension' must be an integer"; the result also passes the
     * consistency checks of check() (the path may be empty).
     */
    static util::Result<RunLayout> fromCbor(const QCborMap& map);

    /** Number of cells of the scan array (product of scanShape). */
    qint64 cellCount() const;
    /** Empty when consistent, else the first problem (names the field). */
    QString check() const;
    /** As check(), without requiring a path; messages start with "run layout: ". */
    QString checkContent() const;
};

/**
 * The snake rule of PointGenerator for a grid of `shape` whose first
 * `leadingRasterDims` dimensions (repeats) are never reversed: each later
 * dimension reverses direction on every odd pass of the dimensions before it.
 * Pure; the returned map is thread-safe.
 */
CellMap snakeCellMap(std::vector<qint64> shape, int leadingRasterDims = 0);

/** Row-major flat index of `cell` (one index per dimension of `shape`). */
qint64 flatCellIndex(const std::vector<qint64>& shape, const qint64* cell);

/** Dataset name for a channel or axis name: characters outside [A-Za-z0-9_] become '_'. */
QString nexusName(const QString& name);

}  // namespace acquila::storage
