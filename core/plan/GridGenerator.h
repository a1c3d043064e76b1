#pragma once
#include "core/plan/ScanGenerator.h"

namespace acquila::plan {

/**
 * Linear (one axis) and N-D grid scans. The first axis is the slowest. With
 * snake, axis k runs backwards on every odd pass of the axes before it, so
 * consecutive points differ by one step of one axis. Shape [n0, n1, ...];
 * cells are the indices along each axis of the visited position.
 */
class GridGenerator final : public ScanGenerator<GridGenerator> {
public:
    struct Axis {
        QString name;
        double start = 0;  // absolute (origin already added)
        double stop = 0;
        qint64 steps = 1;
    };
    GridGenerator(std::vector<Axis> axes, bool snake, qint64 repeats);

    std::vector<qint64> scanShape() const;
    void scanPositions(qint64 j, double* out) const {
        forEachIndex(j, [&](size_t k, qint64 c) {
            const Axis& a = axes_[k];
            // Endpoints exact; the product before the division keeps e.g. 0.1 steps as round as they can be.
            if (c == 0)
                out[k] = a.start;
            else if (c == a.steps - 1)
                out[k] = a.stop;
            else
                out[k] = a.start + static_cast<double>(c) * (a.stop - a.start) / static_cast<double>(a.steps - 1);
        });
    }
    void scanCell(qint64 j, qint64* out) const {
        forEachIndex(j, [&](size_t k, qint64 c) { out[k] = c; });
    }

private:
    /** Calls f(k, index along axis k) for each axis, fastest first: one integer division per axis. */
    template <typename F>
    void forEachIndex(qint64 j, F&& f) const {
        qint64 rest = j;
        for (size_t k = axes_.size(); k-- > 0;) {
            const qint64 steps = axes_[k].steps;
            const qint64 slower = rest / steps;  // flat index over the slower axes = passes of axis k done so far
            qint64 c = rest - slower * steps;
            if (snake_ && (slower & 1)) c = steps - 1 - c;
            f(k, c);
            rest = slower;
        }
    }

    static QStringList names(const std::vector<Axis>& axes);

    std::vector<Axis> axes_;
    bool snake_;
};

}  // namespace acquila::plan
