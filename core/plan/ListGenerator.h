#pragma once
#include "core/plan/ScanGenerator.h"

namespace acquila::plan {

/** List / table scan: stored points, one column per axis; shape [n]. */
class ListGenerator final : public ScanGenerator<ListGenerator> {
public:
    /** `columns[k]` holds axis k's value per point, all the same length >= 1; `offsets[k]` is added to each. */
    ListGenerator(QStringList names, std::vector<std::vector<double>> columns, std::vector<double> offsets, qint64 repeats)
        : ScanGenerator(std::move(names), static_cast<qint64>(columns.front().size()), repeats),
          columns_(std::move(columns)),
          offsets_(std::move(offsets)) {}

    std::vector<qint64> scanShape() const { return {static_cast<qint64>(columns_.front().size())}; }
    void scanPositions(qint64 j, double* out) const {
        for (size_t k = 0; k < columns_.size(); ++k) out[k] = columns_[k][static_cast<size_t>(j)] + offsets_[k];
    }
    void scanCell(qint64 j, qint64* out) const { out[0] = j; }

private:
    std::vector<std::vector<double>> columns_;
    std::vector<double> offsets_;
};

}  // namespace acquila::plan
