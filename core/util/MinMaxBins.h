#pragma once
#include <QVector>
#include <QtGlobal>
#include <functional>
#include <vector>

namespace acquila::util {

/**
 * A long 1D series reduced to at most `maxBins` equal index bins, each keeping
 * its minimum and maximum (and where they are). Series up to `maxBins` values
 * keep every value; longer ones keep the extremes of each bin, so a spike is
 * never lost while drawing costs the same at 10^3 and 10^8 values. Values may
 * arrive one by one or block by block, in any order. Pure logic; use from one
 * thread at a time.
 */
class MinMaxBins {
public:
    /** Indices [0, `total`) in at most `maxBins` bins. */
    MinMaxBins(qint64 total, int maxBins);

    /** Adds the value at `index`; NaNs and indices outside [0, total) are skipped. */
    void add(qint64 index, double value) { add(index, &value, 1); }
    /** Adds values [first, first + n), as add(index, value) does for each. */
    void add(qint64 first, const double* values, qint64 n);
    void clear();
    qint64 total() const { return total_; }

    /** Points (index, value), min and max of each filled bin in index order; empty bins are left out. */
    void points(QVector<double>& xs, QVector<double>& ys) const;
    /**
     * The same as a line with x = `keyOf(index)`: an empty stretch between filled
     * bins becomes one NaN point (a break); the empty bins after the last filled
     * one (the unmeasured tail of a running scan) are left out.
     */
    void curve(const std::function<double(qint64)>& keyOf, QVector<double>& xs, QVector<double>& ys) const;

    /** Index stride giving at most `target` samples out of `extent` (>= 1). */
    static qint64 strideFor(qint64 extent, qint64 target);

private:
    struct Bin {
        double min = 0, max = 0;
        qint64 minAt = -1, maxAt = -1;
    };
    void collect(const std::function<double(qint64)>& keyOf, bool breakGaps, QVector<double>& xs, QVector<double>& ys) const;

    qint64 total_;
    qint64 perBin_;
    std::vector<Bin> bins_;
};

}  // namespace acquila::util
