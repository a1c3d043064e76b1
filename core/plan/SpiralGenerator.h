#pragma once
#include "core/plan/ScanGenerator.h"

#include <cmath>
#include <numbers>

namespace acquila::plan {

/**
 * Fermat spiral over two axes: point i lies at radius step*sqrt(i) and angle
 * i times the golden angle (about 137.508 degrees) around the center, which
 * covers the disc with evenly spaced points. Every point with radius <=
 * `radius` is visited; shape [n].
 */
class SpiralGenerator final : public ScanGenerator<SpiralGenerator> {
public:
    /** Golden angle in radians: pi * (3 - sqrt(5)). */
    static constexpr double kGoldenAngle = 2.0 * std::numbers::pi * (2.0 - std::numbers::phi);

    SpiralGenerator(QStringList names, double centerX, double centerY, double radius, double step, qint64 repeats)
        : ScanGenerator(std::move(names), pointCount(radius, step), repeats),
          cx_(centerX), cy_(centerY), step_(step), count_(pointCount(radius, step)) {}

    /** Number of points i >= 0 with step*sqrt(i) <= radius (radius, step > 0). */
    static qint64 pointCount(double radius, double step);

    std::vector<qint64> scanShape() const { return {count_}; }
    void scanPositions(qint64 j, double* out) const {
        const double i = static_cast<double>(j);
        const double r = step_ * std::sqrt(i);
        const double a = i * kGoldenAngle;
        out[0] = cx_ + r * std::cos(a);
        out[1] = cy_ + r * std::sin(a);
    }
    void scanCell(qint64 j, qint64* out) const { out[0] = j; }

private:
    double cx_, cy_, step_;
    qint64 count_;
};

}  // namespace acquila::plan
