// A shared library without the ACQUILA_PLUGIN marker, in a plugin directory.
extern "C" __attribute__((visibility("default"))) int some_other_library_function() { return 42; }
