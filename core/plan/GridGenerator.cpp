#include "core/plan/GridGenerator.h"

namespace acquila::plan {

namespace {
qint64 product(const std::vector<GridGenerator::Axis>& axes) {
    qint64 n = 1;
    for (const auto& a : axes) n *= a.steps;
    return n;
}
}  // namespace

GridGenerator::GridGenerator(std::vector<Axis> axes, bool snake, qint64 repeats)
    : ScanGenerator(names(axes), product(axes), repeats), axes_(std::move(axes)), snake_(snake) {}

std::vector<qint64> GridGenerator::scanShape() const {
    std::vector<qint64> s;
    for (const auto& a : axes_) s.push_back(a.steps);
    return s;
}

QStringList GridGenerator::names(const std::vector<Axis>& axes) {
    QStringList n;
    for (const auto& a : axes) n << a.name;
    return n;
}

}  // namespace acquila::plan
