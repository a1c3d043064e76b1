#include "core/storage/RunFileInspector.h"

#include "core/storage/Hdf5Open.h"

#include "core/storage/Hdf5Util.h"

#include <QFileInfo>

namespace acquila::storage {

using h5::Hid;

namespace {
QString typeName(hid_t type) {
    switch (H5Tget_class(type)) {
    case H5T_STRING: return QStringLiteral("string");
    case H5T_FLOAT: return QStringLiteral("float%1").arg(H5Tget_size(type) * 8);
    case H5T_INTEGER:
        return QStringLiteral("%1int%2").arg(H5Tget_sign(type) == H5T_SGN_NONE ? QStringLiteral("u") : QString()).arg(H5Tget_size(type) * 8);
    default: return QStringLiteral("other");
    }
}

herr_t collectNames(hid_t, const char* name, const H5L_info_t*, void* data) {
    static_cast<QStringList*>(data)->append(QString::fromUtf8(name));
    return 0;
}

QStringList childNames(hid_t group) {
    QStringList names;
    hsize_t idx = 0;
    H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collectNames, &names);
    return names;
}

std::vector<qint64> shapeOf(hid_t ds) {
    Hid space(H5Dget_space(ds));
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(static_cast<size_t>(std::max(rank, 0)));
    if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return std::vector<qint64>(dims.begin(), dims.end());
}

QString shapeText(const std::vector<qint64>& shape) {
    QStringList parts;
    for (qint64 s : shape) parts << QString::number(s);
    return QStringLiteral("[%1]").arg(parts.join(QStringLiteral(", ")));
}
}  // namespace

util::Result<RunFileSummary> inspectRunFile(const QString& path) {
    h5::quietErrors();
    RunFileSummary sum;
    sum.path = path;
    const QFileInfo info(path);
    if (!info.exists()) return util::Result<RunFileSummary>::failure(QStringLiteral("%1: no such file").arg(path));
    if (!info.isFile()) return util::Result<RunFileSummary>::failure(QStringLiteral("%1: not a regular file").arg(path));
    const QByteArray native = path.toUtf8();
    if (H5Fis_hdf5(native.constData()) <= 0) {
        h5::takeErrorStack();
        return util::Result<RunFileSummary>::failure(QStringLiteral("%1: not an HDF5 file (no HDF5 signature found)").arg(path));
    }
    ReadOpenMode mode = ReadOpenMode::Plain;
    QString openError;
    Hid file(openForReading(native, &mode, &openError));
    if (!file.valid())
        return util::Result<RunFileSummary>::failure(QStringLiteral("%1: cannot open the HDF5 file (truncated or damaged?): %2").arg(path, openError));
    // A file still open for SWMR writing, or left by a killed writer, only opens in a fallback mode.
    sum.openedSwmrRead = mode != ReadOpenMode::Plain;
    Hid root(H5Gopen2(file, "/", H5P_DEFAULT));
    if (!root.valid()) return util::Result<RunFileSummary>::failure(h5::failure(path, QStringLiteral("open root group")));
    sum.topLevelObjects = childNames(root);
    sum.creator = h5::readStringAttribute(root, "creator");
    if (H5Lexists(root, "entry", H5P_DEFAULT) <= 0 || H5Oexists_by_name(root, "entry", H5P_DEFAULT) <= 0) {
        h5::takeErrorStack();
        return sum;
    }
    Hid entry(H5Gopen2(root, "entry", H5P_DEFAULT));
    if (!entry.valid() || h5::readStringAttribute(entry, "NX_class") != QLatin1String("NXentry")) {
        h5::takeErrorStack();
        return sum;
    }
    sum.isAcquilaRun = sum.creator.startsWith(QLatin1String("Acquila")) || H5Lexists(entry, "plan", H5P_DEFAULT) > 0;
    sum.title = h5::readStringDataset(entry, "title");
    sum.status = h5::readStringDataset(entry, "status");
    sum.statusReason = h5::readStringDataset(entry, "status_reason");
    sum.planJson = h5::readStringDataset(entry, "plan");
    sum.startTime = h5::readStringDataset(entry, "start_time");
    sum.endTime = h5::readStringDataset(entry, "end_time");
    sum.programName = h5::readStringDataset(entry, "program_name");
    if (H5Lexists(entry, "program_name", H5P_DEFAULT) > 0) {
        Hid prog(H5Dopen2(entry, "program_name", H5P_DEFAULT));
        sum.programVersion = h5::readStringAttribute(prog, "version");
    }
    if (H5Lexists(entry, "data", H5P_DEFAULT) > 0) {
        Hid data(H5Gopen2(entry, "data", H5P_DEFAULT));
        if (data.valid()) {
            sum.signal = h5::readStringAttribute(data, "signal");
            sum.axes = h5::readStringArrayAttribute(data, "axes");
            if (H5Aexists(data, "acquila_scan_shape") > 0) {
                Hid attr(H5Aopen(data, "acquila_scan_shape", H5P_DEFAULT));
                Hid space(H5Aget_space(attr));
                std::vector<qint64> shape(static_cast<size_t>(std::max<hssize_t>(0, H5Sget_simple_extent_npoints(space))));
                if (!shape.empty() && H5Aread(attr, H5T_NATIVE_INT64, shape.data()) >= 0) sum.scanShape = shape;
            }
            for (const QString& name : childNames(data)) {
                const QByteArray n = name.toUtf8();
                H5O_info_t oinfo;
                if (H5Oget_info_by_name(data, n.constData(), &oinfo, H5P_DEFAULT) < 0 || oinfo.type != H5O_TYPE_DATASET) continue;
                Hid ds(H5Dopen2(data, n.constData(), H5P_DEFAULT));
                if (!ds.valid()) continue;
                if (name == QLatin1String("points_written")) {
                    qint64 v = -1;
                    if (H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0) sum.pointsWritten = v;
                    continue;
                }
                RunDatasetSummary d;
                d.name = name;
                d.role = h5::readStringAttribute(ds, "acquila_role");
                d.units = h5::readStringAttribute(ds, "units");
                Hid type(H5Dget_type(ds));
                d.dtype = typeName(type);
                d.shape = shapeOf(ds);
                sum.datasets.push_back(std::move(d));
            }
        }
    }
    h5::takeErrorStack();
    return sum;
}

