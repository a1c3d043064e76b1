#include "ui/plots/LineBins.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace acquila::ui {

LineBins::LineBins(qint64 total, int maxBins)
    : total_(std::max<qint64>(total, 0)),
      perBin_(std::max<qint64>(1, (total_ + std::max(maxBins, 1) - 1) / std::max(maxBins, 1))),
      bins_(static_cast<size_t>((total_ + perBin_ - 1) / perBin_)) {}

void LineBins::add(qint64 index, double value) {
    if (index < 0 || index >= total_ || std::isnan(value)) return;
    Bin& b = bins_[static_cast<size_t>(index / perBin_)];
    if (b.minAt < 0 || value < b.min) {
        b.min = value;
        b.minAt = index;
    }
    if (b.maxAt < 0 || value > b.max) {
        b.max = value;
        b.maxAt = index;
    }
}

void LineBins::clear() { std::fill(bins_.begin(), bins_.end(), Bin{}); }

void LineBins::curve(const std::function<double(qint64)>& keyOf, QVector<double>& xs, QVector<double>& ys) const {
    xs.clear();
    ys.clear();
    xs.reserve(static_cast<qsizetype>(bins_.size() * 2));
    ys.reserve(static_cast<qsizetype>(bins_.size() * 2));
    // Gaps are only drawn between measured stretches: the unmeasured tail of a running scan is not a gap.
    qint64 lastFilled = -1;
    for (size_t i = 0; i < bins_.size(); ++i)
        if (bins_[i].minAt >= 0) lastFilled = static_cast<qint64>(i);
    bool inGap = true;
    for (qint64 i = 0; i <= lastFilled; ++i) {
        const Bin& b = bins_[static_cast<size_t>(i)];
        if (b.minAt < 0) {
            if (!inGap) {
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

}  // namespace acquila::ui
