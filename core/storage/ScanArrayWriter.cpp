#include "core/storage/ScanArrayWriter.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

namespace acquila::storage {

using h5::Hid;

namespace {
constexpr qint64 kFrameChunkBytes = 64 * 1024;  // points at least this big get one chunk each
constexpr qint64 kBlockChunkBytes = 1024 * 1024;

struct Block {
    std::vector<hsize_t> start, count;
    qint64 cells = 0;
};

// Splits the row-major flat range [a, b) of `shape` into rectangular blocks, in
// increasing order: at most 2 per dimension, whatever the range length.
void decompose(const std::vector<qint64>& shape, size_t dim, std::vector<hsize_t>& prefix, qint64 a, qint64 b, std::vector<Block>& out) {
    const size_t rank = shape.size();
    auto addBlock = [&](qint64 startRow, qint64 rows) {
        Block blk;
        blk.start = prefix;
        blk.count.assign(prefix.size(), 1);
        blk.start.push_back(static_cast<hsize_t>(startRow));
        blk.count.push_back(static_cast<hsize_t>(rows));
        blk.cells = rows;
        for (size_t k = dim + 1; k < rank; ++k) {
            blk.start.push_back(0);
            blk.count.push_back(static_cast<hsize_t>(shape[k]));
            blk.cells *= shape[k];
        }
        out.push_back(std::move(blk));
    };
    if (dim + 1 == rank) {
        addBlock(a, b - a);
        return;
    }
    qint64 inner = 1;
    for (size_t k = dim + 1; k < rank; ++k) inner *= shape[k];
    if (a % inner != 0) {
        const qint64 row = a / inner;
        const qint64 end = std::min(b, (row + 1) * inner);
        prefix.push_back(static_cast<hsize_t>(row));
        decompose(shape, dim + 1, prefix, a - row * inner, end - row * inner, out);
        prefix.pop_back();
        a = end;
    }
    if (a >= b) return;
    if (b / inner > a / inner) {
        addBlock(a / inner, b / inner - a / inner);
        a = (b / inner) * inner;
    }
    if (a < b) {
        const qint64 row = a / inner;
        prefix.push_back(static_cast<hsize_t>(row));
        decompose(shape, dim + 1, prefix, 0, b - row * inner, out);
        prefix.pop_back();
    }
}
}  // namespace

util::Result<CellPlacement> CellPlacement::build(qint64 first, qint64 count, const CellMap& cellOf, qint64 cellCount) {
    CellPlacement p;
    p.first = first;
    p.count = count;
    // Checked without computing first + count, which a hostile batch could overflow.
    if (first < 0 || count < 0 || count > cellCount || first > cellCount - count)
        return util::Result<CellPlacement>::failure(
            QStringLiteral("%1 points from point %2 do not fit the %3 cells of the scan").arg(count).arg(first).arg(cellCount));
    if (!cellOf) {
        p.firstCell = first;
        return p;
    }
    p.cells.resize(static_cast<size_t>(count));
    bool ascending = true;
    for (qint64 i = 0; i < count; ++i) {
        const qint64 c = cellOf(first + i);
        if (c < 0 || c >= cellCount)
            return util::Result<CellPlacement>::failure(QStringLiteral("point %1 maps to cell %2, outside the %3 cells of the scan").arg(first + i).arg(c).arg(cellCount));
        p.cells[static_cast<size_t>(i)] = c;
        if (i > 0 && c != p.cells[static_cast<size_t>(i - 1)] + 1) ascending = false;
    }
    if (ascending) {
        p.firstCell = p.cells.front();
        p.cells.clear();
        return p;
    }
    p.contiguous = false;
    p.order.resize(static_cast<size_t>(count));
    std::iota(p.order.begin(), p.order.end(), 0);
    std::stable_sort(p.order.begin(), p.order.end(), [&](qint64 x, qint64 y) { return p.cells[static_cast<size_t>(x)] < p.cells[static_cast<size_t>(y)]; });
    return p;
}

util::Result<ScanArrayWriter> ScanArrayWriter::create(hid_t group, const ScanArraySpec& spec, const QString& filePath) {
    ScanArrayWriter w;
    w.spec_ = spec;
    w.file_ = filePath;
    for (qint64 s : spec.pointShape) w.elementsPerPoint_ *= s;
    w.bytesPerPoint_ = w.elementsPerPoint_ * static_cast<qint64>(model::dtypeSize(spec.dtype));
    w.frameChunks_ = !spec.pointShape.empty() && w.bytesPerPoint_ >= kFrameChunkBytes;

    std::vector<hsize_t> dims, maxdims, chunk;
    for (qint64 s : spec.arrayShape) dims.push_back(static_cast<hsize_t>(s));
    for (qint64 s : spec.pointShape) dims.push_back(static_cast<hsize_t>(s));
    maxdims = dims;
    maxdims[0] = H5S_UNLIMITED;
    const size_t scanRank = spec.arrayShape.size();
    chunk.assign(dims.size(), 1);
    for (size_t k = scanRank; k < dims.size(); ++k) chunk[k] = dims[k];
    if (!w.frameChunks_) {
        // Fill whole trailing scan dimensions first, so a chunk is a run of
        // consecutive cells (what a batch writes), about kBlockChunkBytes big.
        qint64 budget = std::max<qint64>(1, kBlockChunkBytes / std::max<qint64>(1, w.bytesPerPoint_));
        for (size_t k = scanRank; k-- > 0;) {
            const qint64 c = std::min(spec.arrayShape[k], budget);
            chunk[k] = static_cast<hsize_t>(c);
            if (c < spec.arrayShape[k]) break;
            budget /= c;
        }
    }
    const qint64 chunkBytes = w.bytesPerPoint_ * static_cast<qint64>(std::accumulate(chunk.begin(), chunk.begin() + static_cast<long>(scanRank), hsize_t{1}, std::multiplies<>()));

    Hid space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()));
    Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
    H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data());
    const bool isFloat = spec.dtype == model::DType::Float64 || spec.dtype == model::DType::Float32;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const qint64 intFill = spec.isPointIndex ? -1 : 0;
    if (isFloat) H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan);
    else H5Pset_fill_value(dcpl, H5T_NATIVE_INT64, &intFill);
    Hid dapl(H5Pcreate(H5P_DATASET_ACCESS));
    if (!w.frameChunks_) H5Pset_chunk_cache(dapl, 10007, static_cast<size_t>(std::max<qint64>(16 << 20, 4 * chunkBytes)), 1.0);
    const QByteArray name = spec.name.toUtf8();
    w.ds_ = Hid(H5Dcreate2(group, name.constData(), h5::nativeType(spec.dtype), space, H5P_DEFAULT, dcpl, dapl));
    if (!w.ds_.valid()) return util::Result<ScanArrayWriter>::failure(h5::failure(filePath, QStringLiteral("create /entry/data/%1").arg(spec.name)));
    w.fileSpace_ = Hid(H5Dget_space(w.ds_));
    if ((!spec.unit.isEmpty() && !h5::writeStringAttribute(w.ds_, "units", spec.unit))
        || (!spec.longName.isEmpty() && !h5::writeStringAttribute(w.ds_, "long_name", spec.longName))
        || !h5::writeStringAttribute(w.ds_, "acquila_role", spec.role)
        || (spec.pointShape.size() >= 1 && !h5::writeStringAttribute(w.ds_, "interpretation", spec.pointShape.size() == 1 ? QStringLiteral("spectrum") : QStringLiteral("image"))))
        return util::Result<ScanArrayWriter>::failure(h5::failure(filePath, QStringLiteral("write attributes of /entry/data/%1").arg(spec.name)));
    if (!spec.initial.empty() && H5Dwrite(w.ds_, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, spec.initial.data()) < 0)
        return util::Result<ScanArrayWriter>::failure(h5::failure(filePath, QStringLiteral("write /entry/data/%1").arg(spec.name)));
    return w;
}

