#pragma once
#include <QtGlobal>
#include <vector>

namespace acquila::ui::plots {

/**
 * A 2D buffer of doubles filled in as points arrive, in any order. Unmeasured
 * cells are NaN. Tracks the range of measured values and the number of
 * filled cells. Pure logic, no widgets; one thread at a time.
 */
class GridBuffer {
public:
    GridBuffer() = default;
    GridBuffer(int nx, int ny);

    /** Stores `value` at (ix, iy); ignores cells outside the grid. Returns false then. */
    bool set(int ix, int iy, double value);
    /** NaN when unmeasured or outside. */
    double at(int ix, int iy) const;
    int nx() const { return nx_; }
    int ny() const { return ny_; }
    qint64 filled() const { return filled_; }
    /** Finite min/max of the measured values; min > max while nothing finite was stored. */
    double min() const { return min_; }
    double max() const { return max_; }
    void clear();

private:
    int nx_ = 0;
    int ny_ = 0;
    std::vector<double> values_;  // ny_ rows of nx_ values
    qint64 filled_ = 0;
    double min_;
    double max_;
};

}  // namespace acquila::ui::plots
