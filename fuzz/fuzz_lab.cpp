// A lab configuration file, parsed as the app and every worker do.
#include "core/model/LabConfig.h"
#include "fuzz/FuzzSupport.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace acquila;
    static_cast<void>(model::parseLabConfig(fuzz::bytes(data, size), QStringLiteral("fuzz-lab.json")));
    return 0;
}
