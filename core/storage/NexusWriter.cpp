#include "core/storage/NexusWriter.h"

#include "core/storage/DeviceSnapshot.h"
#include "core/storage/Hdf5Open.h"
#include "core/storage/Hdf5Util.h"
#include "core/storage/ScanArrayWriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

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

// The end metadata is rewritten in place under SWMR, so it has a fixed size from the start.
constexpr size_t kTimeBytes = 64, kStatusBytes = 32, kReasonBytes = 8192;

QString osError() { return QString::fromLocal8Bit(std::strerror(errno)); }

/** Copies the whole file behind `fd` to `dest` (through "<dest>.part", then renamed); empty or the error. */
QString copyFile(int fd, const QString& dest) {
    const QByteArray tmp = QFile::encodeName(dest + QStringLiteral(".part"));
    const int out = ::open(tmp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) return QStringLiteral("create %1.part: %2").arg(dest, osError());
    std::vector<char> buf(1 << 20);
    QString error;
    for (off_t at = 0;;) {
        const ssize_t n = ::pread(fd, buf.data(), buf.size(), at);
        if (n < 0) error = QStringLiteral("read: %1").arg(osError());
        if (n <= 0) break;
        for (ssize_t done = 0; done < n && error.isEmpty();) {
            const ssize_t w = ::write(out, buf.data() + done, static_cast<size_t>(n - done));
            if (w < 0) error = QStringLiteral("write %1.part: %2").arg(dest, osError());
            else done += w;
        }
        if (!error.isEmpty()) break;
        at += n;
    }
    if (error.isEmpty() && ::fsync(out) != 0) error = QStringLiteral("write %1.part: %2").arg(dest, osError());
    ::close(out);
    if (error.isEmpty() && std::rename(tmp.constData(), QFile::encodeName(dest).constData()) != 0)
        error = QStringLiteral("rename to %1: %2").arg(dest, osError());
    if (!error.isEmpty()) ::unlink(tmp.constData());
    return error;
}
}  // namespace

QString recoveryDirectory() {
    const QString data = qEnvironmentVariable("XDG_DATA_HOME");
    const QString base = data.startsWith(QLatin1Char('/')) ? data : QDir::homePath() + QStringLiteral("/.local/share");
    return base + QStringLiteral("/acquila/recovered");
}

struct NexusWriter::Impl {
    RunLayout layout;
    QString partPath;
    QString currentPath;
    Hid file, entry, data, log, logTime, logLevel, logMessage, pointsWrittenDs;
    std::vector<ScanArrayWriter> arrays;
    std::vector<bool> cellWritten;  // per cell: holds a point
    qint64 pointsWritten = 0;       // cells holding a point
    int fd = -1;                    // the file's descriptor (sec2 driver), to check it is still linked
    struct stat created {};
    hsize_t logCount = 0;
    std::chrono::steady_clock::time_point lastFlush;
    bool finished = false;

    QString fail(const QString& op) const { return h5::failure(currentPath, op); }
    util::Result<Done> createAll();
    util::Result<Done> createData();
    util::Result<Done> closeAll();
    util::Result<Done> finishFile(model::RunStatus status, const QString& reason, const std::vector<model::DeviceDescription>& end, bool rename);
    QString writeEndSnapshots(const std::vector<model::DeviceDescription>& end);
    bool writeEndStatus(model::RunStatus status, const QString& reason);
    void countCells(const CellPlacement& placement);
    /** Empty while "<path>.part" still names the open file; otherwise what happened to it. */
    /** Empty while `path` (default: the ".part" file) is the open file, else what happened to it. */
    QString lostFile(const QString& path = {}) const;
    QString freeRecoveryPath() const;
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
    d_->partPath = layout.path + kPartSuffix;
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
    const std::pair<const char*, QString> texts[] = {
        {"title", title}, {"start_time", isoTime(start)}, {"plan", layout.planJson}, {"plan_name", layout.planName},
        {"program_name", layout.programName}, {"hostname", layout.hostname}, {"user", layout.user}};
    for (const auto& [name, value] : texts)
        if (!h5::writeStringDataset(entry, name, value))
            return util::Result<Done>::failure(fail(QStringLiteral("write /entry/%1").arg(QLatin1String(name))));
    // end_time, status and status_reason exist from the start, with a fixed size, so
    // finish() rewrites them under SWMR without reopening the file (a reader may hold
    // it), and a file left by a killed writer still has them ("running").
    const std::tuple<const char*, QString, size_t> ends[] = {
        {"end_time", QString(), kTimeBytes}, {"status", runStatusText(model::RunStatus::None), kStatusBytes}, {"status_reason", QString(), kReasonBytes}};
    for (const auto& [name, value, size] : ends)
        if (!h5::writeFixedStringDataset(entry, name, value, size))
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
        // at_end holds the start values until finish() overwrites them in place.
        Hid atEnd = problem.isEmpty() ? createGroup(g, "at_end", "NXcollection") : Hid();
        if (problem.isEmpty()) problem = atEnd.valid() ? h5::writeDeviceSnapshot(atEnd, dev) : QStringLiteral("create group at_end");
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
    void* handle = nullptr;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) >= 0 && handle) fd = *static_cast<int*>(handle);
    if (fd < 0 || ::fstat(fd, &created) != 0) return util::Result<Done>::failure(fail(QStringLiteral("get the file descriptor")));
    cellWritten.assign(static_cast<size_t>(layout.cellCount()), false);
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
    d_->countCells(*placement);
    return Done{};
}