util::Result<Done> ScanArrayWriter::fail(const QString& op) const {
    return util::Result<Done>::failure(h5::failure(file_, QStringLiteral("%1 /entry/data/%2").arg(op, spec_.name)));
}

util::Result<Done> ScanArrayWriter::write(const model::ResultBatch& batch, const CellPlacement& placement) {
    const qint64 n = placement.count;
    const char* src = nullptr;
    std::vector<qint64> indices;
    if (spec_.isPointIndex) {
        indices.resize(static_cast<size_t>(n));
        std::iota(indices.begin(), indices.end(), placement.first);
        src = reinterpret_cast<const char*>(indices.data());
    } else {
        if (spec_.channel.isEmpty()) return Done{};
        const model::Channel* ch = batch.find(spec_.channel);
        if (!ch) return Done{};
        const bool shapeOk = ch->pointShape.size() == spec_.pointShape.size()
            && std::equal(ch->pointShape.begin(), ch->pointShape.end(), spec_.pointShape.begin(), [](int64_t a, qint64 b) { return a == b; });
        if (ch->dtype != spec_.dtype || !shapeOk)
            return util::Result<Done>::failure(QStringLiteral("%1: append: channel '%2' has dtype %3 and a point shape of %4 dimensions, the layout expects %5 and %6")
                                             .arg(file_, ch->name, QLatin1String(model::dtypeName(ch->dtype))).arg(ch->pointShape.size())
                                             .arg(QLatin1String(model::dtypeName(spec_.dtype))).arg(spec_.pointShape.size()));
        if (ch->data.size() != n * bytesPerPoint_)
            return util::Result<Done>::failure(QStringLiteral("%1: append: channel '%2' holds %3 bytes for %4 points, expected %5")
                                             .arg(file_, ch->name).arg(ch->data.size()).arg(n).arg(n * bytesPerPoint_));
        src = ch->data.constData();
    }

    // Axis datasets over the last scan dimension receive cell % length.
    if (spec_.perPointAxis) {
        const qint64 len = spec_.arrayShape[0];
        for (qint64 i = 0; i < n; ++i) {
            const qint64 cell = placement.contiguous ? placement.firstCell + i : placement.cells[static_cast<size_t>(i)];
            if (auto r = writeRange(cell % len, 1, src + i * bytesPerPoint_); !r) return r;
        }
        return Done{};
    }
    if (frameChunks_) {
        for (qint64 i = 0; i < n; ++i) {
            const qint64 cell = placement.contiguous ? placement.firstCell + i : placement.cells[static_cast<size_t>(i)];
            if (auto r = writeFrame(cell, src + i * bytesPerPoint_); !r) return r;
        }
        return Done{};
    }
    if (placement.contiguous) return writeRange(placement.firstCell, n, src);

    // Reorder into cell order, then write each run of consecutive cells at once
    // (a snake row arrives reversed and becomes one run here).
    scratch_.resize(static_cast<size_t>(n * bytesPerPoint_));
    for (qint64 k = 0; k < n; ++k)
        std::memcpy(scratch_.data() + k * bytesPerPoint_, src + placement.order[static_cast<size_t>(k)] * bytesPerPoint_, static_cast<size_t>(bytesPerPoint_));
    qint64 runStart = 0;
    for (qint64 k = 1; k <= n; ++k) {
        const auto cellAt = [&](qint64 j) { return placement.cells[static_cast<size_t>(placement.order[static_cast<size_t>(j)])]; };
        if (k == n || cellAt(k) != cellAt(k - 1) + 1) {
            if (auto r = writeRange(cellAt(runStart), k - runStart, scratch_.data() + runStart * bytesPerPoint_); !r) return r;
            runStart = k;
        }
    }
    return Done{};
}

