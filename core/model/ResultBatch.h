#pragma once
#include "core/model/DType.h"
#include "core/util/Result.h"

#include <QByteArray>
#include <QCborMap>
#include <QString>
#include <cstring>
#include <memory>
#include <vector>

namespace acquila::model {

/** Packed per-point values of one channel (an axis position, a timestamp or a detector output). */
struct Channel {
    QString name;
    DType dtype = DType::Float64;
    std::vector<int64_t> pointShape;  // empty for scalars
    QByteArray data;                  // count * prod(pointShape) elements, native byte order

    qint64 elementsPerPoint() const;
    qint64 bytesPerPoint() const { return elementsPerPoint() * static_cast<qint64>(dtypeSize(dtype)); }
    /**
     * Element `i` as T. Copied out, never through a T pointer: the data of a parsed
     * batch are views into the CBOR body and need not be aligned for T.
     */
    template <typename T>
    T at(qint64 i) const {
        T v;
        std::memcpy(&v, data.constData() + i * static_cast<qint64>(sizeof(T)), sizeof(T));
        return v;
    }
};

/** Name of the per-point timestamp channel (seconds since the Unix epoch, float64). */
inline const QString kTimestampChannel = QStringLiteral("timestamp");

/**
 * Results of a contiguous range [first, first+count) of points of one run.
 * Immutable once built; shared between the storage sink and the GUI as
 * shared_ptr<const ResultBatch>, so it is never copied after creation.
 */
struct ResultBatch {
    quint64 runId = 0;
    qint64 first = 0;
    qint64 count = 0;
    std::vector<Channel> channels;
    QByteArray backing;  // frame body the channel data point into (in-place parsing), if any

    const Channel* find(const QString& name) const;
    /** Empty when every channel holds exactly `count` points, else which one does not. */
    QString checkSizes() const;
};

using ResultBatchPtr = std::shared_ptr<const ResultBatch>;

}  // namespace acquila::model
