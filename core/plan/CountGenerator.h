#pragma once
#include "core/plan/ScanGenerator.h"

namespace acquila::plan {

/** Count / time series: `count` points that move nothing; shape [count]. */
class CountGenerator final : public ScanGenerator<CountGenerator> {
public:
    CountGenerator(qint64 count, qint64 repeats) : ScanGenerator({}, count, repeats), count_(count) {}

    std::vector<qint64> scanShape() const { return {count_}; }
    void scanPositions(qint64, double*) const {}
    void scanCell(qint64 j, qint64* out) const { out[0] = j; }

private:
    qint64 count_;
};

}  // namespace acquila::plan
