#include "core/plan/Plan.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

namespace acquila::plan {

namespace {
constexpr const char* kScanTypeNames[] = {"count", "linear", "grid", "list", "spiral"};

QJsonObject axisToJson(const AxisSpec& a, ScanType type) {
    QJsonObject o;
    o.insert(QLatin1String("device"), a.device);
    switch (type) {
        case ScanType::Linear:
        case ScanType::Grid:
            o.insert(QLatin1String("start"), a.start);
            o.insert(QLatin1String("stop"), a.stop);
            o.insert(QLatin1String("steps"), a.steps);
            break;
        case ScanType::Spiral:
            o.insert(QLatin1String("center"), a.center);
            break;
        case ScanType::Count:
        case ScanType::List:
            break;
    }
    o.insert(QLatin1String("relative"), a.relative);
    return o;
}

QJsonObject scanToJson(const Plan& p) {
    QJsonObject scan;
    scan.insert(QLatin1String("type"), QLatin1String(scanTypeName(p.type)));
    switch (p.type) {
        case ScanType::Count:
            scan.insert(QLatin1String("points"), p.count);
            scan.insert(QLatin1String("interval_s"), p.intervalS);
            break;
        case ScanType::Grid:
            scan.insert(QLatin1String("snake"), p.snake);
            break;
        case ScanType::Spiral:
            scan.insert(QLatin1String("radius"), p.spiralRadius);
            scan.insert(QLatin1String("step"), p.spiralStep);
            break;
        case ScanType::List: {
            // Rows of the table, one value per axis, so the plan travels without its CSV.
            const size_t rows = p.axes.empty() ? 0 : p.axes.front().points.size();
            QJsonArray points;
            for (size_t r = 0; r < rows; ++r) {
                QJsonArray row;
                for (const AxisSpec& a : p.axes) row.append(r < a.points.size() ? a.points[r] : 0.0);
                points.append(row);
            }
            scan.insert(QLatin1String("points"), points);
            break;
        }
        case ScanType::Linear:
            break;
    }
    return scan;
}
}  // namespace

const char* scanTypeName(ScanType t) { return kScanTypeNames[static_cast<size_t>(t)]; }

QJsonObject Plan::toJson() const {
    QJsonObject o;
    o.insert(QLatin1String("version"), version);
    o.insert(QLatin1String("name"), name);
    o.insert(QLatin1String("title"), title);
    o.insert(QLatin1String("scan"), scanToJson(*this));
    if (type != ScanType::Count) {
        QJsonArray ax;
        for (const AxisSpec& a : axes) ax.append(axisToJson(a, type));
        o.insert(QLatin1String("axes"), ax);
    }
    o.insert(QLatin1String("detectors"), QJsonArray::fromStringList(detectors));
    o.insert(QLatin1String("settle_s"), settleS);
    o.insert(QLatin1String("exposure_s"), exposureS);
    o.insert(QLatin1String("repeats"), repeats);
    o.insert(QLatin1String("metadata"), QJsonObject::fromVariantMap(metadata));
    QJsonObject output;
    output.insert(QLatin1String("directory"), outputDirectory);
    if (outputAllowPartial) output.insert(QLatin1String("allow_partial"), true);
    o.insert(QLatin1String("output"), output);
    o.insert(QLatin1String("return_to_start"), returnToStart);
    QJsonObject props;
    for (auto it = properties.cbegin(); it != properties.cend(); ++it)
        props.insert(it.key(), QJsonObject::fromVariantMap(it.value()));
    o.insert(QLatin1String("properties"), props);
    o.insert(QLatin1String("points_per_job"), pointsPerJob);
    o.insert(QLatin1String("retry_after_crash"), retryAfterCrash);
    return o;
}

bool Plan::operator==(const Plan& b) const {
    return version == b.version && name == b.name && title == b.title && type == b.type && axes == b.axes &&
           detectors == b.detectors && count == b.count && intervalS == b.intervalS && snake == b.snake &&
           spiralRadius == b.spiralRadius && spiralStep == b.spiralStep && settleS == b.settleS &&
           exposureS == b.exposureS && repeats == b.repeats && metadata == b.metadata &&
           outputDirectory == b.outputDirectory && outputAllowPartial == b.outputAllowPartial && returnToStart == b.returnToStart &&
           properties == b.properties && pointsPerJob == b.pointsPerJob && retryAfterCrash == b.retryAfterCrash;
}

util::Result<Plan> loadPlanFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return util::Result<Plan>::failure(QStringLiteral("%1: cannot read plan file: %2").arg(path, f.errorString()));
    const QFileInfo info(path);
    if (f.size() > kMaxPlanFileBytes)  // refused before reading it all
        return util::Result<Plan>::failure(QStringLiteral("%1: %2 bytes is above the limit of %3 bytes for a plan")
                                               .arg(info.fileName()).arg(f.size()).arg(kMaxPlanFileBytes));
    auto plan = parsePlan(f.readAll(), info.fileName(), info.absolutePath());
    if (plan) plan->sourceFile = path;
    return plan;
}

}  // namespace acquila::plan
