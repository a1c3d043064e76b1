#pragma once
#include "core/plan/PointGenerator.h"

#include <utility>

namespace acquila::plan {

/**
 * Shared part of the point generators: repeats and axis names. `Derived`
 * describes one pass of the scan with scanShape(), scanPositions(j, out) and
 * scanCell(j, out) for 0 <= j < scanSize; the calls are resolved statically so
 * the per-point path costs two integer divisions and no allocation.
 */
template <typename Derived>
class ScanGenerator : public PointGenerator {
public:
    qint64 size() const final { return repeats_ * scanSize_; }
    std::vector<qint64> shape() const final {
        std::vector<qint64> s;
        if (repeats_ > 1) s.push_back(repeats_);
        for (qint64 d : self().scanShape()) s.push_back(d);
        return s;
    }
    int axisCount() const final { return static_cast<int>(axisNames_.size()); }
    QStringList axisNames() const final { return axisNames_; }
    void positions(qint64 index, double* out) const final { self().scanPositions(index % scanSize_, out); }
    void cell(qint64 index, qint64* out) const final {
        if (repeats_ > 1) *out++ = index / scanSize_;
        self().scanCell(index % scanSize_, out);
    }

protected:
    ScanGenerator(QStringList axisNames, qint64 scanSize, qint64 repeats)
        : axisNames_(std::move(axisNames)), scanSize_(scanSize), repeats_(repeats) {}

private:
    const Derived& self() const { return static_cast<const Derived&>(*this); }

    QStringList axisNames_;
    qint64 scanSize_;  // points in one pass, >= 1
    qint64 repeats_;   // >= 1
};

}  // namespace acquila::plan
