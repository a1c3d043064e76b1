#include "core/model/DType.h"

#include <gtest/gtest.h>
#include <set>
#include <string>
#include <typeindex>
#include <type_traits>

using namespace acquila::model;

namespace {
constexpr DType kAll[] = {DType::Float64, DType::Float32, DType::Int64, DType::Int32, DType::UInt8, DType::UInt16, DType::UInt32};

struct TypeFacts {
    size_t size;
    bool floating;
    bool isSigned;
    std::type_index type;
};

TypeFacts factsOf(DType t) {
    return visitDType(t, [](auto tag) {
        using T = typename decltype(tag)::type;
        return TypeFacts{sizeof(T), std::is_floating_point_v<T>, std::is_signed_v<T>, std::type_index(typeid(T))};
    });
}
}  // namespace

TEST(DType, EveryDTypeMapsToTheTypeOfItsSizeAndSignedness) {
    for (DType t : kAll) {
        const std::string name = dtypeName(t);
        const TypeFacts f = factsOf(t);
        EXPECT_EQ(f.size, dtypeSize(t)) << name;
        EXPECT_EQ(f.floating, name.starts_with("float")) << name;
        EXPECT_EQ(f.isSigned, !name.starts_with("uint")) << name;
        EXPECT_EQ(std::to_string(f.size * 8), name.substr(name.find_first_of("0123456789"))) << name;
    }
}

TEST(DType, EveryDTypeMapsToItsOwnType) {
    std::set<std::type_index> types;
    for (DType t : kAll) types.insert(factsOf(t).type);
    EXPECT_EQ(types.size(), std::size(kAll));
    EXPECT_EQ(factsOf(DType::Float64).type, std::type_index(typeid(double)));
    EXPECT_EQ(factsOf(DType::Float32).type, std::type_index(typeid(float)));
    EXPECT_EQ(factsOf(DType::Int64).type, std::type_index(typeid(int64_t)));
    EXPECT_EQ(factsOf(DType::Int32).type, std::type_index(typeid(int32_t)));
    EXPECT_EQ(factsOf(DType::UInt8).type, std::type_index(typeid(uint8_t)));
    EXPECT_EQ(factsOf(DType::UInt16).type, std::type_index(typeid(uint16_t)));
    EXPECT_EQ(factsOf(DType::UInt32).type, std::type_index(typeid(uint32_t)));
}

TEST(DType, VisitorPassesTheCallablesResultThrough) {
    int calls = 0;
    visitDType(DType::UInt16, [&](auto) { ++calls; });
    EXPECT_EQ(calls, 1);
    const size_t bits = visitDType(DType::Int32, [](auto tag) { return 8 * sizeof(typename decltype(tag)::type); });
    EXPECT_EQ(bits, 32u);
}
