#pragma once
#include "devices/DriverKit.h"

// What a driver plugin writes once, in any one of its .cpp files (docs/plugins.md):
//
//     ACQUILA_PLUGIN("example", "1.0")
//
// and, in each driver's .cpp, its registration with the parameters it reads from the lab:
//
//     ACQUILA_REGISTER_DRIVER("example.counter", Counter, param::number("rate_hz", 1000, 0, 1e6))
//
// A worker reads the plugin interface version from the file before it loads any of its
// code: a plugin built for another interface is refused with both versions named, and its
// devices are "unavailable" with that reason.

/**
 * The plugin interface: the driver kit's headers (Device.h, DriverKit.h, DriverParams.h
 * and the model headers they include) as this version of Acquila defines them. Raised
 * whenever a change to them could break a plugin built before.
 */
#define ACQUILA_PLUGIN_API 1

#define ACQUILA_PLUGIN_STR2(x) #x
#define ACQUILA_PLUGIN_STR(x) ACQUILA_PLUGIN_STR2(x)

/** The text a worker looks for in a plugin file, and what it holds: "acquila-plugin-api=1;name=…;version=…;". */
#define ACQUILA_PLUGIN_MARKER_PREFIX "acquila-plugin-api="

/** Marks a shared library as an Acquila plugin named NAME (a string), at its own VERSION (a string). */
#define ACQUILA_PLUGIN(NAME, VERSION)                                                                      \
    extern "C" __attribute__((visibility("default"), used)) const char acquila_plugin_marker[] =           \
        ACQUILA_PLUGIN_MARKER_PREFIX ACQUILA_PLUGIN_STR(ACQUILA_PLUGIN_API) ";name=" NAME ";version=" VERSION ";";