void NexusWriter::Impl::countCells(const CellPlacement& placement) {
    for (qint64 i = 0; i < placement.count; ++i) {
        const auto cell = static_cast<size_t>(placement.contiguous ? placement.firstCell + i : placement.cells[static_cast<size_t>(i)]);
        if (!cellWritten[cell]) ++pointsWritten;
        cellWritten[cell] = true;
    }
}

QString NexusWriter::Impl::lostFile(const QString& at) const {
    const QString file = at.isEmpty() ? partPath : at;
    struct stat now {}, path {};
    if (fd < 0 || ::fstat(fd, &now) != 0) return QStringLiteral("%1 is no longer open").arg(file);
    const bool same = ::stat(QFile::encodeName(file).constData(), &path) == 0 && path.st_dev == now.st_dev && path.st_ino == now.st_ino;
    if (now.st_nlink > 0 && same) return {};
    const QString dir = QFileInfo(file).absolutePath();
    return QFileInfo::exists(dir) ? QStringLiteral("%1 was deleted or moved during the run").arg(file)
                                  : QStringLiteral("the output directory %1 was removed during the run").arg(dir);
}

QString NexusWriter::Impl::freeRecoveryPath() const {
    const QString dir = recoveryDirectory();
    QDir().mkpath(dir);
    const QString base = QFileInfo(layout.path).completeBaseName();
    QString path = QDir(dir).filePath(base + QStringLiteral(".h5"));
    for (int n = 2; QFileInfo::exists(path) || QFileInfo::exists(path + kPartSuffix); ++n)
        path = QDir(dir).filePath(QStringLiteral("%1-%2.h5").arg(base).arg(n));
    return path;
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
    // Writing on into a deleted file would lose the whole run at the end: say so now.
    if (QString lost = d_->lostFile(); !lost.isEmpty()) return util::Result<Done>::failure(lost);
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
    fd = -1;
    for (Hid* h : {&pointsWrittenDs, &logTime, &logLevel, &logMessage, &log, &data, &entry}) h->reset();
    if (file.valid() && !file.reset()) return util::Result<Done>::failure(fail(QStringLiteral("close")));
    return Done{};
}

QString NexusWriter::Impl::writeEndSnapshots(const std::vector<model::DeviceDescription>& end) {
    Hid instrument(H5Gopen2(entry, "instrument", H5P_DEFAULT));
    for (const auto& dev : end) {
        const QByteArray path = (nexusName(dev.name) + QStringLiteral("/at_end")).toUtf8();
        if (!instrument.valid() || H5Lexists(instrument, nexusName(dev.name).toUtf8().constData(), H5P_DEFAULT) <= 0
            || H5Lexists(instrument, path.constData(), H5P_DEFAULT) <= 0)
            continue;  // a device that was not there at the start has no place in the file
        Hid atEnd(H5Gopen2(instrument, path.constData(), H5P_DEFAULT));
        QString problem = atEnd.valid() ? h5::rewriteDeviceSnapshot(atEnd, dev) : QStringLiteral("open");
        if (!problem.isEmpty()) return fail(QStringLiteral("/entry/instrument/%1: %2").arg(QString::fromUtf8(path), problem));
    }
    return {};
}

bool NexusWriter::Impl::writeEndStatus(model::RunStatus status, const QString& reason) {
    return h5::rewriteStringDataset(entry, "end_time", isoTime(QDateTime::currentDateTime()))
           && h5::rewriteStringDataset(entry, "status", runStatusText(status)) && h5::rewriteStringDataset(entry, "status_reason", reason)
           && H5Dwrite(pointsWrittenDs, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &pointsWritten) >= 0
           && H5Fflush(file, H5F_SCOPE_LOCAL) >= 0;
}

