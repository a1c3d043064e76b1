#include "core/storage/NexusWriter.h"

#include "core/storage/DeviceSnapshot.h"
#include "core/storage/Hdf5Util.h"
#include "core/storage/ScanArrayWriter.h"

#include <QFile>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace acquila::storage {

using h5::Hid;

QString runStatusText(model::RunStatus status) {
    switch (status) {
    case model::RunStatus::Completed: return QStringLiteral("completed");
    case model::RunStatus::Stopped: return QStringLiteral("stopped");
    case model::RunStatus::Aborted: return QStringLiteral("aborted");
    case model::RunStatus::Failed: return QStringLiteral("failed");
    case model::RunStatus::Interrupted: return QStringLiteral("interrupted");
    case model::RunStatus::None: break;
    }
    return QStringLiteral("running");
}

namespace {
QString isoTime(const QDateTime& t) {
    return t.toOffsetFromUtc(t.offsetFromUtc()).toString(Qt::ISODateWithMs);
}

Hid createGroup(hid_t parent, const char* name, const char* nxClass) {
    Hid g(H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    if (g.valid() && !h5::writeStringAttribute(g, "NX_class", QString::fromLatin1(nxClass))) g.reset();
    return g;
}

// Variable-length strings keep log messages whole; the log is small and rarely written.
Hid createLogDataset(hid_t group, const char* name, hid_t type) {
    hsize_t dims = 0, maxdims = H5S_UNLIMITED, chunk = 256;
    Hid space(H5Screate_simple(1, &dims, &maxdims));
    Hid dcpl(H5Pcreate(H5P_DATASET_CREATE));
    H5Pset_chunk(dcpl, 1, &chunk);
    return Hid(H5Dcreate2(group, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
}
}  // namespace

struct NexusWriter::Impl {
    RunLayout layout;
    QString partPath;
    QString currentPath;
    Hid file, entry, data, log, logTime, logLevel, logMessage, pointsWrittenDs;
    std::vector<ScanArrayWriter> arrays;
    qint64 pointsWritten = 0;
    hsize_t logCount = 0;
    std::chrono::steady_clock::time_point lastFlush;
    bool finished = false;

    QString fail(const QString& op) const { return h5::failure(currentPath, op); }
    util::Result<Done> createAll();
    util::Result<Done> createData();
    util::Result<Done> closeAll();
    util::Result<Done> finishFile(model::RunStatus status, const QString& reason, const std::vector<model::DeviceDescription>& end, bool rename);
};

NexusWriter::NexusWriter() : d_(std::make_unique<Impl>()) {}

NexusWriter::~NexusWriter() {
    if (isOpen() && !d_->finished)
        d_->finishFile(model::RunStatus::Interrupted, QStringLiteral("the writer was closed before the run finished"), {}, false);
}

bool NexusWriter::isOpen() const { return d_->file.valid(); }
QString NexusWriter::currentPath() const { return d_->currentPath; }
qint64 NexusWriter::pointsWritten() const { return d_->pointsWritten; }

util::Result<Done> NexusWriter::open(const RunLayout& layout) {
    h5::quietErrors();
    if (isOpen() || d_->finished) return util::Result<Done>::failure(QStringLiteral("%1: open: the writer was already used").arg(layout.path));
    if (QString problem = layout.check(); !problem.isEmpty()) return util::Result<Done>::failure(problem);
    d_->layout = layout;
    d_->partPath = layout.path + QStringLiteral(".part");
    d_->currentPath = d_->partPath;
    QFile::remove(d_->partPath);
    auto created = d_->createAll();
    if (!created) {
        d_->closeAll();
        QFile::remove(d_->partPath);
        return created;
    }
    d_->lastFlush = std::chrono::steady_clock::now();
    return Done{};
}

util::Result<Done> NexusWriter::Impl::createAll() {
    // SWMR needs the latest file format (superblock v3, v1.10 object headers).
    Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    file = Hid(H5Fcreate(partPath.toUtf8().constData(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl));
    if (!file.valid()) return util::Result<Done>::failure(fail(QStringLiteral("create file")));

    const QString version = layout.programVersion.isEmpty() ? QStringLiteral(ACQUILA_VERSION) : layout.programVersion;
    if (!h5::writeStringAttribute(file, "default", QStringLiteral("entry"))
        || !h5::writeStringAttribute(file, "creator", QStringLiteral("Acquila %1").arg(version)))
        return util::Result<Done>::failure(fail(QStringLiteral("write root attributes")));

    entry = createGroup(file, "entry", "NXentry");
    if (!entry.valid() || !h5::writeStringAttribute(entry, "default", QStringLiteral("data")))
        return util::Result<Done>::failure(fail(QStringLiteral("create /entry")));
    const QDateTime start = layout.startTime.isValid() ? layout.startTime : QDateTime::currentDateTime();
    const QString title = layout.title.isEmpty() ? layout.planName : layout.title;
    // end_time, status and status_reason exist from the start so a file left by a
    // killed writer still has them ("running" then tells the run never finished).
    const std::pair<const char*, QString> texts[] = {
        {"title", title}, {"start_time", isoTime(start)}, {"end_time", QString()}, {"status", runStatusText(model::RunStatus::None)},
        {"status_reason", QString()}, {"plan", layout.planJson}, {"plan_name", layout.planName}, {"program_name", layout.programName},
        {"hostname", layout.hostname}, {"user", layout.user}};
    for (const auto& [name, value] : texts)
        if (!h5::writeStringDataset(entry, name, value))
            return util::Result<Done>::failure(fail(QStringLiteral("write /entry/%1").arg(QLatin1String(name))));
    {
        Hid prog(H5Dopen2(entry, "program_name", H5P_DEFAULT));
        std::vector<qint64> runId{static_cast<qint64>(layout.runId)};
        if (!h5::writeStringAttribute(prog, "version", version) || !h5::writeInt64Attribute(entry, "run_id", runId, true))
            return util::Result<Done>::failure(fail(QStringLiteral("write /entry/program_name@version")));
    }

    Hid instrument = createGroup(entry, "instrument", "NXinstrument");
    if (!instrument.valid()) return util::Result<Done>::failure(fail(QStringLiteral("create /entry/instrument")));
    for (const auto& dev : layout.devices) {
        const QString name = nexusName(dev.name);
        Hid g = createGroup(instrument, name.toUtf8().constData(), h5::nexusClassFor(dev));
        QString problem = g.valid() ? h5::writeDeviceSnapshot(g, dev) : QStringLiteral("create group");
        if (!problem.isEmpty()) return util::Result<Done>::failure(fail(QStringLiteral("/entry/instrument/%1: %2").arg(name, problem)));
    }

    log = createGroup(entry, "log", "NXcollection");
    Hid str(h5::vlenStringType());
    if (log.valid()) {
        logTime = createLogDataset(log, "time", H5T_NATIVE_DOUBLE);
        logLevel = createLogDataset(log, "level", str);
        logMessage = createLogDataset(log, "message", str);
    }
    if (!logTime.valid() || !logLevel.valid() || !logMessage.valid() || !h5::writeStringAttribute(logTime, "units", QStringLiteral("s")))
        return util::Result<Done>::failure(fail(QStringLiteral("create /entry/log")));

    if (auto r = createData(); !r) return r;
    if (H5Fstart_swmr_write(file) < 0) return util::Result<Done>::failure(fail(QStringLiteral("start SWMR writing")));
    return Done{};
}

util::Result<Done> NexusWriter::Impl::createData() {
    data = createGroup(entry, "data", "NXdata");
    if (!data.valid()) return util::Result<Done>::failure(fail(QStringLiteral("create /entry/data")));
    const auto& shape = layout.scanShape;
    std::vector<ScanArraySpec> specs;
    QStringList axisNames;
    for (const auto& a : layout.axes) {
        ScanArraySpec s;
        s.name = nexusName(a.name);
        s.longName = a.name;
        s.unit = a.unit;
        s.role = QStringLiteral("axis");
        s.arrayShape = a.storage == AxisStorage::Dimension ? std::vector<qint64>{shape[static_cast<size_t>(a.dimension)]} : std::vector<qint64>{shape.back()};
        s.perPointAxis = a.storage == AxisStorage::PerPoint;
        s.initial = a.positions;
        if (s.perPointAxis && a.positions.empty()) s.channel = a.name;
        axisNames << s.name;
        specs.push_back(std::move(s));
    }
    QString timestampChannel = model::kTimestampChannel;
    for (const auto& c : layout.channels) {
        if (c.role == ChannelRole::Timestamp) {
            timestampChannel = c.name;
            continue;
        }
        auto fed = std::find_if(specs.begin(), specs.end(), [&](const ScanArraySpec& s) { return s.channel == c.name; });
        if (fed != specs.end()) {
            fed->dtype = c.dtype;
            continue;
        }
        ScanArraySpec s;
        s.name = nexusName(c.name);
        if (axisNames.contains(s.name) || s.name == QLatin1String("timestamp") || s.name == QLatin1String("point_index")
            || s.name == QLatin1String("points_written"))
            s.name += QStringLiteral("_readback");
        s.longName = c.name;
        s.unit = c.unit;
        s.role = c.role == ChannelRole::Detector ? QStringLiteral("detector") : QStringLiteral("axis_readback");
        s.dtype = c.dtype;
        s.arrayShape = shape;
        s.pointShape = c.pointShape;
        s.channel = c.name;
        specs.push_back(std::move(s));
    }
    ScanArraySpec ts;
    ts.name = QStringLiteral("timestamp");
    ts.unit = QStringLiteral("s");
    ts.role = QStringLiteral("timestamp");
    ts.arrayShape = shape;
    ts.channel = timestampChannel;
    specs.push_back(ts);
    ScanArraySpec pi;
    pi.name = QStringLiteral("point_index");
    pi.role = QStringLiteral("point_index");
    pi.dtype = model::DType::Int64;
    pi.arrayShape = shape;
    pi.isPointIndex = true;
    specs.push_back(pi);

    for (auto& s : specs) {
        auto w = ScanArrayWriter::create(data, s, currentPath);
        if (!w) return util::Result<Done>::failure(w.error());
        arrays.push_back(std::move(*w));
    }

    // NXdata attributes: the signal is the first detector; @axes has one entry per
    // signal dimension ("." where no axis applies). Several per-point axes on a 1-D
    // scan are all listed, which is how silx recognises a scatter.
    const ScanArraySpec* signal = nullptr;
    for (const auto& s : specs)
        if (s.role == QLatin1String("detector")) { signal = &s; break; }
    if (!signal) signal = &specs[specs.size() - 2];  // timestamp: still a plottable default
    QStringList axes;
    for (size_t d = 0; d < shape.size(); ++d) axes << QStringLiteral(".");
    QStringList perPoint;
    for (size_t i = 0; i < layout.axes.size(); ++i) {
        const auto& a = layout.axes[i];
        const size_t dim = a.storage == AxisStorage::Dimension ? static_cast<size_t>(a.dimension) : shape.size() - 1;
        std::vector<qint64> idx{static_cast<qint64>(dim)};
        if (!h5::writeInt64Attribute(data, QStringLiteral("%1_indices").arg(axisNames[static_cast<int>(i)]).toUtf8().constData(), idx, true))
            return util::Result<Done>::failure(fail(QStringLiteral("write /entry/data@%1_indices").arg(axisNames[static_cast<int>(i)])));
        if (a.storage == AxisStorage::PerPoint) perPoint << axisNames[static_cast<int>(i)];
        if (axes[static_cast<int>(dim)] == QLatin1String(".")) axes[static_cast<int>(dim)] = axisNames[static_cast<int>(i)];
    }
    if (shape.size() == 1 && signal->pointShape.empty() && perPoint.size() > 1) axes = perPoint;
    for (size_t d = 0; d < signal->pointShape.size(); ++d) axes << QStringLiteral(".");
    QStringList auxiliary;
    for (const auto& s : specs)
        if (&s != signal && s.role == QLatin1String("detector") && s.pointShape == signal->pointShape) auxiliary << s.name;
    std::vector<qint64> scanShape(shape.begin(), shape.end());
    if (!h5::writeStringAttribute(data, "signal", signal->name) || !h5::writeStringArrayAttribute(data, "axes", axes)
        || (!auxiliary.isEmpty() && !h5::writeStringArrayAttribute(data, "auxiliary_signals", auxiliary))
        || !h5::writeInt64Attribute(data, "acquila_scan_shape", scanShape, false))
        return util::Result<Done>::failure(fail(QStringLiteral("write /entry/data attributes")));

    // A plain scalar that flush() overwrites: readers poll it to follow the run.
    Hid space(H5Screate(H5S_SCALAR));
    pointsWrittenDs = Hid(H5Dcreate2(data, "points_written", H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    const qint64 zero = 0;
    if (!pointsWrittenDs.valid() || H5Dwrite(pointsWrittenDs, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &zero) < 0)
        return util::Result<Done>::failure(fail(QStringLiteral("create /entry/data/points_written")));
    return Done{};
}

util::Result<Done> NexusWriter::append(const model::ResultBatch& batch, const CellMap& cellOf) {
    h5::quietErrors();
    if (!isOpen()) return util::Result<Done>::failure(QStringLiteral("%1: append: the file is not open").arg(d_->currentPath));
    const qint64 cells = d_->layout.cellCount();
    if (batch.count <= 0) return Done{};
    if (batch.first < 0) return util::Result<Done>::failure(QStringLiteral("%1: append: negative first point %2").arg(d_->currentPath).arg(batch.first));
    for (const auto& ch : batch.channels) {
        const bool known = std::any_of(d_->arrays.begin(), d_->arrays.end(), [&](const ScanArrayWriter& a) { return a.spec().channel == ch.name; });
        if (!known) return util::Result<Done>::failure(QStringLiteral("%1: append: channel '%2' is not in the run layout").arg(d_->currentPath, ch.name));
    }
    auto placement = CellPlacement::build(batch.first, batch.count, cellOf, cells);
    if (!placement) return util::Result<Done>::failure(QStringLiteral("%1: append: %2").arg(d_->currentPath, placement.error()));
    for (auto& a : d_->arrays) {
        auto r = a.write(batch, *placement);
        if (!r) return r;
    }
    d_->pointsWritten += batch.count;
    return Done{};
}

util::Result<Done> NexusWriter::flushIfDue() {
    const auto interval = std::chrono::duration<double>(d_->layout.flushIntervalS);
    if (std::chrono::steady_clock::now() - d_->lastFlush < interval) return Done{};
    return flush();
}

util::Result<Done> NexusWriter::flush() {
    h5::quietErrors();
    if (!isOpen()) return util::Result<Done>::failure(QStringLiteral("%1: flush: the file is not open").arg(d_->currentPath));
    d_->lastFlush = std::chrono::steady_clock::now();
    // The counter must never reach the disk ahead of the points it counts: flush the
    // data first (the counter still holds the previous, smaller value), then write and
    // flush the counter alone. A crash between the two leaves a counter that is too low.
    const qint64 onDisk = d_->pointsWritten;
    if (H5Fflush(d_->file, H5F_SCOPE_LOCAL) < 0) return util::Result<Done>::failure(d_->fail(QStringLiteral("flush")));
    if (H5Dwrite(d_->pointsWrittenDs, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &onDisk) < 0)
        return util::Result<Done>::failure(d_->fail(QStringLiteral("write /entry/data/points_written")));
    if (H5Dflush(d_->pointsWrittenDs) < 0) return util::Result<Done>::failure(d_->fail(QStringLiteral("flush /entry/data/points_written")));
    return Done{};
}

util::Result<Done> NexusWriter::log(const QDateTime& time, const QString& level, const QString& text) {
    h5::quietErrors();
    if (!isOpen()) return util::Result<Done>::failure(QStringLiteral("%1: log: the file is not open").arg(d_->currentPath));
    const hsize_t n = d_->logCount + 1, at = d_->logCount, one = 1;
    const double t = static_cast<double>(time.toMSecsSinceEpoch()) / 1000.0;
    const QByteArray l = level.toUtf8(), m = text.toUtf8();
    const char* lp = l.constData();
    const char* mp = m.constData();
    Hid str(h5::vlenStringType());
    const std::tuple<hid_t, hid_t, const void*> fields[] = {
        {d_->logTime, H5T_NATIVE_DOUBLE, &t}, {d_->logLevel, str, &lp}, {d_->logMessage, str, &mp}};
    for (const auto& [ds, type, value] : fields) {
        Hid mem(H5Screate_simple(1, &one, nullptr));
        if (H5Dset_extent(ds, &n) < 0) return util::Result<Done>::failure(d_->fail(QStringLiteral("extend /entry/log")));
        Hid space(H5Dget_space(ds));
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &at, nullptr, &one, nullptr);
        if (H5Dwrite(ds, type, mem, space, H5P_DEFAULT, value) < 0) return util::Result<Done>::failure(d_->fail(QStringLiteral("write /entry/log")));
    }
    d_->logCount = n;
    return Done{};
}

util::Result<Done> NexusWriter::finish(model::RunStatus status, const QString& reason, const std::vector<model::DeviceDescription>& endSnapshots) {
    h5::quietErrors();
    if (d_->finished || !isOpen()) return util::Result<Done>::failure(QStringLiteral("%1: finish: the file is not open").arg(d_->currentPath));
    return d_->finishFile(status, reason, endSnapshots, true);
}

util::Result<Done> NexusWriter::Impl::closeAll() {
    arrays.clear();
    for (Hid* h : {&pointsWrittenDs, &logTime, &logLevel, &logMessage, &log, &data, &entry}) h->reset();
    if (file.valid() && !file.reset()) return util::Result<Done>::failure(fail(QStringLiteral("close")));
    return Done{};
}

util::Result<Done> NexusWriter::Impl::finishFile(model::RunStatus status, const QString& reason, const std::vector<model::DeviceDescription>& end, bool rename) {
    finished = true;
    // The end metadata is written after reopening without SWMR: SWMR writing
    // cannot create new objects (the end snapshots) once started.
    if (H5Dwrite(pointsWrittenDs, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointsWritten) < 0) {
        QString err = fail(QStringLiteral("write /entry/data/points_written"));
        closeAll();
        return util::Result<Done>::failure(err);
    }
    if (auto closed = closeAll(); !closed) return closed;
    Hid fapl(H5Pcreate(H5P_FILE_ACCESS));
    H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
    Hid f(H5Fopen(partPath.toUtf8().constData(), H5F_ACC_RDWR, fapl));
    if (!f.valid()) return util::Result<Done>::failure(fail(QStringLiteral("reopen to write the end metadata")));
    Hid e(H5Gopen2(f, "entry", H5P_DEFAULT));
    if (!h5::rewriteStringDataset(e, "end_time", isoTime(QDateTime::currentDateTime()))
        || !h5::rewriteStringDataset(e, "status", runStatusText(status)) || !h5::rewriteStringDataset(e, "status_reason", reason))
        return util::Result<Done>::failure(fail(QStringLiteral("write end_time/status")));
    Hid instrument(H5Gopen2(e, "instrument", H5P_DEFAULT));
    for (const auto& dev : end) {
        const QByteArray name = nexusName(dev.name).toUtf8();
        Hid g(H5Lexists(instrument, name.constData(), H5P_DEFAULT) > 0 ? H5Gopen2(instrument, name.constData(), H5P_DEFAULT)
                                                                           : createGroup(instrument, name.constData(), h5::nexusClassFor(dev)).release());
        Hid atEnd = g.valid() ? createGroup(g, "at_end", "NXcollection") : Hid();
        QString problem = atEnd.valid() ? h5::writeDeviceSnapshot(atEnd, dev) : QStringLiteral("create group");
        if (!problem.isEmpty()) return util::Result<Done>::failure(fail(QStringLiteral("/entry/instrument/%1/at_end: %2").arg(QString::fromUtf8(name), problem)));
    }
    instrument.reset();
    e.reset();
    if (!f.reset()) return util::Result<Done>::failure(fail(QStringLiteral("close after writing the end metadata")));
    if (!rename) return Done{};
    if (std::rename(partPath.toUtf8().constData(), layout.path.toUtf8().constData()) != 0)
        return util::Result<Done>::failure(QStringLiteral("%1: rename to %2: %3").arg(partPath, layout.path, QString::fromLocal8Bit(std::strerror(errno))));
    currentPath = layout.path;
    return Done{};
}

}  // namespace acquila::storage
