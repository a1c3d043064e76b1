#include "core/plan/PlanEstimate.h"

#include "core/plan/Plan.h"
#include "core/plan/PointGenerator.h"

#include <algorithm>
#include <limits>

namespace acquila::plan {

QString formatBytes(double bytes) {
    const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) return QStringLiteral("%1 bytes").arg(bytes, 0, 'f', 0);
    int u = -1;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    return QStringLiteral("%1 %2").arg(bytes, 0, 'f', 1).arg(QLatin1String(units[u]));
}

PlanEstimate estimatePlan(const Plan& plan, const std::vector<model::DeviceDescription>& devices, int workers) {
    PlanEstimate e;
    auto gen = PointGenerator::create(plan, std::vector<double>(plan.axes.size(), 0.0));
    e.points = gen ? gen.value()->size() : 0;
    e.bytesPerPoint = 2 * 8 + static_cast<qint64>(plan.axes.size()) * 8;  // timestamp, point index, positions
    for (const QString& det : plan.detectors)
        for (const auto& d : devices)
            if (const model::OutputDecl* o = d.findOutput(det)) e.bytesPerPoint += o->bytesPerPoint();
    const qint64 max = std::numeric_limits<qint64>::max();
    e.fileBytes = e.points > 0 && e.bytesPerPoint > max / e.points ? max : e.bytesPerPoint * e.points;
    // Timed count scans pace points one after the other; otherwise the workers share the points.
    const int parallel = plan.intervalS > 0 ? 1 : std::max(1, workers);
    e.seconds = static_cast<double>(e.points) * std::max(plan.intervalS, plan.settleS + plan.exposureS) / parallel;
    return e;
}

QString PlanEstimate::text() const {
    return QStringLiteral("%1 points x %2 bytes = about %3, at least %4 s")
        .arg(points)
        .arg(bytesPerPoint)
        .arg(formatBytes(static_cast<double>(fileBytes)))
        .arg(seconds, 0, 'f', 1);
}

}  // namespace acquila::plan
