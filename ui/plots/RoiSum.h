#pragma once
#include "core/model/ResultBatch.h"

#include <QString>
#include <utility>
#include <vector>

namespace acquila::ui::plots {

/** A rectangle of image pixels, inclusive bounds: columns x0..x1, rows y0..y1. */
struct Roi {
    int x0 = 0;
    int y0 = 0;
    int x1 = -1;
    int y1 = -1;
    bool operator==(const Roi&) const = default;
};

/** Clamps `roi` into a width x height image (ordering its corners); empty when the image is. */
Roi clampRoi(Roi roi, int width, int height);

/**
 * Sum of the ROI's pixels in image `point` of a 2D channel (pointShape
 * {height, width}, row-major, any dtype); corners in any order, clamped to
 * the image. NaN when the channel is not 2D or the image is empty. Pure function, any thread.
 */
double roiSum(const model::Channel& channel, qint64 point, Roi roi);

/** (point index, ROI sum) of every point of `detector` in `batches`. Pure function, any thread. */
std::vector<std::pair<qint64, double>> roiSums(const std::vector<model::ResultBatchPtr>& batches, const QString& detector, Roi roi);

}  // namespace acquila::ui::plots
