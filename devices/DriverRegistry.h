#pragma once
#include "devices/DriverKit.h"

// The registry behind ACQUILA_REGISTER_DRIVER, for the plugin loader (not part of the SDK).
namespace acquila::devices {

/** A registration made while a plugin loads, kept aside until the plugin is accepted. */
struct PendingDriver {
    QString driver;
    DriverFactory factory = nullptr;
    std::vector<model::ParamDecl> params;
};

/**
 * While `into` is not null, registrations go there instead of into the registry (the
 * static constructors of a plugin run inside dlopen). Worker executor thread only.
 */
void captureRegistrations(std::vector<PendingDriver>* into);

/** Registers a plugin's driver and its parameters; empty on success, else why not (e.g. the name is taken). */
QString registerDriver(PendingDriver driver);

}  // namespace acquila::devices
