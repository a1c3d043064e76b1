#include "ui/plots/ChannelValues.h"

#include <cstring>
#include <limits>

namespace acquila::ui::plots {

namespace {
template <typename T>
double load(const model::Channel& c, qint64 element) {
    T v;
    std::memcpy(&v, c.data.constData() + element * static_cast<qint64>(sizeof(T)), sizeof(T));
    return static_cast<double>(v);
}
}  // namespace

double channelValue(const model::Channel& channel, qint64 element) {
    const qint64 size = static_cast<qint64>(model::dtypeSize(channel.dtype));
    if (element < 0 || size <= 0 || (element + 1) * size > channel.data.size())
        return std::numeric_limits<double>::quiet_NaN();
    return model::visitDType(channel.dtype, [&](auto tag) { return load<typename decltype(tag)::type>(channel, element); });
}

void channelToDoubles(const model::Channel& channel, qint64 firstElement, qint64 n, double* out) {
    for (qint64 i = 0; i < n; ++i) out[i] = channelValue(channel, firstElement + i);
}

}  // namespace acquila::ui::plots
