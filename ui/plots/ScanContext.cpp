#include "ui/plots/ScanContext.h"

#include <cmath>
#include <limits>

namespace acquila::ui::plots {

QString ScanAxisInfo::label() const {
    const QString n = name.isEmpty() ? QStringLiteral("point") : name;
    return unit.isEmpty() ? n : QStringLiteral("%1 (%2)").arg(n, unit);
}

double axisPosition(const std::vector<model::DeviceDescription>& devices, const QString& axis) {
    for (const auto& d : devices)
        for (size_t i = 0; i < d.axes.size(); ++i)
            if (d.axes[i].name == axis && i < d.positions.size()) return d.positions[i];
    return std::numeric_limits<double>::quiet_NaN();
}

QString unitOf(const std::vector<model::DeviceDescription>& devices, const QString& name) {
    for (const auto& d : devices) {
        if (const auto* a = d.findAxis(name)) return a->unit;
        if (const auto* o = d.findOutput(name)) return o->unit;
    }
    return {};
}

namespace {
ScanAxisInfo gridAxis(const plan::AxisSpec& a, double origin, const std::vector<model::DeviceDescription>& devices) {
    ScanAxisInfo info;
    info.name = a.device;
    info.unit = unitOf(devices, a.device);
    const double offset = a.relative && std::isfinite(origin) ? origin : 0;
    const double start = a.start + offset;
    const double stop = a.stop + offset;
    info.descending = stop < start;
    info.lo = std::min(start, stop);
    info.hi = std::max(start, stop);
    info.steps = static_cast<int>(std::max<qint64>(1, a.steps));
    return info;
}
}  // namespace

util::Result<ScanContext> makeScanContext(const plan::Plan& plan, const std::vector<model::DeviceDescription>& devices) {
    std::vector<double> origin;
    for (const auto& a : plan.axes) {
        const double p = axisPosition(devices, a.device);
        origin.push_back(std::isfinite(p) ? p : 0.0);
    }
    auto gen = plan::PointGenerator::create(plan, origin);
    if (!gen) return util::Result<ScanContext>::failure(gen.error());
    ScanContext s;
    s.plan = plan;
    s.generator = std::shared_ptr<const plan::PointGenerator>(std::move(*gen));
    s.total = s.generator->size();
    const size_t n = plan.axes.size();
    if (plan.type == plan::ScanType::Grid && n >= 2) {
        s.isMap = true;
        s.x = gridAxis(plan.axes[n - 1], origin[n - 1], devices);
        s.y = gridAxis(plan.axes[n - 2], origin[n - 2], devices);
    } else if ((plan.type == plan::ScanType::Linear || plan.type == plan::ScanType::Grid) && n == 1) {
        s.x = gridAxis(plan.axes[0], origin[0], devices);
    } else {
        s.x.lo = 0;
        s.x.hi = static_cast<double>(std::max<qint64>(0, s.total - 1));
        s.x.steps = static_cast<int>(std::min<qint64>(s.total, std::numeric_limits<int>::max()));
    }
    return s;
}

bool mapCell(const ScanContext& scan, qint64 index, int* ix, int* iy) {
    if (!scan.isMap || !scan.generator || index < 0 || index >= scan.total) return false;
    const std::vector<qint64> shape = scan.generator->shape();
    if (shape.size() < 2) return false;
    std::vector<qint64> cell(shape.size());
    scan.generator->cell(index, cell.data());
    int x = static_cast<int>(cell[cell.size() - 1]);
    int y = static_cast<int>(cell[cell.size() - 2]);
    if (scan.x.descending) x = scan.x.steps - 1 - x;
    if (scan.y.descending) y = scan.y.steps - 1 - y;
    *ix = x;
    *iy = y;
    return true;
}

}  // namespace acquila::ui::plots
