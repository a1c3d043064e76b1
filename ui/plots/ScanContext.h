#pragma once
#include "core/model/DeviceDescription.h"
#include "core/plan/Plan.h"
#include "core/plan/PointGenerator.h"
#include "core/util/Result.h"

#include <memory>

namespace acquila::ui::plots {

/** One plotted scan axis: label with unit and the range of cell centres (ascending). */
struct ScanAxisInfo {
    QString name;  // full axis name, also the name of its result channel; empty = point index
    QString unit;
    double lo = 0;
    double hi = 0;
    int steps = 0;
    bool descending = false;  // plan goes from high to low: cell indices are mirrored
    QString label() const;
};

/**
 * What the plots need to know about a started run: the plan, a point
 * generator to place points (snake-aware), and whether points form a 2D map
 * (grid scans with two or more axes: the last two) or a line (everything
 * else: against the first axis for linear scans, the point index otherwise).
 * A value type built on the GUI thread without device access.
 */
struct ScanContext {
    plan::Plan plan;
    std::shared_ptr<const plan::PointGenerator> generator;
    qint64 total = 0;
    bool isMap = false;
    ScanAxisInfo x;  // map: fast (last) axis; line: key axis
    ScanAxisInfo y;  // map only: second to last axis
};

/** Builds the context; relative axes add the positions the devices reported. */
util::Result<ScanContext> makeScanContext(const plan::Plan& plan, const std::vector<model::DeviceDescription>& devices);

/** Map cell of point `index` (x = column, y = row); false when not a map or out of range. */
bool mapCell(const ScanContext& scan, qint64 index, int* ix, int* iy);

/** Current position of a full axis name as the devices last reported it; NaN if unknown. */
double axisPosition(const std::vector<model::DeviceDescription>& devices, const QString& axis);
/** Unit of an axis or detector output (full name); empty if unknown. */
QString unitOf(const std::vector<model::DeviceDescription>& devices, const QString& name);

}  // namespace acquila::ui::plots
