#include "core/plan/SpiralGenerator.h"

#include <limits>

namespace acquila::plan {

qint64 SpiralGenerator::pointCount(double radius, double step) {
    const double q = radius / step;
    if (!(q * q < 9e15)) return std::numeric_limits<qint64>::max();
    // floor(q^2) + 1 up to rounding; settle the boundary with the same formula the points use.
    qint64 n = static_cast<qint64>(std::floor(q * q)) + 1;
    while (n > 1 && step * std::sqrt(static_cast<double>(n - 1)) > radius) --n;
    while (step * std::sqrt(static_cast<double>(n)) <= radius) ++n;
    return n;
}

}  // namespace acquila::plan
