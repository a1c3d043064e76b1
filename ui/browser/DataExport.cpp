#include "ui/browser/DataExport.h"
#include "ui/browser/H5Format.h"
#include "ui/browser/H5Handle.h"
#include <QFile>
#include <QSaveFile>
#include <QtEndian>
#include <vector>

namespace acquila::ui::browser {
namespace {

using namespace h5format;

ExportReply failure(const ExportRequest& r, const QString& text) {
    ExportReply e;
    e.outFile = r.outFile;
    e.error = text;
    return e;
}

}  // namespace

QByteArray npyHeader(const QVector<qint64>& shape) {
    QByteArray dims;
    for (qint64 d : shape) dims += QByteArray::number(d) + ", ";
    if (shape.size() > 1) dims.chop(2);
    if (shape.size() == 1) dims.chop(1);
    QByteArray dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Magic (6) + version (2) + length (2) + dict + '\n' is padded to a multiple of 64.
    const int unpadded = 10 + int(dict.size()) + 1;
    dict += QByteArray((64 - unpadded % 64) % 64, ' ');
    dict += '\n';
    QByteArray header("\x93NUMPY\x01\x00", 8);
    const quint16 len = qToLittleEndian(quint16(dict.size()));
    header += QByteArray(reinterpret_cast<const char*>(&len), 2);
    return header + dict;
}

ExportReply exportDataset(hid_t file, const QString& fileName, const ExportRequest& request,
                          const std::function<bool()>& cancelled) {
    const QString where = QStringLiteral("%1 in '%2'").arg(request.path, fileName);
    H5Handle ds(H5Dopen2(file, request.path.toUtf8().constData(), H5P_DEFAULT));
    if (!ds.valid()) return failure(request, QStringLiteral("Cannot open dataset %1: %2").arg(where, lastError()));
    H5Handle type(H5Dget_type(ds));
    H5Handle space(H5Dget_space(ds));
    const int rank = std::max(H5Sget_simple_extent_ndims(space), 0);
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    QSaveFile out(request.outFile);
    if (!out.open(QIODevice::WriteOnly))
        return failure(request, QStringLiteral("Cannot write '%1': %2").arg(request.outFile, out.errorString()));
    ExportReply reply;
    reply.outFile = request.outFile;

    if (!isNumeric(type)) {
        if (request.format == ExportFormat::Npy)
            return failure(request, QStringLiteral("%1 is %2: only numeric data can be saved as .npy")
                                        .arg(where, describeType(type)));
        const FormattedValues v = readFormatted(ds, false, qint64(1) << 24, true);
        if (!v.error.isEmpty()) return failure(request, QStringLiteral("Cannot read %1: %2").arg(where, v.error));
        const int perRow = v.fields.isEmpty() ? 1 : int(v.fields.size());
        if (!v.fields.isEmpty()) out.write(v.fields.join(',').toUtf8() + '\n');
        for (qsizetype i = 0; i + perRow <= v.values.size(); i += perRow) {
            QStringList row = v.values.mid(i, perRow);
            for (QString& cell : row)
                if (cell.contains(',') || cell.contains('"') || cell.contains('\n'))
                    cell = '"' + cell.replace('"', "\"\"") + '"';
            out.write(row.join(',').toUtf8() + '\n');
        }
        reply.values = v.values.size();
        reply.ok = out.commit();
        if (!reply.ok) reply.error = QStringLiteral("Cannot write '%1': %2").arg(request.outFile, out.errorString());
        return reply;
    }

    // Numeric: the selection is the whole dataset, or the last two dimensions at sliceIndex.
    std::vector<hsize_t> start(size_t(rank), 0), count = dims;
    QVector<qint64> shape;
    const bool slice = rank > 2 && !request.sliceIndex.isEmpty();
    for (int i = 0; i < rank; ++i) {
        if (slice && i < rank - 2) {
            start[size_t(i)] = hsize_t(std::clamp<qint64>(i < request.sliceIndex.size() ? request.sliceIndex[i] : 0, 0,
                                                          qint64(dims[size_t(i)]) - 1));
            count[size_t(i)] = 1;
        } else {
            shape << qint64(dims[size_t(i)]);
        }
    }
    const hsize_t rowLength = rank >= 2 ? count[size_t(rank - 1)] : 1;
    hsize_t selected = 1;
    for (hsize_t k : count) selected *= k;
    if (request.format == ExportFormat::Npy) out.write(npyHeader(shape));
    // Blocks of whole rows along the first selected dimension keep memory bounded.
    const int rowDim = slice ? rank - 2 : 0;
    const hsize_t perBlock = rank == 0 ? 1 : std::max<hsize_t>(1, (hsize_t(1) << 20) / std::max<hsize_t>(rowLength, 1));
    const hsize_t outer = rank == 0 ? 1 : count[size_t(rowDim)];
    hsize_t inner = 1;
    for (int i = rowDim + 1; i < rank; ++i) inner *= count[size_t(i)];
    std::vector<double> buffer;
    for (hsize_t first = 0; first < outer && selected > 0; first += perBlock) {
        if (cancelled()) return failure(request, QStringLiteral("Export of %1 cancelled").arg(where));
        const hsize_t n = std::min(perBlock, outer - first);
        std::vector<hsize_t> s = start, k = count;
        if (rank > 0) {
            s[size_t(rowDim)] = start[size_t(rowDim)] + first;
            k[size_t(rowDim)] = n;
            H5Sselect_hyperslab(space, H5S_SELECT_SET, s.data(), nullptr, k.data(), nullptr);
        }
        const hsize_t elements = rank == 0 ? 1 : n * inner;
        buffer.resize(size_t(elements));
        H5Handle memSpace(H5Screate_simple(1, &elements, nullptr));
        if (H5Dread(ds, H5T_NATIVE_DOUBLE, rank == 0 ? H5S_ALL : hid_t(memSpace), rank == 0 ? H5S_ALL : hid_t(space),
                    H5P_DEFAULT, buffer.data()) < 0)
            return failure(request, QStringLiteral("Cannot read %1: %2").arg(where, lastError()));
        if (request.format == ExportFormat::Npy) {
            for (double& v : buffer) v = qToLittleEndian(v);
            out.write(reinterpret_cast<const char*>(buffer.data()), qint64(buffer.size() * sizeof(double)));
        } else {
            QByteArray text;
            for (hsize_t i = 0; i < elements; ++i) {
                text += QByteArray::number(buffer[i], 'g', 17);
                text += (rowLength > 1 && (i + 1) % rowLength != 0) ? ',' : '\n';
            }
            out.write(text);
        }
        reply.values += qint64(elements);
    }
    reply.ok = out.commit();
    if (!reply.ok) reply.error = QStringLiteral("Cannot write '%1': %2").arg(request.outFile, out.errorString());
    return reply;
}

}  // namespace acquila::ui::browser
