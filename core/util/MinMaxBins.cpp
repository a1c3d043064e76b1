#include "core/util/MinMaxBins.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace acquila::util {

MinMaxBins::MinMaxBins(qint64 total, int maxBins)
    : total_(std::max<qint64>(total, 0)),
      perBin_(std::max<qint64>(1, (total_ + std::max(maxBins, 1) - 1) / std::max(maxBins, 1))),
      bins_(static_cast<size_t>((total_ + perBin_ - 1) / perBin_)) {}

void MinMaxBins::add(qint64 first, const double* values, qint64 n) {
    // Walk one bin's index range at a time: no division and one bin lookup per
    // range instead of per value (this loop dominates a 10^8-value preview).
    qint64 at = std::max<qint64>(first, 0);
    const qint64 end = std::min(first + n, total_);
    while (at < end) {
        const qint64 bin = at / perBin_;
        const qint64 stop = std::min(end, (bin + 1) * perBin_);
        Bin& b = bins_[static_cast<size_t>(bin)];
        double mn = b.min, mx = b.max;
        qint64 mnAt = b.minAt, mxAt = b.maxAt;
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
        b = Bin{mn, mx, mnAt, mxAt};
    }
}

void MinMaxBins::clear() { std::fill(bins_.begin(), bins_.end(), Bin{}); }

void MinMaxBins::points(QVector<double>& xs, QVector<double>& ys) const {
    collect([](qint64 i) { return static_cast<double>(i); }, false, xs, ys);
}

void MinMaxBins::curve(const std::function<double(qint64)>& keyOf, QVector<double>& xs, QVector<double>& ys) const {
    collect(keyOf, true, xs, ys);
}

void MinMaxBins::collect(const std::function<double(qint64)>& keyOf, bool breakGaps, QVector<double>& xs, QVector<double>& ys) const {
    xs.clear();
    ys.clear();
    xs.reserve(static_cast<qsizetype>(bins_.size() * 2));
    ys.reserve(static_cast<qsizetype>(bins_.size() * 2));
    qint64 lastFilled = -1;
    for (size_t i = 0; i < bins_.size(); ++i)
        if (bins_[i].minAt >= 0) lastFilled = static_cast<qint64>(i);
    bool inGap = true;
    for (qint64 i = 0; i <= lastFilled; ++i) {
        const Bin& b = bins_[static_cast<size_t>(i)];
        if (b.minAt < 0) {
            if (breakGaps && !inGap) {
                xs << keyOf(i * perBin_);
                ys << std::numeric_limits<double>::quiet_NaN();
            }
            inGap = true;
            continue;
        }
        inGap = false;
        const bool minFirst = b.minAt <= b.maxAt;
        xs << keyOf(minFirst ? b.minAt : b.maxAt);
        ys << (minFirst ? b.min : b.max);
        if (b.minAt != b.maxAt) {
            xs << keyOf(minFirst ? b.maxAt : b.minAt);
            ys << (minFirst ? b.max : b.min);
        }
    }
}

qint64 MinMaxBins::strideFor(qint64 extent, qint64 target) {
    if (target <= 0 || extent <= target) return 1;
    return (extent + target - 1) / target;
}

}  // namespace acquila::util