util::Result<Done> ScanArrayWriter::writeRange(qint64 cellStart, qint64 n, const char* data) {
    std::vector<Block> blocks;
    std::vector<hsize_t> prefix;
    decompose(spec_.arrayShape, 0, prefix, cellStart, cellStart + n, blocks);
    const hid_t type = h5::nativeType(spec_.dtype);
    for (auto& blk : blocks) {
        for (qint64 s : spec_.pointShape) {
            blk.start.push_back(0);
            blk.count.push_back(static_cast<hsize_t>(s));
        }
        const hsize_t elements = static_cast<hsize_t>(blk.cells * elementsPerPoint_);
        Hid mem(H5Screate_simple(1, &elements, nullptr));
        if (H5Sselect_hyperslab(fileSpace_, H5S_SELECT_SET, blk.start.data(), nullptr, blk.count.data(), nullptr) < 0
            || H5Dwrite(ds_, type, mem, fileSpace_, H5P_DEFAULT, data) < 0)
            return fail(QStringLiteral("write"));
        data += blk.cells * bytesPerPoint_;
    }
    return Done{};
}

util::Result<Done> ScanArrayWriter::writeFrame(qint64 cell, const char* data) {
    hsize_t offset[H5S_MAX_RANK] = {0};
    for (size_t k = spec_.arrayShape.size(); k-- > 0;) {
        offset[k] = static_cast<hsize_t>(cell % spec_.arrayShape[k]);
        cell /= spec_.arrayShape[k];
    }
    if (H5Dwrite_chunk(ds_, H5P_DEFAULT, 0, offset, static_cast<size_t>(bytesPerPoint_), data) < 0) return fail(QStringLiteral("write frame to"));
    return Done{};
}

}  // namespace acquila::storage
