#pragma once
#include "core/model/DeviceDescription.h"

#include <QString>
#include <vector>

namespace acquila::plan {

struct Plan;

/** How large and how long a run of a plan will be; computed before it starts (resources/plans/README.md, "Limits"). */
struct PlanEstimate {
    qint64 points = 0;
    qint64 bytesPerPoint = 0;  // every detector output, the axis positions, timestamp and point index
    qint64 fileBytes = 0;      // bytesPerPoint x points (the file adds a little metadata)
    double seconds = 0;        // a lower bound: settle, exposure and interval per point, shared by the workers
    /** E.g. "4000 points x 1032 bytes = about 3.9 MiB, at least 8.0 s". */
    QString text() const;
};

/** The estimate for `plan` on `devices` with `workers` workers measuring in parallel. Pure: any thread. */
PlanEstimate estimatePlan(const Plan& plan, const std::vector<model::DeviceDescription>& devices, int workers);

/** A byte count for people: "512 bytes", "3.9 MiB". */
QString formatBytes(double bytes);

}  // namespace acquila::plan
