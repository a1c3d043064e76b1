#pragma once
#include "core/engine/EngineConfig.h"
#include "core/engine/Scheduler.h"
#include "core/model/DeviceDescription.h"
#include "core/plan/Plan.h"
#include "core/plan/PlanEstimate.h"
#include "core/plan/PointGenerator.h"
#include "core/util/Result.h"

#include <memory>
#include <vector>

namespace acquila::engine {

/** What a run needs before its first job: its points, where they start, and how they are dealt out. */
struct RunSetup {
    std::unique_ptr<plan::PointGenerator> gen;
    std::vector<double> origin;  // current position of each plan axis (relative scans start there)
    bool exclusive = false;      // touches an exclusive device: runs on worker 0 only
    Scheduler::Config scheduler;
    QString planJson;            // the plan as run, serialized once for workers and storage
    plan::PlanEstimate estimate;  // logged at start
};

/**
 * Validates a plan against the lab's devices and builds its setup; the error
 * names what is wrong with the plan. When the engine writes files, a run
 * whose estimated file does not fit the free space of its output directory
 * is refused with both numbers, unless the plan sets `output.allow_partial`;
 * that is its only I/O (one statfs). Any thread.
 */
util::Result<RunSetup> prepareRun(const plan::Plan& plan, const std::vector<model::DeviceDescription>& devices, const EngineConfig& config,
                                  int deviceWorkers);

}  // namespace acquila::engine
