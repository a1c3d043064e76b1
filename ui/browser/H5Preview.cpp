#include "ui/browser/H5Preview.h"
#include "ui/browser/H5Format.h"
#include "ui/browser/H5Handle.h"
#include "core/util/MinMaxBins.h"
#include <algorithm>
#include <vector>

namespace acquila::ui::browser {
namespace {

using namespace h5format;

struct Context {
    hid_t file;
    bool swmr;
    QString fileName;
    const PreviewRequest& request;
    const std::function<bool()>& cancelled;
    QString where(const QString& path) const { return QStringLiteral("%1 in '%2'").arg(path, fileName); }
};

PreviewData message(PreviewData out, const QString& text) {
    out.kind = PreviewKind::Message;
    out.message = text;
    return out;
}

std::vector<hsize_t> dimsOf(hid_t space) {
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(size_t(std::max(rank, 0)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

QString stringAttribute(hid_t object, const char* name) {
    if (H5Aexists(object, name) <= 0) return {};
    H5Handle attr(H5Aopen(object, name, H5P_DEFAULT));
    const FormattedValues v = readFormatted(attr, true, 64);
    return v.values.isEmpty() ? QString() : v.values.front();
}

QStringList stringListAttribute(hid_t object, const char* name) {
    if (H5Aexists(object, name) <= 0) return {};
    H5Handle attr(H5Aopen(object, name, H5P_DEFAULT));
    return readFormatted(attr, true, 64).values;
}

QString labelOf(hid_t dataset, const QString& name) {
    const QString units = stringAttribute(dataset, "units");
    return units.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, units);
}

/** Streams the first `length` elements of 1D `dataset` into a min/max line. */
bool readLine(const Context& c, hid_t dataset, qint64 length, PreviewData& out) {
    H5Handle fileType(H5Dget_type(dataset));
    H5Handle space(H5Dget_space(dataset));
    const qint64 esize = qint64(H5Tget_size(fileType));
    const qint64 columns = std::max(c.request.columns, 16);
    util::MinMaxBins decimator(length, int(columns));
    const qint64 block = std::max<qint64>(c.request.blockElements, 1024);
    qint64 stride = 1;
    if (length * esize > c.request.readBudgetBytes) {
        // Too large to scan within the budget: sample evenly instead, and say so.
        stride = util::MinMaxBins::strideFor(length, std::max<qint64>(c.request.readBudgetBytes / esize, columns));
        out.sampled = true;
    }
    const qint64 samples = (length + stride - 1) / stride;
    std::vector<double> buffer(size_t(std::min(block, samples)));
    out.peakBufferBytes = qint64(buffer.size() * sizeof(double));
    for (qint64 done = 0; done < samples;) {
        if (c.cancelled()) {
            out.cancelled = true;
            return false;
        }
        const hsize_t n = hsize_t(std::min(block, samples - done));
        const hsize_t start = hsize_t(done * stride), hstride = hsize_t(stride);
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &start, &hstride, &n, nullptr);
        H5Handle memSpace(H5Screate_simple(1, &n, nullptr));
        if (H5Dread(dataset, H5T_NATIVE_DOUBLE, memSpace, space, H5P_DEFAULT, buffer.data()) < 0) {
            out = message(out, QStringLiteral("Cannot read %1: %2").arg(c.where(c.request.path), lastError()));
            return false;
        }
        out.bytesRead += qint64(n) * esize;
        if (stride == 1) {
            decimator.add(done, buffer.data(), qint64(n));
        } else {
            for (hsize_t i = 0; i < n; ++i) decimator.add((done + qint64(i)) * stride, &buffer[i], 1);
        }
        done += qint64(n);
    }
    decimator.points(out.x, out.y);
    out.decimated = length > columns;
    out.kind = PreviewKind::Line;
    return true;
}

/** Reads a strided 2D slice (last two dimensions) of `dataset` as an image. */
bool readImage(const Context& c, hid_t dataset, const std::vector<hsize_t>& dims, PreviewData& out) {
    const size_t rank = dims.size();
    std::vector<hsize_t> start(rank, 0), stride(rank, 1), count(rank, 1);
    for (size_t i = 0; i + 2 < rank; ++i) {
        const qint64 want = i < size_t(c.request.sliceIndex.size()) ? c.request.sliceIndex[qsizetype(i)] : 0;
        start[i] = hsize_t(std::clamp<qint64>(want, 0, qint64(dims[i]) - 1));
        out.sliceIndex << qint64(start[i]);
    }
    const qint64 rows = qint64(dims[rank - 2]), cols = qint64(dims[rank - 1]);
    const qint64 side = std::max(c.request.imageSide, 8);
    stride[rank - 2] = hsize_t(util::MinMaxBins::strideFor(rows, side));
    stride[rank - 1] = hsize_t(util::MinMaxBins::strideFor(cols, side));
    count[rank - 2] = (hsize_t(rows) + stride[rank - 2] - 1) / stride[rank - 2];
    count[rank - 1] = (hsize_t(cols) + stride[rank - 1] - 1) / stride[rank - 1];
    out.sampled = stride[rank - 2] > 1 || stride[rank - 1] > 1;
    out.imageRows = int(count[rank - 2]);
    out.imageCols = int(count[rank - 1]);
    if (c.cancelled()) {
        out.cancelled = true;
        return false;
    }
    H5Handle space(H5Dget_space(dataset));
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), stride.data(), count.data(), nullptr);
    const hsize_t n = count[rank - 2] * count[rank - 1];
    H5Handle memSpace(H5Screate_simple(1, &n, nullptr));
    out.image.resize(qsizetype(n));
    if (H5Dread(dataset, H5T_NATIVE_DOUBLE, memSpace, space, H5P_DEFAULT, out.image.data()) < 0) {
        out = message(out, QStringLiteral("Cannot read %1: %2").arg(c.where(c.request.path), lastError()));
        return false;
    }
    H5Handle fileType(H5Dget_type(dataset));
    out.bytesRead = qint64(n * H5Tget_size(fileType));
    out.peakBufferBytes = qint64(n * sizeof(double));
    out.xMin = 0;
    out.xMax = double(cols - 1);
    out.yMin = 0;
    out.yMax = double(rows - 1);
    out.xLabel = QStringLiteral("column");  // NXdata axes, when present, replace these
    out.yLabel = QStringLiteral("row");
    out.kind = PreviewKind::Image;
    return true;
}

PreviewData datasetPreview(const Context& c, hid_t dataset, PreviewData out, qint64 lengthLimit = -1) {
    H5Handle type(H5Dget_type(dataset));
    H5Handle space(H5Dget_space(dataset));
    if (!type.valid() || !space.valid())
        return message(out, QStringLiteral("Cannot read the type of %1: %2").arg(c.where(c.request.path), lastError()));
    if (H5Sget_simple_extent_type(space) == H5S_NULL) return message(out, QStringLiteral("No data (null dataspace)."));
    const std::vector<hsize_t> dims = dimsOf(space);
    hsize_t total = 1;
    for (hsize_t d : dims) {
        out.shape << qint64(d);
        total *= d;
    }
    if (total == 0) return message(out, QStringLiteral("Empty dataset (shape %1).").arg(describeSpace(space)));
    if (isNumeric(type) && !dims.empty()) {
        if (dims.size() == 1) {
            const qint64 length = lengthLimit >= 0 ? std::min<qint64>(lengthLimit, qint64(dims[0])) : qint64(dims[0]);
            if (length <= 0) return message(out, QStringLiteral("No points written yet."));
            readLine(c, dataset, length, out);
            return out;
        }
        readImage(c, dataset, dims, out);
        return out;
    }
    const FormattedValues v = readFormatted(dataset, false, 1000, true);
    if (!v.error.isEmpty())
        return message(out, QStringLiteral("Cannot read %1 (%2): %3").arg(c.where(c.request.path), describeType(type),
                                                                          v.error));
    if (isString(type) || dims.empty()) {
        out.kind = PreviewKind::Text;
        out.text = v.values.size() == 1 ? prettyJson(v.values.front()) : v.values.join('\n');
        if (v.truncated) out.text += QStringLiteral("\n…");
        return out;
    }
    out.kind = PreviewKind::Table;
    const int perRow = v.fields.isEmpty() ? 1 : int(v.fields.size());
    out.table.columns = v.fields.isEmpty() ? QStringList{describeType(type)} : v.fields;
    for (qsizetype i = 0; i + perRow <= v.values.size(); i += perRow) out.table.rows << v.values.mid(i, perRow);
    out.table.truncated = v.truncated;
    return out;
}

/** Reads the 1D axis `axis` at the sample indices in `out.x`, replacing them by axis values. */
void applyAxis(hid_t axis, PreviewData& out) {
    H5Handle space(H5Dget_space(axis));
    H5Handle type(H5Dget_type(axis));
    const std::vector<hsize_t> dims = dimsOf(space);
    if (dims.size() != 1 || !isNumeric(type) || out.x.isEmpty()) return;
    std::vector<hsize_t> coords;
    for (double x : out.x) {
        if (hsize_t(x) >= dims[0]) return;
        coords.push_back(hsize_t(x));
    }
    H5Sselect_elements(space, H5S_SELECT_SET, coords.size(), coords.data());
    const hsize_t n = coords.size();
    H5Handle memSpace(H5Screate_simple(1, &n, nullptr));
    QVector<double> values(static_cast<qsizetype>(n));
    if (H5Dread(axis, H5T_NATIVE_DOUBLE, memSpace, space, H5P_DEFAULT, values.data()) >= 0) {
        out.x = values;
        out.bytesRead += qint64(n * H5Tget_size(type));
    }
}

/** First and last value of a 1D numeric axis (for image extents). */
bool axisRange(hid_t axis, double& first, double& last) {
    H5Handle space(H5Dget_space(axis));
    H5Handle type(H5Dget_type(axis));
    const std::vector<hsize_t> dims = dimsOf(space);
    if (dims.size() != 1 || dims[0] == 0 || !isNumeric(type)) return false;
    const hsize_t coords[2] = {0, dims[0] - 1};
    H5Sselect_elements(space, H5S_SELECT_SET, 2, coords);
    const hsize_t n = 2;
    H5Handle memSpace(H5Screate_simple(1, &n, nullptr));
    double v[2];
    if (H5Dread(axis, H5T_NATIVE_DOUBLE, memSpace, space, H5P_DEFAULT, v) < 0) return false;
    first = v[0];
    last = v[1];
    return true;
}

qint64 pointsWritten(hid_t group) {
    if (H5Lexists(group, "points_written", H5P_DEFAULT) <= 0) return -1;
    H5Handle ds(H5Dopen2(group, "points_written", H5P_DEFAULT));
    H5Handle space(H5Dget_space(ds));
    qint64 v = -1;
    if (H5Sget_simple_extent_type(space) == H5S_SCALAR &&
        H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0)
        return v;
    return -1;
}

PreviewData nxdataPreview(const Context& c, hid_t group, PreviewData out) {
    const QString signal = stringAttribute(group, "signal");
    if (signal.isEmpty())
        return message(out, QStringLiteral("NXdata group %1 has no @signal attribute.").arg(c.where(c.request.path)));
    H5Handle ds(H5Dopen2(group, signal.toUtf8().constData(), H5P_DEFAULT));
    if (!ds.valid())
        return message(out, QStringLiteral("NXdata @signal '%1' of %2 cannot be opened: %3")
                                .arg(signal, c.where(c.request.path), lastError()));
    if (c.swmr) H5Drefresh(ds);
    out.title = signal;
    out.yLabel = labelOf(ds, signal);
    out.valueLabel = out.yLabel;
    const QStringList axes = stringListAttribute(group, "axes");
    out = datasetPreview(c, ds, out, pointsWritten(group));
    auto openAxis = [&](int i) {
        if (i >= axes.size() || axes[i] == "." || H5Lexists(group, axes[i].toUtf8().constData(), H5P_DEFAULT) <= 0)
            return H5Handle();
        return H5Handle(H5Dopen2(group, axes[i].toUtf8().constData(), H5P_DEFAULT));
    };
    if (out.kind == PreviewKind::Line) {
        H5Handle axis = openAxis(0);
        out.xLabel = QStringLiteral("index");
        if (axis.valid()) {
            applyAxis(axis, out);
            out.xLabel = labelOf(axis, axes[0]);
        }
    } else if (out.kind == PreviewKind::Image && axes.size() >= 2) {
        const int n = int(axes.size());
        H5Handle yAxis = openAxis(n - 2), xAxis = openAxis(n - 1);
        if (yAxis.valid() && axisRange(yAxis, out.yMin, out.yMax)) out.yLabel = labelOf(yAxis, axes[n - 2]);
        if (xAxis.valid() && axisRange(xAxis, out.xMin, out.xMax)) out.xLabel = labelOf(xAxis, axes[n - 1]);
    }
    H5Eclear2(H5E_DEFAULT);
    return out;
}

}  // namespace

