// validatePlan: checks of a parsed plan against the devices the workers described.
#include "core/plan/Plan.h"

#include "core/model/DeviceTarget.h"

#include <QFileInfo>
#include <QLocale>
#include <algorithm>
#include <optional>

namespace acquila::plan {

namespace {
QString number(double v) { return QString::number(v, 'g', QLocale::FloatingPointShortest); }

struct FoundAxis {
    const model::DeviceDescription* device = nullptr;
    const model::AxisDecl* decl = nullptr;
    std::optional<double> current;  // position at validation time, when the device reported it
};

FoundAxis findAxis(const std::vector<model::DeviceDescription>& devices, const QString& name) {
    for (const model::DeviceDescription& d : devices) {
        for (size_t i = 0; i < d.axes.size(); ++i) {
            if (d.axes[i].name != name) continue;
            FoundAxis f{&d, &d.axes[i], std::nullopt};
            if (i < d.positions.size()) f.current = d.positions[i];
            return f;
        }
    }
    return {};
}

/** Why the device of axis or output `name` ("dev" or "dev.x") is unavailable, or empty when it is not. */
QString unavailable(const std::vector<model::DeviceDescription>& devices, const QString& name) {
    for (const model::DeviceDescription& d : devices)
        if (!d.unavailable.isEmpty() && (name == d.name || name.startsWith(d.name + QLatin1Char('.'))))
            return QStringLiteral("device '%1' is unavailable: %2").arg(d.name, d.unavailable);
    return {};
}

QString sortedList(QStringList names) {
    names.sort();
    names.removeDuplicates();
    return names.isEmpty() ? QStringLiteral("none") : names.join(QLatin1String(", "));
}

/** Checks the positions one axis will visit; returns "<pointer>: <problem>" or empty. */
QString checkAxisRange(const Plan& plan, size_t k, const FoundAxis& found) {
    const AxisSpec& a = plan.axes[k];
    // A relative axis whose device did not report a position cannot be checked before the run.
    if (a.relative && !found.current) return {};
    const double origin = a.relative ? *found.current : 0.0;
    const QString base = QStringLiteral("/axes/%1/").arg(k);
    // `terms` spells out how the position was reached, so the user sees which plan value to change.
    const auto check = [&](double offset, const QString& pointer, const QString& terms) -> QString {
        QString how;
        if (a.relative)
            how = QStringLiteral(" (current position %1 + %2)").arg(number(origin), terms);
        else if (plan.type == ScanType::Spiral)
            how = QStringLiteral(" (%1)").arg(terms);
        const QString problem = model::axisLimitProblem(*found.decl, origin + offset, how);
        return problem.isEmpty() ? QString() : pointer + QLatin1String(": ") + problem;
    };
    const auto offsetTerm = [](double v) { return QStringLiteral("offset ") + number(v); };
    switch (plan.type) {
        case ScanType::Linear:
        case ScanType::Grid: {
            // Linear points lie between start and stop, so the two ends bound the range.
            QString e = check(a.start, base + QLatin1String("start"), offsetTerm(a.start));
            return e.isEmpty() ? check(a.stop, base + QLatin1String("stop"), offsetTerm(a.stop)) : e;
        }
        case ScanType::Spiral: {
            const QString c = QStringLiteral("center %1").arg(number(a.center));
            const QString r = number(plan.spiralRadius);
            const QString pointer = base + QLatin1String("center");
            QString e = check(a.center + plan.spiralRadius, pointer, c + QStringLiteral(" + radius ") + r);
            return e.isEmpty() ? check(a.center - plan.spiralRadius, pointer, c + QStringLiteral(" - radius ") + r) : e;
        }
        case ScanType::List:
            for (size_t i = 0; i < a.points.size(); ++i) {
                const QString pointer = plan.csvFile.isEmpty()
                                            ? QStringLiteral("/scan/points/%1/%2").arg(i).arg(k)
                                            : QStringLiteral("/scan/csv: point %1 of %2").arg(i).arg(QFileInfo(plan.csvFile).fileName());
                const QString e = check(a.points[i], pointer, offsetTerm(a.points[i]));
                if (!e.isEmpty()) return e;
            }
            return {};
        case ScanType::Count:
            return {};
    }
    return {};
}

QString checkProperties(const Plan& plan, const std::vector<model::DeviceDescription>& devices) {
    QStringList deviceNames;
    for (const model::DeviceDescription& d : devices) deviceNames << d.name;
    for (auto it = plan.properties.cbegin(); it != plan.properties.cend(); ++it) {
        const QString dp = QStringLiteral("/properties/") + it.key();
        const auto dev = std::find_if(devices.cbegin(), devices.cend(), [&](const model::DeviceDescription& d) { return d.name == it.key(); });
        if (dev != devices.cend() && !dev->unavailable.isEmpty())
            return QStringLiteral("%1: %2").arg(dp, unavailable(devices, it.key()));
        if (dev == devices.cend())
            return QStringLiteral("%1: unknown device '%2' (known: %3)").arg(dp, it.key(), sortedList(deviceNames));
        for (auto p = it.value().cbegin(); p != it.value().cend(); ++p) {
            const QString pp = dp + QLatin1Char('/') + p.key();
            const model::PropertyDecl* decl = dev->findProperty(p.key());
            if (!decl) {
                QStringList ids;
                for (const model::PropertyDecl& d : dev->properties) ids << d.id;
                return QStringLiteral("%1: unknown property '%2' of device '%3' (known: %4)").arg(pp, p.key(), it.key(), sortedList(ids));
            }
            if (decl->readOnly)
                return QStringLiteral("%1: property '%2' of device '%3' is read-only").arg(pp, p.key(), it.key());
            const QString problem = decl->check(p.value());
            if (!problem.isEmpty()) return QStringLiteral("%1: %2 (device '%3')").arg(pp, problem, it.key());
        }
    }
    return {};
}

QString firstProblem(const Plan& plan, const std::vector<model::DeviceDescription>& devices) {
    QStringList axisNames, outputNames;
    for (const model::DeviceDescription& d : devices) {
        for (const model::AxisDecl& a : d.axes) axisNames << a.name;
        for (const model::OutputDecl& o : d.outputs) outputNames << o.name;
    }
    for (size_t k = 0; k < plan.axes.size(); ++k) {
        const FoundAxis found = findAxis(devices, plan.axes[k].device);
        if (const QString why = unavailable(devices, plan.axes[k].device); !found.decl && !why.isEmpty())
            return QStringLiteral("/axes/%1/device: %2").arg(k).arg(why);
        if (!found.decl)
            return QStringLiteral("/axes/%1/device: unknown axis '%2' (known: %3)").arg(k).arg(plan.axes[k].device, sortedList(axisNames));
        const QString e = checkAxisRange(plan, k, found);
        if (!e.isEmpty()) return e;
    }
    for (qsizetype i = 0; i < plan.detectors.size(); ++i) {
        if (outputNames.contains(plan.detectors[i])) continue;
        if (const QString why = unavailable(devices, plan.detectors[i]); !why.isEmpty())
            return QStringLiteral("/detectors/%1: %2").arg(i).arg(why);
        return QStringLiteral("/detectors/%1: unknown detector output '%2' (known: %3)")
                .arg(i)
                .arg(plan.detectors[i], sortedList(outputNames));
    }
    return checkProperties(plan, devices);
}
}  // namespace

QString validatePlan(const Plan& plan, const std::vector<model::DeviceDescription>& devices) {
    const QString problem = firstProblem(plan, devices);
    if (problem.isEmpty()) return {};
    const QString label = plan.sourceFile.isEmpty() ? QStringLiteral("plan") : QFileInfo(plan.sourceFile).fileName();
    return label + QLatin1String(": ") + problem;
}

}  // namespace acquila::plan
