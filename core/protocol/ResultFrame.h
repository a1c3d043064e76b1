#pragma once
#include "core/model/ResultBatch.h"
#include "core/util/Result.h"

#include <QByteArray>
#include <QCborStreamReader>
#include <vector>

namespace acquila::protocol {

/**
 * Elements per point of a point shape, or -1 when a size is below 1 or there
 * are more than kMaxFrameBytes (no such point fits a frame). Never overflows.
 */
qint64 pointElements(const std::vector<int64_t>& shape);

/** Reads a whole text string at the reader's position (any chunking); false if it is not one. */
bool readCborText(QCborStreamReader& r, QString* out);

/** Job bookkeeping that travels with a result batch. */
struct ResultMeta {
    quint64 job = 0;
    bool final = false;     // the job ends with this batch
    double seconds = -1;    // worker time spent on these points
};

/**
 * Encodes a `result` frame straight from per-channel buffers with a streaming
 * writer, without building a CBOR tree or copying the data into one: a map
 * {run, first, count, job, final, seconds, channels: [{name, dtype, shape, data}]}. `channels` gives names,
 * types and shapes; `data[i]` holds count points of channel i. Any thread.
 */
QByteArray encodeResultFrame(quint64 runId, qint64 first, qint64 count, const std::vector<model::Channel>& channels,
                             const std::vector<QByteArray>& data, const ResultMeta& meta);

/**
 * Parses the body of a lazily decoded `result` message in place: the channel
 * data of the returned batch are views into `body`, which the batch keeps
 * alive (ResultBatch::backing). Hostile-input safe: bad structure, types or
 * sizes are errors, never crashes. Any thread.
 */
util::Result<model::ResultBatch> parseResultBody(const QByteArray& body, ResultMeta* meta);

}  // namespace acquila::protocol
