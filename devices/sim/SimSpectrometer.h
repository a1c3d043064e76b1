#pragma once
#include "devices/Device.h"
#include "devices/PropertyTable.h"

#include <vector>

namespace acquila::devices {

class DriverParams;

/**
 * "sim.spectrometer": a 1D detector, one float64 output named after the
 * device, shape [pixels], axis label "wavelength", unit "counts". A Gaussian
 * line over a linear wavelength scale; its centre is
 *   peak_nm + shift_per_unit * position(axis)     when "axis" is set, or
 *   peak_nm + step_nm * index (wrapped into the range)   otherwise,
 * plus noise seeded from (seed, device, point index). Parameters: pixels,
 * wl_min, wl_max (nm), axis, peak_nm, shift_per_unit, step_nm, width_nm,
 * amplitude, background, noise, timeout_s, exclusive. Executor thread only.
 */
class SimSpectrometer final : public Detector {
public:
    SimSpectrometer(const model::DeviceSpec& spec, const LabContext& ctx);

    model::DeviceDescription describe() const override;
    void setProperty(const QString& id, const QVariant& value) override;
    double timeoutS() const override { return timeoutS_; }
    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                    const CancelToken& token) override;

    /** Where the line is at point `index` with the current positions, in nm. */
    double peakPosition(qint64 index);

private:
    SimSpectrometer(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& params);

    PropertyTable props_;
    int pixels_ = 512;
    double wlMin_ = 400;
    double wlMax_ = 800;
    QString axis_;  // empty: the line drifts with the point index
    double peakNm_ = 600;
    double shiftPerUnit_ = 1;
    double stepNm_ = 0.5;
    double widthNm_ = 8;
    double amplitude_ = 1000;
    double background_ = 20;
    double noise_ = 3;
    double timeoutS_ = 10;
    bool exclusive_ = false;
    int slot_ = -1;  // SimWorld slot of axis_, resolved on first read
    bool resolved_ = false;
    quint64 seed_;
    quint64 nameHash_;
    SimWorld* world_;  // not owned; may be null
};

}  // namespace acquila::devices
