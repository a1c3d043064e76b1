#include "core/engine/RunSetup.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QStorageInfo>
#include <algorithm>

namespace acquila::engine {

namespace {
std::vector<double> originOf(const plan::Plan& plan, const std::vector<model::DeviceDescription>& devices) {
    std::vector<double> origin;
    for (const plan::AxisSpec& a : plan.axes) {
        double pos = 0;
        for (const auto& d : devices)
            for (size_t i = 0; i < d.axes.size(); ++i)
                if (d.axes[i].name == a.device && i < d.positions.size()) pos = d.positions[i];
        origin.push_back(pos);
    }
    return origin;
}

/** Empty when the run's file fits the free space of `directory` (or the space is unknown), else both numbers. */
QString diskProblem(const plan::PlanEstimate& e, const QString& directory) {
    // The directory may not exist yet (the storage worker creates it): ask the disk it will be on.
    QString dir = QDir(directory).absolutePath();
    for (int up = 0; up < 256 && !QFileInfo::exists(dir); ++up) dir = QFileInfo(dir).absolutePath();
    const QStorageInfo disk(dir);
    if (!disk.isValid() || disk.bytesAvailable() < 0 || e.fileBytes <= disk.bytesAvailable()) return {};
    return QStringLiteral("not enough disk space: the run file needs about %1 (%2 points x %3 bytes) but %4 has only %5 free; free some space, "
                          "choose another output directory, or set \"output\": {\"allow_partial\": true} to keep what fits")
        .arg(plan::formatBytes(static_cast<double>(e.fileBytes)))
        .arg(e.points)
        .arg(e.bytesPerPoint)
        .arg(directory, plan::formatBytes(static_cast<double>(disk.bytesAvailable())));
}

bool touches(const plan::Plan& plan, const model::DeviceDescription& d) {
    for (const plan::AxisSpec& a : plan.axes)
        if (d.findAxis(a.device)) return true;
    for (const QString& det : plan.detectors)
        if (d.findOutput(det)) return true;
    return plan.properties.contains(d.name);
}
}  // namespace

util::Result<RunSetup> prepareRun(const plan::Plan& plan, const std::vector<model::DeviceDescription>& devices, const EngineConfig& config,
                                  int deviceWorkers) {
    if (const QString invalid = plan::validatePlan(plan, devices); !invalid.isEmpty()) return util::Result<RunSetup>::failure(invalid);
    RunSetup s;
    s.origin = originOf(plan, devices);
    auto gen = plan::PointGenerator::create(plan, s.origin);
    if (!gen) return util::Result<RunSetup>::failure(gen.error());
    s.gen = std::move(*gen);
    s.planJson = QString::fromUtf8(QJsonDocument(plan.toJson()).toJson(QJsonDocument::Compact));
    // A plan that touches an exclusive device runs where that device lives: worker 0.
    for (const auto& d : devices)
        if (d.concurrency == model::Concurrency::Exclusive && touches(plan, d)) s.exclusive = true;

    Scheduler::Config& sc = s.scheduler;
    sc.total = s.gen->size();
    sc.fixedJobSize = plan.pointsPerJob;
    sc.maxInFlightPerWorker = config.maxInFlightPerWorker;
    // Tiny fixed jobs are bound by latency, not work: keep a deeper pipeline so a worker
    // always finds its next job queued (the scheduler keeps it short in time).
    if (plan.pointsPerJob > 0 && plan.pointsPerJob <= 16 && config.maxInFlightPerWorker > 1)
        sc.maxInFlightPerWorker = std::max(config.maxInFlightPerWorker, 32);
    sc.workerCount = s.exclusive ? 1 : deviceWorkers;
    s.estimate = plan::estimatePlan(plan, devices, sc.workerCount);
    if (config.storage && !plan.outputAllowPartial) {
        const QString dir = plan.outputDirectory.isEmpty() ? config.dataDirectory : plan.outputDirectory;
        if (const QString full = diskProblem(s.estimate, dir); !full.isEmpty()) return util::Result<RunSetup>::failure(full);
    }
    // What the plan itself makes a point cost; the devices' own time is measured from the first results.
    sc.expectedSecondsPerPoint = plan.exposureS + plan.settleS + (plan.type == plan::ScanType::Count ? plan.intervalS : 0);
    return s;
}

}  // namespace acquila::engine
