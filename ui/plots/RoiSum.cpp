#include "ui/plots/RoiSum.h"

#include "ui/plots/ChannelValues.h"

#include <limits>
#include <utility>

namespace acquila::ui::plots {

Roi clampRoi(Roi roi, int width, int height) {
    if (roi.x0 > roi.x1) std::swap(roi.x0, roi.x1);
    if (roi.y0 > roi.y1) std::swap(roi.y0, roi.y1);
    if (width <= 0 || height <= 0) return Roi{};
    roi.x0 = qBound(0, roi.x0, width - 1);
    roi.x1 = qBound(0, roi.x1, width - 1);
    roi.y0 = qBound(0, roi.y0, height - 1);
    roi.y1 = qBound(0, roi.y1, height - 1);
    return roi;
}

double roiSum(const model::Channel& channel, qint64 point, Roi roi) {
    if (channel.pointShape.size() != 2) return std::numeric_limits<double>::quiet_NaN();
    const int height = static_cast<int>(channel.pointShape[0]);
    const int width = static_cast<int>(channel.pointShape[1]);
    roi = clampRoi(roi, width, height);
    if (roi.x0 > roi.x1) return std::numeric_limits<double>::quiet_NaN();
    const qint64 base = point * static_cast<qint64>(width) * height;
    double sum = 0;
    for (int y = roi.y0; y <= roi.y1; ++y)
        for (int x = roi.x0; x <= roi.x1; ++x) sum += channelValue(channel, base + static_cast<qint64>(y) * width + x);
    return sum;
}

std::vector<std::pair<qint64, double>> roiSums(const std::vector<model::ResultBatchPtr>& batches, const QString& detector, Roi roi) {
    std::vector<std::pair<qint64, double>> out;
    for (const auto& b : batches) {
        const model::Channel* c = b ? b->find(detector) : nullptr;
        if (!c) continue;
        for (qint64 i = 0; i < b->count; ++i) out.emplace_back(b->first + i, roiSum(*c, i, roi));
    }
    return out;
}

}  // namespace acquila::ui::plots
