// Browser benchmark: a generated ~10 GB HDF5 file (10^8-element 1D dataset, 10^4 x 10^4
// image, group of 10^4 children, a sparse early-allocated dataset) opened with the
// browser's H5Loader: time to list the top level, to expand the big group, to preview
// each dataset, and peak memory; the same operations with silx (bench/browser_python.py)
// in the same run. Every measured phase runs in a fresh process of this executable
// (`--phase`), so each has its own peak RSS and starts with a new loader.
// Prints one JSON document on stdout.
// Usage: bench_browser [--dir PARENT] [--file EXISTING.h5] [--keep] [--apparent-gb G] [--no-python]
#include "BenchSupport.h"
#include "ui/browser/BrowserLoader.h"
#include "ui/browser/H5Loader.h"
#include "ui/browser/H5TreeModel.h"

#include <hdf5.h>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <type_traits>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

using namespace acquila::ui::browser;
using Clock = std::chrono::steady_clock;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");
const QString kScript = QStringLiteral(ACQUILA_SOURCE_DIR "/bench/browser_python.py");
constexpr double kTopLevelTargetMs = 200, kPreviewTargetMs = 500, kPeakTargetMb = 300;

double msSince(Clock::time_point t) {
    return std::round(std::chrono::duration<double, std::milli>(Clock::now() - t).count() * 100) / 100;
}
double peakRssMb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return std::round(double(u.ru_maxrss) / 1024 * 10) / 10;
}
double currentRssMb() {
    QFile f(QStringLiteral("/proc/self/statm"));
    if (!f.open(QIODevice::ReadOnly)) return -1;
    const qint64 pages = QString::fromLatin1(f.readAll()).section(' ', 1, 1).toLongLong();
    return std::round(double(pages) * double(sysconf(_SC_PAGESIZE)) / (1 << 20) * 10) / 10;
}

/** MB of `file` currently in the page cache (mincore over a read-only mapping). */
double residentMb(const QString& file) {
    const int fd = ::open(QFile::encodeName(file).constData(), O_RDONLY);
    if (fd < 0) return -1;
    struct stat st {};
    fstat(fd, &st);
    double mb = -1;
    void* map = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_SHARED, fd, 0);
    if (map != MAP_FAILED) {
        const size_t page = size_t(sysconf(_SC_PAGESIZE));
        std::vector<unsigned char> vec((size_t(st.st_size) + page - 1) / page);
        if (mincore(map, size_t(st.st_size), vec.data()) == 0) {
            size_t n = 0;
            for (unsigned char c : vec) n += c & 1;
            mb = std::round(double(n * page) / 1e6 * 10) / 10;
        }
        munmap(map, size_t(st.st_size));
    }
    ::close(fd);
    return mb;
}

/** Bytes this process read so far: through read() (`rchar`) and from the block device (`read_bytes`). */
std::pair<qint64, qint64> ioCounters() {
    QFile f(QStringLiteral("/proc/self/io"));
    qint64 rchar = -1, device = -1;
    if (f.open(QIODevice::ReadOnly))
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.startsWith("rchar: ")) rchar = line.mid(7).toLongLong();
            if (line.startsWith("read_bytes: ")) device = line.mid(12).toLongLong();
        }
    return {rchar, device};
}

