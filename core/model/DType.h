#pragma once
#include <QString>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace acquila::model {

/** Element types of result channels. Values are stable: they cross processes. */
enum class DType : uint8_t { Float64 = 0, Float32, Int64, Int32, UInt8, UInt16, UInt32 };

size_t dtypeSize(DType t);
const char* dtypeName(DType t);
bool dtypeFromName(QStringView name, DType* out);

/**
 * Calls `f(std::type_identity<T>{})` with T the C++ element type of `t` and
 * returns what it returns; the one place that maps a DType to a C++ type:
 *     visitDType(c.dtype, [&](auto tag) { using T = typename decltype(tag)::type; ... });
 */
template <typename F>
decltype(auto) visitDType(DType t, F&& f) {
    switch (t) {
        case DType::Float32: return std::forward<F>(f)(std::type_identity<float>{});
        case DType::Int64: return std::forward<F>(f)(std::type_identity<int64_t>{});
        case DType::Int32: return std::forward<F>(f)(std::type_identity<int32_t>{});
        case DType::UInt8: return std::forward<F>(f)(std::type_identity<uint8_t>{});
        case DType::UInt16: return std::forward<F>(f)(std::type_identity<uint16_t>{});
        case DType::UInt32: return std::forward<F>(f)(std::type_identity<uint32_t>{});
        case DType::Float64: break;
    }
    return std::forward<F>(f)(std::type_identity<double>{});
}

}  // namespace acquila::model
