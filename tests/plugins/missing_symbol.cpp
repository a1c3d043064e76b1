// A plugin that needs a function no worker provides (as one built against a newer SDK would):
// loading it must fail with the missing symbol named, before any of its code runs.
#include "devices/Plugin.h"

ACQUILA_PLUGIN("missing-symbol", "1.0")

extern "C" int acquila_function_from_a_newer_sdk(int);

namespace {
struct Uses {
    Uses() { static_cast<void>(acquila_function_from_a_newer_sdk(1)); }
} uses;
}  // namespace
