#include "core/plan/PointGenerator.h"

#include "core/plan/CountGenerator.h"
#include "core/plan/GridGenerator.h"
#include "core/plan/ListGenerator.h"
#include "core/plan/SpiralGenerator.h"

namespace acquila::plan {

namespace {
using GeneratorResult = util::Result<std::unique_ptr<PointGenerator>>;

/** Points of one pass times repeats, or -1 if above kMaxPlanPoints. */
qint64 checkedTotal(qint64 scanSize, qint64 repeats) {
    if (scanSize > kMaxPlanPoints || repeats > kMaxPlanPoints / scanSize) return -1;
    return scanSize * repeats;
}

QStringList planAxisNames(const Plan& plan) {
    QStringList n;
    for (const AxisSpec& a : plan.axes) n << a.device;
    return n;
}
}  // namespace

GeneratorResult PointGenerator::create(const Plan& plan, const std::vector<double>& origin) {
    const QString label = QStringLiteral("plan '%1': ").arg(plan.name);
    const auto fail = [&](const QString& what) { return GeneratorResult::failure(label + what); };
    if (plan.repeats < 1) return fail(QStringLiteral("repeats must be >= 1"));
    if (!origin.empty() && origin.size() != plan.axes.size())
        return fail(QStringLiteral("expected %1 origin positions (one per axis), got %2").arg(plan.axes.size()).arg(origin.size()));
    std::vector<double> offsets(plan.axes.size(), 0.0);
    for (size_t k = 0; k < plan.axes.size(); ++k)
        if (plan.axes[k].relative && !origin.empty()) offsets[k] = origin[k];
    const auto tooMany = [&] { return fail(QStringLiteral("more than %1 points").arg(kMaxPlanPoints)); };

    switch (plan.type) {
        case ScanType::Count:
            if (!plan.axes.empty()) return fail(QStringLiteral("a count scan moves no axes"));
            if (plan.count < 1) return fail(QStringLiteral("a count scan needs at least 1 point"));
            if (checkedTotal(plan.count, plan.repeats) < 0) return tooMany();
            return std::unique_ptr<PointGenerator>(new CountGenerator(plan.count, plan.repeats));
        case ScanType::Linear:
        case ScanType::Grid: {
            if (plan.type == ScanType::Linear && plan.axes.size() != 1)
                return fail(QStringLiteral("a linear scan needs exactly 1 axis, got %1").arg(plan.axes.size()));
            if (plan.axes.empty()) return fail(QStringLiteral("a grid scan needs at least 1 axis"));
            std::vector<GridGenerator::Axis> axes;
            qint64 n = 1;
            for (size_t k = 0; k < plan.axes.size(); ++k) {
                const AxisSpec& a = plan.axes[k];
                if (a.steps < 1) return fail(QStringLiteral("axis '%1' needs steps >= 1").arg(a.device));
                if (a.steps > kMaxPlanPoints / n) return tooMany();
                n *= a.steps;
                axes.push_back({a.device, a.start + offsets[k], a.stop + offsets[k], a.steps});
            }
            if (checkedTotal(n, plan.repeats) < 0) return tooMany();
            return std::unique_ptr<PointGenerator>(new GridGenerator(std::move(axes), plan.snake, plan.repeats));
        }
        case ScanType::List: {
            if (plan.axes.empty()) return fail(QStringLiteral("a list scan needs at least 1 axis"));
            std::vector<std::vector<double>> columns;
            for (const AxisSpec& a : plan.axes) {
                if (a.points.empty() || a.points.size() != plan.axes.front().points.size())
                    return fail(QStringLiteral("every axis of a list scan needs the same number (>= 1) of points"));
                columns.push_back(a.points);
            }
            if (checkedTotal(static_cast<qint64>(columns.front().size()), plan.repeats) < 0) return tooMany();
            return std::unique_ptr<PointGenerator>(
                new ListGenerator(planAxisNames(plan), std::move(columns), std::move(offsets), plan.repeats));
        }
        case ScanType::Spiral: {
            if (plan.axes.size() != 2) return fail(QStringLiteral("a spiral scan needs exactly 2 axes, got %1").arg(plan.axes.size()));
            if (!(plan.spiralRadius > 0) || !(plan.spiralStep > 0))
                return fail(QStringLiteral("a spiral scan needs radius > 0 and step > 0"));
            if (checkedTotal(SpiralGenerator::pointCount(plan.spiralRadius, plan.spiralStep), plan.repeats) < 0) return tooMany();
            return std::unique_ptr<PointGenerator>(new SpiralGenerator(planAxisNames(plan), plan.axes[0].center + offsets[0],
                                                                       plan.axes[1].center + offsets[1], plan.spiralRadius,
                                                                       plan.spiralStep, plan.repeats));
        }
    }
    return fail(QStringLiteral("unknown scan type"));
}

}  // namespace acquila::plan