PreviewData readPreview(hid_t file, bool swmr, const QString& fileName, const PreviewRequest& request,
                        const std::function<bool()>& cancelled) {
    const Context c{file, swmr, fileName, request, cancelled};
    PreviewData out;
    out.generation = request.generation;
    out.path = request.path;
    out.title = request.path.section('/', -1);
    if (file < 0) return message(out, QStringLiteral("No file open."));
    const QByteArray path = request.path.isEmpty() ? QByteArray("/") : request.path.toUtf8();
    H5Handle object(H5Oopen(file, path.constData(), H5P_DEFAULT));
    if (!object.valid())
        return message(out, QStringLiteral("Cannot open %1: %2").arg(c.where(request.path), lastError()));
    switch (H5Iget_type(object)) {
    case H5I_DATASET:
        if (swmr) H5Drefresh(object);
        out.xLabel = QStringLiteral("index");
        out.yLabel = labelOf(object, out.title);
        out.valueLabel = out.yLabel;
        return datasetPreview(c, object, out);
    case H5I_GROUP: {
        if (stringAttribute(object, "NX_class") == "NXdata") return nxdataPreview(c, object, out);
        H5G_info_t gi;
        const qint64 n = H5Gget_info(object, &gi) >= 0 ? qint64(gi.nlinks) : 0;
        return message(out, QStringLiteral("Group with %1 member(s).").arg(n));
    }
    case H5I_DATATYPE: return message(out, QStringLiteral("Named datatype: %1").arg(describeType(object)));
    default: return message(out, QStringLiteral("Unsupported object type at %1.").arg(c.where(request.path)));
    }
}

}  // namespace acquila::ui::browser
