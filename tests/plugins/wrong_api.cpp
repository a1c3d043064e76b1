// A plugin built for a plugin interface this Acquila does not provide: its marker says 999.
// The worker must refuse it without loading it (the driver below must never register).
#include "devices/DriverKit.h"

extern "C" __attribute__((visibility("default"), used)) const char acquila_plugin_marker[] =
    "acquila-plugin-api=999;name=wrong-api;version=9.9;";

namespace {
class Never final : public acquila::devices::DetectorDriver {
public:
    Never(const acquila::model::DeviceSpec& spec, const acquila::devices::LabContext&) : acquila::devices::DetectorDriver(spec) {}
    void describeDevice(acquila::model::DeviceDescription&) const override {}
    acquila::devices::Checkpoint read(const acquila::devices::PointContext&, std::vector<acquila::devices::OutputBuffer>&,
                                      const acquila::devices::CancelToken&) override {
        return acquila::devices::Checkpoint::Continue;
    }
};
}  // namespace

ACQUILA_REGISTER_DRIVER("wrongapi.detector", Never);
