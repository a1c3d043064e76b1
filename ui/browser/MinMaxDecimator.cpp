#include "ui/browser/MinMaxDecimator.h"
#include <algorithm>
#include <cmath>

namespace acquila::ui {

MinMaxDecimator::MinMaxDecimator(qint64 length, int columns)
    : length_(std::max<qint64>(length, 0)),
      perColumn_(std::max<qint64>(1, (length_ + std::max(columns, 1) - 1) / std::max(columns, 1))),
      columns_(size_t((length_ + perColumn_ - 1) / perColumn_)) {}

void MinMaxDecimator::add(qint64 first, const double* values, qint64 n) {
    // Walk one column's index range at a time: no division and one column lookup per
    // range instead of per sample (this loop dominates a 10^8-sample preview).
    qint64 at = std::max<qint64>(first, 0);
    const qint64 end = std::min(first + n, length_);
    while (at < end) {
        const qint64 col = at / perColumn_;
        const qint64 stop = std::min(end, (col + 1) * perColumn_);
        Column& c = columns_[size_t(col)];
        double mn = c.min, mx = c.max;
        qint64 mnAt = c.minAt, mxAt = c.maxAt;
        for (const double* v = values + (at - first); at < stop; ++at, ++v) {
            if (std::isnan(*v)) continue;
            if (mnAt < 0 || *v < mn) {
                mn = *v;
                mnAt = at;
            }
            if (mxAt < 0 || *v > mx) {
                mx = *v;
                mxAt = at;
            }
        }
        c.min = mn;
        c.max = mx;
        c.minAt = mnAt;
        c.maxAt = mxAt;
    }
}

void MinMaxDecimator::result(QVector<double>& x, QVector<double>& y) const {
    x.clear();
    y.clear();
    x.reserve(qsizetype(columns_.size() * 2));
    y.reserve(qsizetype(columns_.size() * 2));
    for (const Column& c : columns_) {
        if (c.minAt < 0) continue;
        const bool minFirst = c.minAt <= c.maxAt;
        x << double(minFirst ? c.minAt : c.maxAt);
        y << (minFirst ? c.min : c.max);
        if (c.minAt != c.maxAt) {
            x << double(minFirst ? c.maxAt : c.minAt);
            y << (minFirst ? c.max : c.min);
        }
    }
}

qint64 MinMaxDecimator::strideFor(qint64 extent, qint64 target) {
    if (target <= 0 || extent <= target) return 1;
    return (extent + target - 1) / target;
}

}  // namespace acquila::ui
