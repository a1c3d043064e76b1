#include "ui/browser/MinMaxDecimator.h"
#include <algorithm>
#include <cmath>

namespace acquila::ui {

MinMaxDecimator::MinMaxDecimator(qint64 length, int columns)
    : length_(std::max<qint64>(length, 0)),
      perColumn_(std::max<qint64>(1, (length_ + std::max(columns, 1) - 1) / std::max(columns, 1))),
      columns_(size_t((length_ + perColumn_ - 1) / perColumn_)) {}

void MinMaxDecimator::add(qint64 first, const double* values, qint64 n) {
    for (qint64 i = 0; i < n; ++i) {
        const double v = values[i];
        if (std::isnan(v)) continue;
        const qint64 at = first + i;
        if (at < 0 || at >= length_) continue;
        Column& c = columns_[size_t(at / perColumn_)];
        if (c.minAt < 0 || v < c.min) {
            c.min = v;
            c.minAt = at;
        }
        if (c.maxAt < 0 || v > c.max) {
            c.max = v;
            c.maxAt = at;
        }
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
