#pragma once
#include <QVector>
#include <cstdint>
#include <vector>

namespace acquila::ui {

/**
 * Reduces a long 1D series, fed block by block in order, to the minimum and the
 * maximum of each of `columns` equal index ranges (one per pixel column), so
 * spikes stay visible however long the series. Pure logic, any thread.
 */
class MinMaxDecimator {
public:
    /** `length` samples in total, reduced to at most 2 * `columns` points. */
    MinMaxDecimator(qint64 length, int columns);

    /** Adds samples [first, first + n); NaNs are skipped. Blocks may come in any order. */
    void add(qint64 first, const double* values, qint64 n);

    /** Points (sample index, value), min and max of each column in index order. */
    void result(QVector<double>& x, QVector<double>& y) const;

    /** Index stride giving at most `target` samples out of `extent` (>= 1). */
    static qint64 strideFor(qint64 extent, qint64 target);

private:
    struct Column {
        double min = 0, max = 0;
        qint64 minAt = -1, maxAt = -1;
    };
    qint64 length_;
    qint64 perColumn_;
    std::vector<Column> columns_;
};

}  // namespace acquila::ui
