#pragma once
#include <QStringList>

namespace acquila::cli {

/**
 * `acquila set TARGET VALUE [--lab CONFIG]`: sets a property ("camera.spot_sigma 8") or moves
 * an axis ("motor 12.5") now, through the engine's set-now (docs/architecture.md, "Devices and
 * workers"), and prints the value read back with its unit. VALUE is parsed following the
 * property's declared type. Exit codes: 0 done, 1 the device or its worker failed or did not
 * answer within the device's timeout (or a run is active), 2 bad input (unknown device, axis
 * or property, a bad, read-only or out-of-range value). Needs a QCoreApplication; runs its
 * event loop.
 */
int setCommand(const QStringList& args);

/** `acquila get TARGET [--lab CONFIG]`: prints an axis position or a property value with its unit. Exit codes as setCommand. */
int getCommand(const QStringList& args);

}  // namespace acquila::cli
