#pragma once
#include "devices/Device.h"
#include "devices/PropertyTable.h"

namespace acquila::devices {

class DriverParams;

/**
 * "sim.fault": a 0D detector (one float64 output named after the device)
 * that misbehaves on purpose at point `at_point` (-1 = never), for testing
 * the run engine. Modes: none, crash (std::abort: the process dies), hang
 * (never returns, ignores cancellation), throw (DeviceError), malformed
 * (reports 3 bytes written instead of 8), slow (200 ms cooperative wait),
 * wrong_shape (reports a point of two values for its scalar output);
 * at any point: hang_open (opening the device never returns: a lab
 * parameter), hang_set (every later property set never returns).
 * mode and at_point are both parameters and properties. Executor thread only.
 */
class SimFault final : public Detector {
public:
    SimFault(const model::DeviceSpec& spec, const LabContext& ctx);

    model::DeviceDescription describe() const override;
    void setProperty(const QString& id, const QVariant& value) override;
    double timeoutS() const override { return timeoutS_; }
    Checkpoint read(const PointContext& ctx, std::vector<OutputBuffer>& out,
                    const CancelToken& token) override;

    static QStringList modeNames();

private:
    enum class Mode : uint8_t { None, Crash, Hang, Throw, Malformed, Slow, WrongShape, HangOpen, HangSet };

    SimFault(const model::DeviceSpec& spec, const LabContext& ctx, DriverParams&& params);

    PropertyTable props_;
    Mode mode_ = Mode::None;
    qint64 atPoint_ = -1;
    double timeoutS_ = 10;
    bool exclusive_ = false;
    quint64 seed_;
    quint64 nameHash_;
};

}  // namespace acquila::devices
