#include "core/model/DType.h"

#include <array>

namespace acquila::model {
namespace {
constexpr std::array<const char*, 7> kNames = {"float64", "float32", "int64", "int32", "uint8", "uint16", "uint32"};
constexpr std::array<size_t, 7> kSizes = {8, 4, 8, 4, 1, 2, 4};
}  // namespace

size_t dtypeSize(DType t) { return kSizes[static_cast<size_t>(t)]; }
const char* dtypeName(DType t) { return kNames[static_cast<size_t>(t)]; }
bool dtypeFromName(QStringView name, DType* out) {
    for (size_t i = 0; i < kNames.size(); ++i) {
        if (name == QLatin1String(kNames[i])) {
            *out = static_cast<DType>(i);
            return true;
        }
    }
    return false;
}

}  // namespace acquila::model