// The outcome is decided once: every problem found while closing makes the status
// "failed" with the problems in status_reason; only then is the status written. The
// end metadata is rewritten in place under SWMR (readers may hold the file open).
util::Result<Done> NexusWriter::Impl::finishFile(model::RunStatus status, const QString& reason, const std::vector<model::DeviceDescription>& end, bool rename) {
    finished = true;
    QStringList problems;
    if (H5Fflush(file, H5F_SCOPE_LOCAL) < 0) problems << fail(QStringLiteral("write the last points"));
    if (QString p = writeEndSnapshots(end); !p.isEmpty()) problems << p;
    QString lost = lostFile();
    QString recovered = lost.isEmpty() ? QString() : freeRecoveryPath();
    if (!lost.isEmpty()) problems << QStringLiteral("%1; the points so far are saved to %2").arg(lost, recovered);
    const model::RunStatus decided = problems.isEmpty() ? status : model::RunStatus::Failed;
    QStringList why = problems;
    if (!reason.isEmpty() && status != model::RunStatus::Completed) why.prepend(reason);
    const QString whyText = why.join(QStringLiteral("; "));
    // A deleted file lives on while a descriptor holds it: keep one past the close, which
    // completes the file (clears its "open for writing" mark), then copy it out if the file
    // is gone, also when it goes while being closed (its directory removed at the end).
    const int keep = ::dup(fd);
    if (!writeEndStatus(decided, whyText)) {
        problems << fail(QStringLiteral("write the final status")) + QStringLiteral("; the file keeps status 'running'");
    } else if (lost.isEmpty() && rename && std::rename(QFile::encodeName(partPath).constData(), QFile::encodeName(layout.path).constData()) != 0) {
        problems << QStringLiteral("%1: rename to %2: %3; the file stays %1").arg(partPath, layout.path, osError());
        const QString corrected = whyText.isEmpty() ? problems.last() : whyText + QStringLiteral("; ") + problems.last();
        if (!writeEndStatus(model::RunStatus::Failed, corrected))
            problems << QStringLiteral("its status could not be corrected to 'failed'");
    } else if (lost.isEmpty() && rename) {
        currentPath = layout.path;
    }
    if (lost.isEmpty()) {
        lost = lostFile(currentPath);
        if (!lost.isEmpty()) {
            recovered = freeRecoveryPath();
            problems << QStringLiteral("%1 (as it was being closed); the points so far are saved to %2").arg(lost, recovered);
            if (!writeEndStatus(model::RunStatus::Failed, (why + QStringList{problems.last()}).join(QStringLiteral("; "))))
                problems << QStringLiteral("its status could not be corrected to 'failed'");
        }
    }
    if (auto closed = closeAll(); !closed) problems << closed.error();
    if (!lost.isEmpty()) {
        const QString e = keep < 0 ? QStringLiteral("dup: %1").arg(osError()) : copyFile(keep, recovered);
        if (e.isEmpty()) currentPath = recovered;
        else problems << QStringLiteral("saving the points failed: %1; they are lost").arg(e);
    }
    if (keep >= 0) ::close(keep);
    if (problems.isEmpty()) return Done{};
    return util::Result<Done>::failure(problems.join(QLatin1Char('\n')));  // one line per problem
}

util::Result<QString> sealAbandonedFile(const QString& partPath, model::RunStatus status, const QString& reason) {
    using R = util::Result<QString>;
    h5::quietErrors();
    if (!partPath.endsWith(kPartSuffix)) return R::failure(QStringLiteral("%1: not a '.part' file").arg(partPath));
    const QByteArray native = QFile::encodeName(partPath);
    struct stat st {};
    if (::lstat(native.constData(), &st) != 0) return R::failure(QStringLiteral("%1: %2").arg(partPath, osError()));
    if (!S_ISREG(st.st_mode)) return R::failure(QStringLiteral("%1: not a regular file").arg(partPath));
    Hid fapl(clearStatusFlagsAccess());
    if (!fapl.valid())
        return R::failure(QStringLiteral("%1: %2").arg(partPath, h5::takeErrorStack()));
    Hid file(H5Fopen(native.constData(), H5F_ACC_RDWR, fapl));
    if (!file.valid()) {
        const QString why = h5::takeFirstError();
        // HDF5 locks the file (flock) for every open; a reader's shared lock refuses a writer.
        const bool locked = why.contains(QLatin1String("Resource temporarily unavailable"));
        return R::failure(QStringLiteral("%1: open for writing: %2%3").arg(partPath, why, locked ? QStringLiteral(" (another program has it open)") : QString()));
    }
    Hid entry(H5Gopen2(file, "entry", H5P_DEFAULT));
    if (!entry.valid()) return R::failure(QStringLiteral("%1: no /entry: not a run file").arg(partPath));
    bool ok = false;
    const QString found = h5::readStringDataset(entry, "status", &ok);
    if (!ok) return R::failure(QStringLiteral("%1: /entry/status cannot be read").arg(partPath));
    if (found != runStatusText(model::RunStatus::None))
        return R::failure(QStringLiteral("%1: its status is already '%2'").arg(partPath, found));
    if (!h5::rewriteStringDataset(entry, "end_time", isoTime(QDateTime::currentDateTime())) || !h5::rewriteStringDataset(entry, "status_reason", reason)
        || !h5::rewriteStringDataset(entry, "status", runStatusText(status)))
        return R::failure(QStringLiteral("%1: write the status: %2").arg(partPath, h5::takeFirstError()));
    entry.reset();
    if (!file.reset()) return R::failure(QStringLiteral("%1: close: %2").arg(partPath, h5::takeFirstError()));
    const QString final = partPath.chopped(kPartSuffix.size());
    // rename() would replace a file of that name: link() never does.
    if (::link(native.constData(), QFile::encodeName(final).constData()) != 0) return partPath;
    ::unlink(native.constData());
    return final;
}

}  // namespace acquila::storage
