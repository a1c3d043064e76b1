#pragma once
#include "core/model/DeviceDescription.h"

#include <hdf5.h>

#include <QString>

namespace acquila::storage::h5 {

/**
 * Writes the values of one device snapshot as datasets into `group`
 * (name, driver, summary, positions as "value" with @units, one dataset per
 * property value with @units). Property ids become NeXus-safe names.
 * Returns an empty string or the failed operation. Internal to storage.
 */
QString writeDeviceSnapshot(hid_t group, const model::DeviceDescription& device);

/**
 * Overwrites in place the datasets a snapshot of `device` wrote into `group`
 * (allowed while SWMR writing, unlike creating them). A value whose dataset is
 * absent, or has another size or kind, is skipped. Returns an empty string or
 * the failed operation.
 */
QString rewriteDeviceSnapshot(hid_t group, const model::DeviceDescription& device);

/** NXpositioner for actuators, NXdetector otherwise. */
const char* nexusClassFor(const model::DeviceDescription& device);

}  // namespace acquila::storage::h5
