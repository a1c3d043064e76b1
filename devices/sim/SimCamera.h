#pragma once
#include "devices/Device.h"
#include "devices/PropertyTable.h"

#include <vector>

namespace acquila::devices {

class DriverParams;

/**
 * "sim.camera": a 2D detector, one uint16 output named after the device,
 * shape [height, width] (row-major), axis labels "y", "x". A Gaussian spot
 * on a background with Poisson noise seeded from (seed, device, point
 * index). Without "axes" the spot circles the centre, one turn every
 * orbit_points points; with axes [ax, ay] it sits at the image centre plus
 * pixels_per_unit * position. Parameters: width, height, spot_sigma (px),
 * amplitude, background (counts), axes, pixels_per_unit, orbit_points,
 * timeout_s, exclusive. Executor thread only; read() does not allocate.
 */
class SimCamera final : public Detector {
public:
    SimCamera(const model::DeviceSpec& spec, const LabContext& ctx);

    model::DeviceDescription describe() const override;
    void setProperty(const QString& id, const QVariant& value) override;
    double timeoutS() const override { return timeoutS_; }
    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                    const CancelToken& token) override;

    /** Spot centre (x, y) in pixels at point `index` with the current positions. */
    std::pair<double, double> spotCentre(qint64 index);

private:
    SimCamera(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& params);

    PropertyTable props_;
    int width_ = 160;
    int height_ = 120;
    double sigma_ = 6;
    double amplitude_ = 2000;
    double background_ = 100;
    QStringList axes_;  // empty or [x axis, y axis]
    double pixelsPerUnit_ = 1;
    int orbitPoints_ = 50;
    double timeoutS_ = 10;
    bool exclusive_ = false;
    int slots_[2] = {-1, -1};  // SimWorld slots of axes_, resolved on first read
    bool resolved_ = false;
    std::vector<double> gx_;  // per column: Gaussian factor of the current frame (scratch, reused)
    std::vector<double> gy_;  // per row, scaled by amplitude
    quint64 seed_;
    quint64 nameHash_;
    SimWorld* world_;  // not owned; may be null
};

}  // namespace acquila::devices
