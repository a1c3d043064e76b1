// Marks this library as an Acquila plugin: its name, its own version, and (written by the
// macro) the plugin interface it was built for, which a worker checks before loading it.
#include <devices/Plugin.h>

ACQUILA_PLUGIN("example", "1.0")
