#include "devices/Device.h"
#include "devices/sim/SimCamera.h"
#include "devices/sim/SimCpu.h"
#include "devices/sim/SimFault.h"
#include "devices/sim/SimGaussian.h"
#include "devices/sim/SimMotor.h"
#include "devices/sim/SimSpectrometer.h"
#include "devices/sim/SimXYStage.h"

#include <QStringList>

namespace acquila::devices {

namespace {
using Factory = std::unique_ptr<Device> (*)(const model::DeviceSpec&, const LabContext&);

template <typename T>
std::unique_ptr<Device> make(const model::DeviceSpec& spec, const LabContext& ctx) {
    return std::make_unique<T>(spec, ctx);
}

struct Driver {
    const char* name;
    Factory create;
};

constexpr Driver kDrivers[] = {
    {"sim.motor", &make<SimMotor>},       {"sim.xy_stage", &make<SimXYStage>},
    {"sim.gaussian", &make<SimGaussian>}, {"sim.spectrometer", &make<SimSpectrometer>},
    {"sim.camera", &make<SimCamera>},     {"sim.cpu", &make<SimCpu>},
    {"sim.fault", &make<SimFault>},
};
}  // namespace

std::unique_ptr<Device> createDevice(const model::DeviceSpec& spec, const LabContext& ctx) {
    if (spec.name.isEmpty())
        throw DeviceError("device with driver '" + spec.driver.toStdString() + "' has no name");
    for (const Driver& d : kDrivers)
        if (spec.driver == QLatin1String(d.name)) return d.create(spec, ctx);
    throw DeviceError(QStringLiteral("%1: unknown driver '%2' (known: %3)")
                          .arg(spec.name, spec.driver, driverNames().join(QLatin1String(", ")))
                          .toStdString());
}

QStringList driverNames() {
    QStringList names;
    for (const Driver& d : kDrivers) names << QLatin1String(d.name);
    return names;
}

}  // namespace acquila::devices
