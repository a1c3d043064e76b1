#pragma once
#include "devices/Device.h"
#include "devices/PropertyTable.h"

#include <vector>

namespace acquila::devices {

class DriverParams;

/**
 * "sim.gaussian": a 0D detector (one float64 output named after the device,
 * unit "counts") whose signal is a Gaussian peak over axis positions read
 * from the SimWorld plus seeded noise:
 *   background + amplitude * exp(-sum((x - c)^2 / (2 w^2))) + noise * N(0, 1).
 * Parameters: axes (full axis names), center and width (one per axis),
 * amplitude, background, noise (std dev), timeout_s, exclusive. The noise
 * depends only on (lab seed, device name, point index). read() performs no
 * allocation and no lookup once the axes are resolved. Executor thread only.
 */
class SimGaussian final : public Detector {
public:
    /** Throws DeviceError for bad parameters. `ctx.world` may be null (all positions 0). */
    SimGaussian(const model::DeviceSpec& spec, const LabContext& ctx);

    model::DeviceDescription describe() const override;
    void setProperty(const QString& id, const QVariant& value) override;
    double timeoutS() const override { return timeoutS_; }
    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                    const CancelToken& token) override;

    /** The noiseless signal at the current positions (for tests and previews). */
    double idealValue();

private:
    SimGaussian(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& params);
    void resolveAxes();

    PropertyTable props_;
    QStringList axisNames_;
    std::vector<double> center_;    // per axis, axis units
    std::vector<double> invTwoW2_;  // per axis, 1 / (2 width^2), cached for read()
    std::vector<double> width_;     // per axis, axis units
    std::vector<int> slots_;        // per axis, SimWorld slot; resolved on first read
    bool resolved_ = false;
    double amplitude_ = 1000;
    double background_ = 0;
    double noise_ = 0;
    double timeoutS_ = 10;
    bool exclusive_ = false;
    quint64 seed_;
    quint64 nameHash_;
    SimWorld* world_;  // not owned; may be null
};

}  // namespace acquila::devices
