#include "ui/plots/GridBuffer.h"

#include <cmath>
#include <limits>

namespace acquila::ui::plots {

GridBuffer::GridBuffer(int nx, int ny) : nx_(qMax(0, nx)), ny_(qMax(0, ny)) { clear(); }

void GridBuffer::clear() {
    values_.assign(static_cast<size_t>(nx_) * static_cast<size_t>(ny_), std::numeric_limits<double>::quiet_NaN());
    filled_ = 0;
    min_ = std::numeric_limits<double>::infinity();
    max_ = -std::numeric_limits<double>::infinity();
}

bool GridBuffer::set(int ix, int iy, double value) {
    if (ix < 0 || iy < 0 || ix >= nx_ || iy >= ny_) return false;
    double& cell = values_[static_cast<size_t>(iy) * nx_ + ix];
    if (std::isnan(cell) && !std::isnan(value)) ++filled_;
    cell = value;
    if (std::isfinite(value)) {
        min_ = std::min(min_, value);
        max_ = std::max(max_, value);
    }
    return true;
}

double GridBuffer::at(int ix, int iy) const {
    if (ix < 0 || iy < 0 || ix >= nx_ || iy >= ny_) return std::numeric_limits<double>::quiet_NaN();
    return values_[static_cast<size_t>(iy) * nx_ + ix];
}

}  // namespace acquila::ui::plots