QString formatSummary(const RunFileSummary& s) {
    QStringList lines;
    lines << QStringLiteral("File:     %1%2").arg(s.path, s.openedSwmrRead ? QStringLiteral("  (opened for SWMR reading: still being written, or its writer was killed)") : QString());
    if (!s.isAcquilaRun) {
        lines << QStringLiteral("Not an Acquila run file (no /entry NXentry written by Acquila).");
        lines << QStringLiteral("Top-level objects: %1").arg(s.topLevelObjects.isEmpty() ? QStringLiteral("(none)") : s.topLevelObjects.join(QStringLiteral(", ")));
        return lines.join(QLatin1Char('\n'));
    }
    lines << QStringLiteral("Title:    %1").arg(s.title);
    QString status = s.status;
    if (status == QLatin1String("running"))
        status += s.openedSwmrRead ? QStringLiteral(" (not finished: still being written or interrupted)") : QStringLiteral(" (not finished)");
    if (!s.statusReason.isEmpty()) status += QStringLiteral(": ") + s.statusReason;
    lines << QStringLiteral("Status:   %1").arg(status);
    lines << QStringLiteral("Start:    %1").arg(s.startTime);
    lines << QStringLiteral("End:      %1").arg(s.endTime.isEmpty() ? QStringLiteral("-") : s.endTime);
    lines << QStringLiteral("Program:  %1 %2").arg(s.programName, s.programVersion);
    lines << QStringLiteral("Scan:     %1, %2 points written").arg(shapeText(s.scanShape)).arg(s.pointsWritten);
    lines << QStringLiteral("Signal:   %1  axes: %2").arg(s.signal, s.axes.join(QStringLiteral(", ")));
    lines << QStringLiteral("Datasets:");
    for (const auto& d : s.datasets)
        lines << QStringLiteral("  %1  %2 %3%4%5").arg(d.name, -16).arg(d.dtype, shapeText(d.shape),
                 d.units.isEmpty() ? QString() : QStringLiteral(" [%1]").arg(d.units), d.role.isEmpty() ? QString() : QStringLiteral("  (%1)").arg(d.role));
    lines << QStringLiteral("Plan:     %1").arg(s.planJson.left(200).simplified());
    return lines.join(QLatin1Char('\n'));
}

}  // namespace acquila::storage
