#pragma once
#include "core/model/ResultBatch.h"
#include "core/storage/NexusWriter.h"
#include "core/storage/RunLayout.h"

#include <H5Cpp.h>

#include <QString>
#include <cstring>
#include <string>
#include <vector>

namespace acquila::test {

using model::Channel;
using model::DType;
using model::ResultBatch;
using storage::RunChannel;
using storage::RunLayout;

// Deterministic test values: every channel's value is a function of the point index.
// The camera frame is 64 KiB, the size from which frames get a chunk each (direct chunk writes).
inline constexpr qint64 kCameraElements = 128 * 256;
inline double diodeValue(qint64 point) { return 1000.0 + static_cast<double>(point); }
inline float spectrumValue(qint64 point, int k) { return static_cast<float>(point * 8 + k); }
inline quint16 imageValue(qint64 point, qint64 element) { return static_cast<quint16>((point * 31 + element) & 0xffff); }

inline std::vector<RunChannel> standardChannels(bool withCamera = true) {
    std::vector<RunChannel> ch;
    ch.push_back({QStringLiteral("diode"), QStringLiteral("V"), DType::Float64, {}, storage::ChannelRole::Detector});
    ch.push_back({QStringLiteral("spectrum"), QStringLiteral("counts"), DType::Float32, {8}, storage::ChannelRole::Detector});
    if (withCamera) ch.push_back({QStringLiteral("camera"), QStringLiteral("counts"), DType::UInt16, {128, 256}, storage::ChannelRole::Detector});
    ch.push_back({QStringLiteral("timestamp"), QStringLiteral("s"), DType::Float64, {}, storage::ChannelRole::Timestamp});
    return ch;
}

/** A batch of points [first, first+count) holding every channel of `layout` (axis channels get point*0.5). */
inline ResultBatch makeBatch(const RunLayout& layout, qint64 first, qint64 count) {
    ResultBatch b;
    b.first = first;
    b.count = count;
    for (const auto& rc : layout.channels) {
        Channel c;
        c.name = rc.name;
        c.dtype = rc.dtype;
        c.pointShape.assign(rc.pointShape.begin(), rc.pointShape.end());
        c.data.resize(static_cast<int>(count * c.bytesPerPoint()));
        const qint64 epp = c.elementsPerPoint();
        for (qint64 i = 0; i < count; ++i) {
            const qint64 p = first + i;
            for (qint64 e = 0; e < epp; ++e) {
                const qint64 at = i * epp + e;
                switch (rc.dtype) {
                case DType::Float64:
                    reinterpret_cast<double*>(c.data.data())[at] =
                        rc.role == storage::ChannelRole::Timestamp ? 1.7e9 + static_cast<double>(p)
                        : rc.role == storage::ChannelRole::AxisPosition ? 0.5 * static_cast<double>(p) : diodeValue(p);
                    break;
                case DType::Float32: reinterpret_cast<float*>(c.data.data())[at] = spectrumValue(p, static_cast<int>(e)); break;
                case DType::UInt16: reinterpret_cast<quint16*>(c.data.data())[at] = imageValue(p, e); break;
                default: std::memset(c.data.data() + at * static_cast<qint64>(model::dtypeSize(rc.dtype)), 0, model::dtypeSize(rc.dtype)); break;
                }
            }
        }
        b.channels.push_back(std::move(c));
    }
    return b;
}

inline RunLayout baseLayout(const QString& path, std::vector<qint64> shape) {
    RunLayout l;
    l.path = path;
    l.title = QStringLiteral("test run");
    l.planName = QStringLiteral("test");
    l.runId = 7;
    l.planJson = QStringLiteral("{\"version\": 1, \"name\": \"test\"}");
    l.hostname = QStringLiteral("host");
    l.user = QStringLiteral("tester");
    l.scanShape = std::move(shape);
    return l;
}

template <typename T>
std::vector<T> readAll(H5::H5File& f, const std::string& path, const H5::PredType& type, std::vector<hsize_t>* dims = nullptr) {
    H5::DataSet ds = f.openDataSet(path);
    H5::DataSpace space = ds.getSpace();
    std::vector<hsize_t> d(static_cast<size_t>(space.getSimpleExtentNdims()));
    if (!d.empty()) space.getSimpleExtentDims(d.data());
    if (dims) *dims = d;
    std::vector<T> out(static_cast<size_t>(space.getSimpleExtentNpoints()));
    ds.read(out.data(), type);
    return out;
}

inline std::string readString(H5::H5File& f, const std::string& path) {
    H5::DataSet ds = f.openDataSet(path);
    std::string s;
    ds.read(s, ds.getStrType());
    return s;
}

inline std::string readStringAttr(const H5::H5Object& obj, const std::string& name) {
    H5::Attribute a = obj.openAttribute(name);
    std::string s;
    a.read(a.getStrType(), s);
    return s;
}

}  // namespace acquila::test
