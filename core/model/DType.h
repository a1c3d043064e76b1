#pragma once
#include <QString>
#include <cstddef>
#include <cstdint>

namespace acquila::core {

/** Element types of result channels. Values are stable: they cross processes. */
enum class DType : uint8_t { Float64 = 0, Float32, Int64, Int32, UInt8, UInt16, UInt32 };

size_t dtypeSize(DType t);
const char* dtypeName(DType t);
bool dtypeFromName(QStringView name, DType* out);

}  // namespace acquila::core
