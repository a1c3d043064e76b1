#pragma once
#include "devices/Device.h"
#include "devices/PropertyTable.h"

namespace acquila::devices {

class DriverParams;

/**
 * "sim.cpu": a 0D detector standing in for an expensive simulation. Each
 * read() keeps a core busy for cost_us microseconds (checking the token at
 * least every millisecond) and returns a value that depends only on (seed,
 * device, point index), never on how fast the machine is. One float64 output
 * named after the device, unit "a.u.". Parameters: cost_us, timeout_s,
 * exclusive. Executor thread only.
 */
class SimCpu final : public Detector {
public:
    SimCpu(const model::DeviceSpec& spec, const LabContext& ctx);

    model::DeviceDescription describe() const override;
    void setProperty(const QString& id, const QVariant& value) override;
    double timeoutS() const override { return timeoutS_; }
    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                    const CancelToken& token) override;

private:
    SimCpu(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& params);

    PropertyTable props_;
    qint64 costUs_ = 1000;
    double timeoutS_ = 10;
    bool exclusive_ = false;
    quint64 seed_;
    quint64 nameHash_;
};

}  // namespace acquila::devices
