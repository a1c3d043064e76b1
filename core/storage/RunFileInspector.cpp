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
    auto* names = static_cast<QStringList*>(data);
    names->append(QString::fromUtf8(name));
    return names->size() >= kMaxListedObjects ? 1 : 0;  // 1 ends the iteration
}

/** At most kMaxListedObjects names of `group`; a note counts the others. */
QStringList childNames(hid_t group, const QString& where, QStringList& notes) {
    QStringList names;
    hsize_t idx = 0;
    H5Literate(group, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, collectNames, &names);
    H5G_info_t info{};
    if (H5Gget_info(group, &info) >= 0 && info.nlinks > static_cast<hsize_t>(names.size()))
        notes << QStringLiteral("%1: %2 more objects not listed").arg(where).arg(info.nlinks - static_cast<hsize_t>(names.size()));
    return names;
}

std::vector<qint64> shapeOf(hid_t space) {
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

/** The string dataset `name` of `group`, or empty; a note says why when it exists but cannot be read. */
QString text(hid_t group, const char* name, const QString& where, QStringList& notes) {
    if (H5Lexists(group, name, H5P_DEFAULT) <= 0) return {};
    QString problem;
    bool ok = false;
    const QString v = h5::readStringDataset(group, name, &ok, &problem);
    if (!ok) notes << QStringLiteral("%1/%2 %3").arg(where, QLatin1String(name), problem);
    return v;
}

/** One integer from a dataset holding exactly one; -1 and a note otherwise. */
qint64 scalarInteger(hid_t ds, const QString& where, QStringList& notes) {
    Hid type(H5Dget_type(ds));
    Hid space(H5Dget_space(ds));
    if (H5Tget_class(type) != H5T_INTEGER || H5Sget_simple_extent_npoints(space) != 1) {
        notes << QStringLiteral("%1: expected one integer, found %2 %3").arg(where, typeName(type), shapeText(shapeOf(space)));
        return -1;
    }
    qint64 v = -1;
    if (H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0) {
        notes << QStringLiteral("%1: cannot be read: %2").arg(where, h5::takeErrorStack());
        return -1;
    }
    return v;
}

/** The @acquila_scan_shape attribute: up to H5S_MAX_RANK integers. */
std::vector<qint64> scanShapeAttribute(hid_t data, QStringList& notes) {
    if (H5Aexists(data, "acquila_scan_shape") <= 0) return {};
    Hid attr(H5Aopen(data, "acquila_scan_shape", H5P_DEFAULT));
    Hid type(H5Aget_type(attr));
    Hid space(H5Aget_space(attr));
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    std::vector<qint64> shape;
    if (H5Tget_class(type) != H5T_INTEGER || n < 1 || n > H5S_MAX_RANK) {
        notes << QStringLiteral("/entry/data@acquila_scan_shape: expected 1 to %1 integers, found %2 %3")
                     .arg(H5S_MAX_RANK).arg(typeName(type), shapeText(shapeOf(space)));
        return shape;
    }
    shape.resize(static_cast<size_t>(n));
    if (H5Aread(attr, H5T_NATIVE_INT64, shape.data()) < 0) shape.clear();
    return shape;
}

RunDatasetSummary describeDataset(hid_t ds, const QString& name) {
    RunDatasetSummary d;
    d.name = name;
    d.role = h5::readStringAttribute(ds, "acquila_role");
    d.units = h5::readStringAttribute(ds, "units");
    Hid type(H5Dget_type(ds));
    Hid space(H5Dget_space(ds));
    d.dtype = typeName(type);
    d.shape = shapeOf(space);
    return d;
}

/** /entry/data: signal, axes, scan shape, points written and the datasets (shapes and types only). */
void readData(hid_t entry, RunFileSummary& sum) {
    if (H5Lexists(entry, "data", H5P_DEFAULT) <= 0) return;
    Hid data(H5Gopen2(entry, "data", H5P_DEFAULT));
    if (!data.valid()) {
        sum.notes << QStringLiteral("/entry/data: not a group");
        return;
    }
    sum.signal = h5::readStringAttribute(data, "signal");
    sum.axes = h5::readStringArrayAttribute(data, "axes");
    sum.scanShape = scanShapeAttribute(data, sum.notes);
    for (const QString& name : childNames(data, QStringLiteral("/entry/data"), sum.notes)) {
        const QByteArray n = name.toUtf8();
        H5O_info_t oinfo;
        if (H5Oget_info_by_name(data, n.constData(), &oinfo, H5P_DEFAULT) < 0 || oinfo.type != H5O_TYPE_DATASET) continue;
        Hid ds(H5Dopen2(data, n.constData(), H5P_DEFAULT));
        if (!ds.valid()) continue;
        if (name == QLatin1String("points_written")) sum.pointsWritten = scalarInteger(ds, QStringLiteral("/entry/data/points_written"), sum.notes);
        else sum.datasets.push_back(describeDataset(ds, name));
    }
}

/** The NXentry's metadata and data; false when /entry is not an NXentry (a foreign file). */
bool readEntry(hid_t root, RunFileSummary& sum) {
    if (H5Lexists(root, "entry", H5P_DEFAULT) <= 0 || H5Oexists_by_name(root, "entry", H5P_DEFAULT) <= 0) return false;
    Hid entry(H5Gopen2(root, "entry", H5P_DEFAULT));
    if (!entry.valid() || h5::readStringAttribute(entry, "NX_class") != QLatin1String("NXentry")) return false;
    sum.isAcquilaRun = sum.creator.startsWith(QLatin1String("Acquila")) || H5Lexists(entry, "plan", H5P_DEFAULT) > 0;
    const QString at = QStringLiteral("/entry");
    sum.title = text(entry, "title", at, sum.notes);
    sum.status = text(entry, "status", at, sum.notes);
    sum.statusReason = text(entry, "status_reason", at, sum.notes);
    sum.planJson = text(entry, "plan", at, sum.notes);
    sum.startTime = text(entry, "start_time", at, sum.notes);
    sum.endTime = text(entry, "end_time", at, sum.notes);
    sum.programName = text(entry, "program_name", at, sum.notes);
    if (H5Lexists(entry, "program_name", H5P_DEFAULT) > 0) {
        Hid prog(H5Oopen(entry, "program_name", H5P_DEFAULT));
        if (prog.valid()) sum.programVersion = h5::readStringAttribute(prog, "version");
    }
    readData(entry, sum);
    return true;
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
    sum.topLevelObjects = childNames(root, QStringLiteral("/"), sum.notes);
    sum.creator = h5::readStringAttribute(root, "creator");
    readEntry(root, sum);
    h5::takeErrorStack();
    return sum;
}

namespace {
void appendNotes(QStringList& lines, const QStringList& notes) {
    for (const QString& n : notes) lines << QStringLiteral("Note:     %1").arg(n);
}
}  // namespace

QString formatSummary(const RunFileSummary& s) {
    QStringList lines;
    lines << QStringLiteral("File:     %1%2").arg(s.path, s.openedSwmrRead ? QStringLiteral("  (opened for SWMR reading: still being written, or its writer was killed)") : QString());
    if (!s.isAcquilaRun) {
        lines << QStringLiteral("Not an Acquila run file (no /entry NXentry written by Acquila).");
        lines << QStringLiteral("Top-level objects: %1").arg(s.topLevelObjects.isEmpty() ? QStringLiteral("(none)") : s.topLevelObjects.join(QStringLiteral(", ")));
        appendNotes(lines, s.notes);
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
    appendNotes(lines, s.notes);
    return lines.join(QLatin1Char('\n'));
}

}  // namespace acquila::storage
