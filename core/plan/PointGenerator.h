#pragma once
#include "core/plan/Plan.h"
#include "core/util/Result.h"

#include <QStringList>
#include <memory>
#include <vector>

namespace acquila::plan {

/**
 * Lazy, random-access point generator: positions of point i are computed on
 * demand, so a 10^7-point grid costs no memory up front. Deterministic; the
 * same plan gives the same points in every process. Const methods are
 * thread-safe.
 *
 * Index order: repeats outermost, then the scan. For grids the first axis is
 * the slowest; with snake, each axis after the first reverses direction on
 * every odd pass of the axes before it.
 */
class PointGenerator {
public:
    virtual ~PointGenerator() = default;

    /** Builds the generator. `origin` holds, per plan axis, the position at run start (used by relative axes). */
    static util::Result<std::unique_ptr<PointGenerator>> create(const Plan& plan, const std::vector<double>& origin = {});

    /** Total number of points, repeats included. */
    virtual qint64 size() const = 0;
    /** Shape of the scan for storage: [repeats,] then [n] or grid [n0, n1, ...]. Product == size(). */
    virtual std::vector<qint64> shape() const = 0;
    /** Number of axes moved per point (0 for count scans). */
    virtual int axisCount() const = 0;
    /** Full axis names, in plan order. */
    virtual QStringList axisNames() const = 0;
    /** Writes axisCount() absolute positions of point `index` to `out`. */
    virtual void positions(qint64 index, double* out) const = 0;
    /** Writes shape().size() cell indices of point `index` (where it lands in the scan array). */
    virtual void cell(qint64 index, qint64* out) const = 0;
};

}  // namespace acquila::plan
