#include "core/engine/RunSetup.h"

#include <QJsonDocument>
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
    // What the plan itself makes a point cost; the devices' own time is measured from the first results.
    sc.expectedSecondsPerPoint = plan.exposureS + plan.settleS + (plan.type == plan::ScanType::Count ? plan.intervalS : 0);
    return s;
}

}  // namespace acquila::engine