/** Evicts the file from the page cache (its pages are clean: written and fsynced earlier). */
void dropCache(const QString& file, bool sync) {
    const int fd = ::open(QFile::encodeName(file).constData(), O_RDONLY);
    if (fd < 0) return;
    if (sync) fsync(fd);
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

QJsonObject nodeJson(const NodeInfo& n) {
    QJsonArray shape;
    for (qint64 d : n.shape) shape << double(d);
    QJsonObject o{{"name", n.name}, {"dtype", n.dtype}, {"shape", shape}};
    if (n.storageBytes >= 0) o["storage_bytes"] = double(n.storageBytes);
    if (n.childCount >= 0) o["children"] = double(n.childCount);
    return o;
}

QJsonObject previewJson(const PreviewData& p, double ms, std::pair<qint64, qint64> ioBefore) {
    const std::pair<qint64, qint64> io = ioCounters();
    QJsonObject o{{"ms", ms},
                  {"bytes_read", double(p.bytesRead)},
                  {"syscall_read_bytes", double(io.first - ioBefore.first)},
                  {"device_read_bytes", double(io.second - ioBefore.second)},
                  {"peak_buffer_bytes", double(p.peakBufferBytes)},
                  {"sampled", p.sampled},
                  {"decimated", p.decimated}};
    switch (p.kind) {
    case PreviewKind::Line: o["kind"] = "line"; o["points"] = double(p.x.size()); break;
    case PreviewKind::Image:
        o["kind"] = "image";
        o["rows"] = p.imageRows;
        o["cols"] = p.imageCols;
        break;
    case PreviewKind::Table: o["kind"] = "table"; o["rows"] = double(p.table.rows.size()); break;
    case PreviewKind::Message: o["kind"] = "message"; o["message"] = p.message; break;
    default: o["kind"] = "other"; break;
    }
    return o;
}

/** Every page of `path` the tree model fetches while the user scrolls to the end. */
QJsonObject pagedListing(H5Loader& loader, const QString& path) {
    const Clock::time_point t = Clock::now();
    ChildrenPage first = loader.children(path, 0, H5TreeModel::kPageSize);
    const double firstMs = msSince(t);
    qint64 listed = first.nodes.size(), pages = 1;
    double slowestPageMs = firstMs;
    while (listed < first.total && first.error.isEmpty()) {
        const Clock::time_point p = Clock::now();
        const ChildrenPage page = loader.children(path, listed, H5TreeModel::kPageSize);
        slowestPageMs = std::max(slowestPageMs, msSince(p));
        if (page.nodes.isEmpty()) break;
        listed += page.nodes.size();
        ++pages;
    }
    return {{"first_page_ms", firstMs},
            {"first_page_nodes", double(first.nodes.size())},
            {"all_pages_ms", msSince(t)},
            {"pages", double(pages)},
            {"slowest_page_ms", slowestPageMs},
            {"nodes", double(listed)},
            {"total", double(first.total)},
            {"error", first.error}};
}

PreviewRequest request(const QString& path) {
    PreviewRequest r;
    r.path = path;
    return r;
}

/**
 * The 1D preview's reads (same blocks) reduced column by column, without a division
 * per value; `T` float reads float32 as stored, skipping HDF5's conversion. Returns
 * the min/max points in the decimator's order.
 */
template <typename T>
QJsonObject lineSketch(const QString& file, const PreviewData& reference) {
    const Clock::time_point t = Clock::now();
    const hid_t f = H5Fopen(QFile::encodeName(file).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t d = H5Dopen2(f, "/line", H5P_DEFAULT);
    const hid_t space = H5Dget_space(d);
    hsize_t n = 0;
    H5Sget_simple_extent_dims(space, &n, nullptr);
    const qint64 columns = PreviewRequest{}.columns, block = PreviewRequest{}.blockElements;
    const qint64 per = (qint64(n) + columns - 1) / columns;
    struct Column {
        T min = std::numeric_limits<T>::infinity(), max = -std::numeric_limits<T>::infinity();
        qint64 minAt = -1, maxAt = -1;
    };
    std::vector<Column> cols(size_t((qint64(n) + per - 1) / per));
    std::vector<T> buffer(static_cast<size_t>(block));
    const hid_t memType = std::is_same_v<T, float> ? H5T_NATIVE_FLOAT : H5T_NATIVE_DOUBLE;
    for (qint64 start = 0; start < qint64(n);) {
        const hsize_t count = hsize_t(std::min(block, qint64(n) - start)), hstart = hsize_t(start);
        H5Sselect_hyperslab(space, H5S_SELECT_SET, &hstart, nullptr, &count, nullptr);
        const hid_t mem = H5Screate_simple(1, &count, nullptr);
        H5Dread(d, memType, mem, space, H5P_DEFAULT, buffer.data());
        H5Sclose(mem);
        for (qint64 at = start, end = start + qint64(count); at < end;) {
            Column& c = cols[size_t(at / per)];
            const qint64 stop = std::min(end, (at / per + 1) * per);
            for (; at < stop; ++at) {
                const T v = buffer[size_t(at - start)];
                if (v < c.min) c.min = v, c.minAt = at;  // NaN compares false: skipped
                if (v > c.max) c.max = v, c.maxAt = at;
            }
        }
        start += qint64(count);
    }
    H5Sclose(space);
    H5Dclose(d);
    H5Fclose(f);
    QVector<double> x, y;
    for (const Column& c : cols) {
        if (c.minAt < 0) continue;
        const bool minFirst = c.minAt <= c.maxAt;
        x << double(minFirst ? c.minAt : c.maxAt);
        y << double(minFirst ? c.min : c.max);
        if (c.minAt != c.maxAt) {
            x << double(minFirst ? c.maxAt : c.minAt);
            y << double(minFirst ? c.max : c.min);
        }
    }
    return {{"ms", msSince(t)}, {"points", double(x.size())}, {"same_points_as_preview", x == reference.x && y == reference.y}};
}

/** The synchronous phases: one fresh H5Loader per process. */
QJsonObject runLoaderPhase(const QString& phase, const QString& file) {
    QJsonObject out;
    H5Loader loader;
    Clock::time_point t = Clock::now();
    const OpenReply opened = loader.open(file);
    out["open_ms"] = msSince(t);
    if (!opened.ok) return {{"error", opened.error}};
    if (phase == "top") {
        const Clock::time_point c = Clock::now();
        const ChildrenPage top = loader.children(QStringLiteral("/"), 0, H5TreeModel::kPageSize);
        out["children_ms"] = msSince(c);
        out["ms"] = msSince(t);
        QJsonArray nodes;
        for (const NodeInfo& n : top.nodes) nodes << nodeJson(n);
        out["nodes"] = nodes;
        out["error"] = top.error;
    } else if (phase == "expand") {
        out["paged"] = pagedListing(loader, QStringLiteral("/group"));
    } else if (phase == "expand_single") {
        const Clock::time_point c = Clock::now();
        const ChildrenPage all = loader.children(QStringLiteral("/group"));
        out["ms"] = msSince(c);
        out["nodes"] = double(all.nodes.size());
        out["error"] = all.error;
    } else if (phase == "sparse") {
        // The 8.8 GB dataset exceeds the read budget, so the preview samples it with a stride.
        // It is cancelled after kSparseLimitS; the block rate gives the projected total.
        constexpr double kSparseLimitS = 10;
        qint64 checks = 0;
        const Clock::time_point p = Clock::now();
        Clock::time_point cancelledAt{};
        const PreviewData data = loader.preview(request(QStringLiteral("/sparse")), [&] {
            ++checks;  // polled once before each hyperslab block
            if (msSince(p) < kSparseLimitS * 1000) return false;
            cancelledAt = Clock::now();
            return true;
        });
        const double ms = msSince(p);
        const PreviewRequest defaults;
        const double length = double(loader.inspect(QStringLiteral("/sparse")).shape.value(0));
        const double stride = std::ceil(length / (double(defaults.readBudgetBytes) / 4));
        const double blocks = std::ceil(std::ceil(length / stride) / double(defaults.blockElements));
        const double blocksDone = double(checks - (data.cancelled ? 1 : 0));
        out["ms"] = ms;
        out["cancelled_after_s"] = kSparseLimitS;
        out["cancelled"] = data.cancelled;
        out["cancel_to_return_ms"] = data.cancelled ? msSince(cancelledAt) : 0.0;
        out["stride"] = stride;
        out["blocks_done"] = blocksDone;
        out["blocks_total"] = blocks;
        out["projected_total_s"] = blocksDone > 0 ? std::round(ms / blocksDone * blocks / 100) / 10 : -1.0;
    } else if (phase == "line_sketch") {
        // Warm page cache: the preview as it is, then the same reads reduced per column.
        Clock::time_point p = Clock::now();
        const PreviewData reference = loader.preview(request(QStringLiteral("/line")));
        out["preview_ms"] = msSince(p);
        out["per_column_double"] = lineSketch<double>(file, reference);
        out["per_column_float32"] = lineSketch<float>(file, reference);
    } else {
        const QString path = phase == "child" ? QStringLiteral("/group/item_00000") : "/" + phase;
        std::pair<qint64, qint64> io = ioCounters();
        Clock::time_point p = Clock::now();
        const PreviewData first = loader.preview(request(path));
        out["first"] = previewJson(first, msSince(p), io);
        io = ioCounters();
        p = Clock::now();
        const PreviewData again = loader.preview(request(path));
        out["again"] = previewJson(again, msSince(p), io);
    }
    return out;
}

/** The path the window takes: BrowserLoader thread + H5TreeModel, timed on the GUI thread. */
QJsonObject runThreadPhase(const QString& file) {
    BrowserLoader loader;
    H5TreeModel model(&loader);
    QObject::connect(&loader, &BrowserLoader::opened, &model, [&](const OpenReply& r) {
        if (!r.ok) return;
        model.reset(r.root);
        if (model.canFetchMore({})) model.fetchMore({});  // what BrowserWindow::onOpened does
    });
    bool opened = false;
    PreviewData preview;
    bool previewed = false;
    QObject::connect(&loader, &BrowserLoader::opened, [&](const OpenReply&) { opened = true; });
    QObject::connect(&loader, &BrowserLoader::previewReady, [&](const PreviewData& p) {
        preview = p;
        previewed = true;
    });
    // Sleeps in the event loop between events (a 10 ms timer bounds each wait), so the
    // GUI thread does not compete with the loader thread for the two cores.
    QTimer tick;
    tick.start(10);
    auto wait = [](const std::function<bool()>& done) {
        const QDeadlineTimer deadline(std::chrono::seconds(120));
        while (!done() && !deadline.hasExpired()) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        return done();
    };
    QJsonObject out;
    Clock::time_point t = Clock::now();
    loader.open(file);
    if (!wait([&] { return opened && !model.fetching() && model.rowCount() > 0; }))
        return {{"error", "top level not shown within 120 s"}};
    out["top_level_shown_ms"] = msSince(t);
    out["top_level_rows"] = model.rowCount();
    const QModelIndex group = model.indexOf(QStringLiteral("/group"));
    t = Clock::now();
    model.fetchMore(group);
    if (!wait([&] { return !model.fetching(); })) return {{"error", "group not expanded within 120 s"}};
    out["expand_first_page_ms"] = msSince(t);
    out["expand_rows"] = model.rowCount(group);
    for (const QString& path : {QStringLiteral("/line"), QStringLiteral("/image"), QStringLiteral("/group/item_00000")}) {
        previewed = false;
        t = Clock::now();
        loader.select(request(path));
        if (!wait([&] { return previewed; })) return {{"error", "no preview of " + path + " within 120 s"}};
        out["preview_" + path.section('/', -1) + "_ms"] = msSince(t);
    }
    return out;
}

int runPhase(const QString& phase, const QString& file, bool cold, int argc, char** argv) {
    if (cold) dropCache(file, false);
    QJsonObject out{{"phase", phase}, {"page_cache_dropped", cold}, {"file_resident_mb_at_start", residentMb(file)}};
    out["rss_at_start_mb"] = currentRssMb();
    QJsonObject result;
    if (phase == "loader_thread") {
        QCoreApplication app(argc, argv);
        result = runThreadPhase(file);
    } else {
        result = runLoaderPhase(phase, file);
    }
    for (auto it = result.begin(); it != result.end(); ++it) out[it.key()] = it.value();
    out["peak_rss_mb"] = peakRssMb();
    std::fputs(QJsonDocument(out).toJson(QJsonDocument::Compact).constData(), stdout);
    return 0;
}

QJsonObject runJson(const QString& program, const QStringList& args, int timeoutS) {
    QProcess p;
    p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p.start(program, args);
    if (!p.waitForFinished(timeoutS * 1000)) {
        p.kill();
        p.waitForFinished();
        return {{"error", QStringLiteral("%1 %2: no result within %3 s").arg(program, args.join(' ')).arg(timeoutS)}};
    }
    const QJsonDocument doc = QJsonDocument::fromJson(p.readAllStandardOutput());
    if (p.exitCode() != 0 || !doc.isObject())
        return {{"error", QStringLiteral("%1 %2 failed (exit %3)").arg(program, args.join(' ')).arg(p.exitCode())}};
    return doc.object();
}

double num(const QJsonObject& o, const QString& path) {
    QJsonValue v = o;
    for (const QString& k : path.split('.')) v = v.toObject().value(k);
    return v.toDouble(-1);
}

}  // namespace

int main(int argc, char** argv) {
    QString dirArg, fileArg, phase;
    bool keep = false, python = true, cold = false;
    double apparentGb = 10;
    for (int i = 1; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        const bool hasValue = i + 1 < argc;
        if (a == "--dir" && hasValue) dirArg = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--file" && hasValue) fileArg = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--phase" && hasValue) phase = QString::fromLocal8Bit(argv[++i]);
        else if (a == "--apparent-gb" && hasValue) apparentGb = QString::fromLocal8Bit(argv[++i]).toDouble();
        else if (a == "--drop-cache") cold = true;
        else if (a == "--keep") keep = true;
        else if (a == "--no-python") python = false;
        else {
            std::fprintf(stderr, "usage: bench_browser [--dir PARENT] [--file EXISTING.h5] [--keep] "
                                 "[--apparent-gb G] [--no-python]\n");
            return 2;
        }
    }
    if (!phase.isEmpty()) return runPhase(phase, fileArg, cold, argc, argv);

    QCoreApplication app(argc, argv);
    const Clock::time_point start = Clock::now();
    QJsonObject doc{{"load_before", acquila::bench::loadAverage()}, {"cores", int(sysconf(_SC_NPROCESSORS_ONLN))}};
    std::unique_ptr<QTemporaryDir> dir;
    QString file = fileArg;
    if (file.isEmpty()) {
        dir = std::make_unique<QTemporaryDir>((dirArg.isEmpty() ? QDir::tempPath() : dirArg) + "/bench_browser-XXXXXX");
        if (!dir->isValid()) {
            std::fprintf(stderr, "bench_browser: cannot create a temporary directory: %s\n",
                         qPrintable(dir->errorString()));
            return 1;
        }
        dir->setAutoRemove(!keep);
        struct statvfs fs {};
        statvfs(QFile::encodeName(dir->path()).constData(), &fs);
        const double freeGb = double(fs.f_bavail) * double(fs.f_frsize) / 1e9;
        doc["free_gb_before"] = std::round(freeGb * 10) / 10;
        if (freeGb < 3) {
            std::fprintf(stderr, "bench_browser: %s has %.1f GB free, needs 3 GB\n", qPrintable(dir->path()), freeGb);
            return 1;
        }
        file = dir->path() + "/browser_bench.h5";
        std::fprintf(stderr, "bench_browser: writing %s\n", qPrintable(file));
        const QJsonObject gen = runJson(kPython, {kScript, "generate", file, "--apparent-gb", QString::number(apparentGb)}, 600);
        doc["file"] = gen;
        if (gen.contains("error")) {
            std::fputs(QJsonDocument(doc).toJson().constData(), stdout);
            return 1;
        }
        dropCache(file, true);  // fsync once: clean pages can then be evicted before each cold phase
        if (keep) std::fprintf(stderr, "bench_browser: keeping %s\n", qPrintable(file));
    } else {
        doc["file"] = QJsonObject{{"path", file}, {"apparent_bytes", double(QFileInfo(file).size())}};
    }

    const QString self = QCoreApplication::applicationFilePath();
    QJsonObject acquila;
    double peak = 0;
    // Every phase once with the file evicted from the page cache, once with it cached;
    // the two diagnostic phases only in the state they are meant for.
    for (const char* name : {"top", "expand", "expand_single", "line", "image", "image_chunked", "child",
                             "loader_thread", "line_sketch", "sparse"}) {
        const QString n = QString::fromLatin1(name);
        for (bool dropped : {true, false}) {
            if ((n == "line_sketch" && dropped) || (n == "sparse" && !dropped)) continue;
            QStringList args{"--phase", name, "--file", file};
            if (dropped) args << "--drop-cache";
            std::fprintf(stderr, "bench_browser: %s (%s)\n", name, dropped ? "page cache dropped" : "cache warm");
            const QJsonObject r = runJson(self, args, 120);
            acquila[QStringLiteral("%1_%2").arg(name, dropped ? "disk_cold" : "cache_warm")] = r;
            peak = std::max(peak, r.value("peak_rss_mb").toDouble());
        }
    }
    doc["acquila"] = acquila;
    if (python) {
        std::fprintf(stderr, "bench_browser: silx comparison\n");
        doc["silx"] = runJson(kPython, {kScript, "compare", file}, 900);
    }

    // Headline figures: the cold (new process, page cache dropped) runs are what the targets are held to.
    const double top = num(acquila, "top_disk_cold.ms");
    QJsonObject previews{{"line_ms", num(acquila, "line_disk_cold.first.ms")},
                         {"image_ms", num(acquila, "image_disk_cold.first.ms")},
                         {"image_chunked_ms", num(acquila, "image_chunked_disk_cold.first.ms")},
                         {"child_ms", num(acquila, "child_disk_cold.first.ms")}};
    double slowest = 0;
    for (auto it = previews.begin(); it != previews.end(); ++it) slowest = std::max(slowest, it.value().toDouble());
    doc["top_level_ms"] = top;
    doc["expand_first_page_ms"] = num(acquila, "expand_disk_cold.paged.first_page_ms");
    doc["expand_whole_group_ms"] = num(acquila, "expand_disk_cold.paged.all_pages_ms");
    doc["preview_cold_ms"] = previews;
    doc["peak_rss_mb"] = peak;
    doc["targets"] = QJsonObject{{"top_level_ms_max", kTopLevelTargetMs},
                                 {"top_level_met", top >= 0 && top <= kTopLevelTargetMs},
                                 {"preview_ms_max", kPreviewTargetMs},
                                 {"preview_met", slowest <= kPreviewTargetMs},
                                 {"peak_rss_mb_max", kPeakTargetMb},
                                 {"peak_rss_met", peak > 0 && peak <= kPeakTargetMb}};
    doc["load_after"] = acquila::bench::loadAverage();
    doc["seconds"] = std::round(msSince(start) / 100) / 10;
    if (!keep && dir) QFile::remove(file);
    std::fputs(QJsonDocument(doc).toJson().constData(), stdout);
    return 0;
}
