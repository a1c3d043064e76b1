// Runs through the engine into real HDF5 files written by the storage worker,
// read back with the HDF5 C API, h5py/silx (Debian's python) and h5dump.
#include "support/EngineHarness.h"
#include "support/RunProcess.h"

#include "core/plan/PointGenerator.h"
#include "core/storage/RunFileInspector.h"

#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <csignal>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <sys/mount.h>

using namespace acquila;
using namespace acquila::test;
using model::RunStatus;

namespace {
/** Reads a whole dataset as doubles with the HDF5 C API (SWMR-read fallback for live/crashed files). */
std::vector<double> readDoubles(const QString& file, const char* dataset) {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    hid_t f = H5Fopen(QFile::encodeName(file).constData(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) f = H5Fopen(QFile::encodeName(file).constData(), H5F_ACC_RDONLY | H5F_ACC_SWMR_READ, H5P_DEFAULT);
    if (f < 0) return {};
    std::vector<double> out;
    hid_t d = H5Dopen2(f, dataset, H5P_DEFAULT);
    if (d >= 0) {
        hid_t sp = H5Dget_space(d);
        out.resize(static_cast<size_t>(H5Sget_simple_extent_npoints(sp)));
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
        H5Sclose(sp);
        H5Dclose(d);
    }
    H5Fclose(f);
    return out;
}

QByteArray planJson(const QByteArray& body) { return R"({"version": 1, "name": "t", )" + body + "}"; }

/** /entry/status as h5py reads it (SWMR-read for a file left open); empty when unreadable. */
QString fileStatus(const QString& file) {
    const auto r = runProcess(kSystemPython, {QStringLiteral("-c"), QStringLiteral(
        "import h5py, sys\ntry:\n    f = h5py.File(sys.argv[1], 'r')\nexcept OSError:\n    f = h5py.File(sys.argv[1], 'r', swmr=True)\n"
        "print(f['entry/status'].asstr()[()])\n"), file});
    return r.out.trimmed();
}

/** Checks every delivered point of `detector` sits at its cell in the file, and unmeasured cells are NaN. */
void expectFileMatchesDelivery(EngineHarness& h, const engine::RunProgress& r, const plan::Plan& plan, const char* detector) {
    const auto values = h.scalar(r.runId, QString::fromLatin1(detector));
    auto gen = plan::PointGenerator::create(plan, std::vector<double>(plan.axes.size(), 0.0));
    ASSERT_TRUE(gen.ok());
    const auto shape = (*gen)->shape();
    const auto stored = readDoubles(r.filePath, QByteArray("/entry/data/").append(detector).constData());
    ASSERT_EQ(static_cast<qint64>(stored.size()), (*gen)->size());
    std::vector<qint64> cell(shape.size());
    std::vector<bool> seen(stored.size(), false);
    for (const auto& [i, v] : values) {
        (*gen)->cell(i, cell.data());
        qint64 flat = 0;
        for (size_t d = 0; d < shape.size(); ++d) flat = flat * shape[d] + cell[d];
        ASSERT_EQ(stored[flat], v) << "point " << i;
        seen[flat] = true;
    }
    for (size_t c = 0; c < stored.size(); ++c)
        if (!seen[c]) {
            ASSERT_TRUE(std::isnan(stored[c])) << "unmeasured cell " << c << " is not NaN";
        }
}
}  // namespace

TEST(Storage, EveryScanTypeRoundTripsAndPassesIndependentReaders) {
    QTemporaryDir dir;
    EngineHarness h(2, {}, true, {dir.path()});
    const std::vector<std::pair<QByteArray, const char*>> plans = {
        {R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": -20, "stop": 20, "steps": 51}], "detectors": ["diode", "spectrometer"])", "diode"},
        {R"("scan": {"type": "grid", "snake": true}, "axes": [{"device": "stage.y", "start": -10, "stop": 10, "steps": 7}, {"device": "stage.x", "start": -10, "stop": 10, "steps": 9}], "detectors": ["spot", "camera"])", "spot"},
        {R"("scan": {"type": "grid"}, "axes": [{"device": "stage.y", "start": -10, "stop": 10, "steps": 4}, {"device": "stage.x", "start": -10, "stop": 10, "steps": 5}], "detectors": ["spot"], "repeats": 2)", "spot"},
        {R"("scan": {"type": "spiral", "radius": 20, "step": 2}, "axes": [{"device": "stage.x", "center": 0}, {"device": "stage.y", "center": 0}], "detectors": ["spot"])", "spot"},
        {R"("scan": {"type": "list", "points": [[1, 2], [3, 4], [5, 6], [-7, 8]]}, "axes": [{"device": "stage.x"}, {"device": "stage.y"}], "detectors": ["spot"])", "spot"},
        {R"("scan": {"type": "count", "points": 25}, "detectors": ["diode"])", "diode"},
    };
    for (const auto& [body, detector] : plans) {
        SCOPED_TRACE(body.toStdString());
        const plan::Plan plan = EngineHarness::plan(planJson(body));
        const auto r = h.run(plan);
        ASSERT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
        ASSERT_TRUE(r.filePath.endsWith(QLatin1String(".h5"))) << r.filePath.toStdString();
        ASSERT_TRUE(QFileInfo::exists(r.filePath));
        EXPECT_FALSE(QFileInfo::exists(r.filePath + QStringLiteral(".part")));
        expectFileMatchesDelivery(h, r, plan, detector);
        const auto check = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/check_nexus.py")), r.filePath, QStringLiteral("--status"),
                                                   QStringLiteral("completed"), QStringLiteral("--points"), QString::number(r.done)});
        EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
        const auto dump = runProcess(QStringLiteral("h5dump"), {QStringLiteral("-H"), r.filePath});
        EXPECT_EQ(dump.exitCode, 0) << dump.output().left(2000).toStdString();
        auto summary = storage::inspectRunFile(r.filePath);
        ASSERT_TRUE(summary.ok()) << summary.error().toStdString();
        EXPECT_EQ(summary->status, QStringLiteral("completed"));
        EXPECT_EQ(summary->pointsWritten, r.done);
    }
}

TEST(Storage, StopAbortAndPauseResumeFilesMatchDeliveredPoints) {
    QTemporaryDir dir;
    EngineHarness h(2, {}, true, {dir.path()});
    const plan::Plan plan = EngineHarness::plan(planJson(
        R"("scan": {"type": "grid"}, "axes": [{"device": "stage.y", "start": -10, "stop": 10, "steps": 20}, {"device": "stage.x", "start": -10, "stop": 10, "steps": 20}], "detectors": ["spot"], "exposure_s": 0.005)"));
    for (const char* action : {"stop", "abort", "pause"}) {
        SCOPED_TRACE(action);
        const size_t before = h.finished.size();
        const qint64 start = h.delivered;
        h.engine->enqueue(plan);
        ASSERT_TRUE(waitUntil([&] { return h.delivered - start >= 40; }));
        if (!strcmp(action, "stop")) h.engine->stop();
        if (!strcmp(action, "abort")) h.engine->abort();
        if (!strcmp(action, "pause")) {
            h.engine->pause();
            ASSERT_TRUE(waitUntil([&] { return h.progress.state == model::RunState::Paused && h.progress.inFlight == 0; }));
            h.engine->resume();
        }
        ASSERT_TRUE(waitUntil([&] { return h.finished.size() > before; }));
        const auto r = h.finished.back();
        const char* expected = !strcmp(action, "stop") ? "stopped" : !strcmp(action, "abort") ? "aborted" : "completed";
        EXPECT_EQ(QLatin1String(model::runStatusName(r.status)), QLatin1String(expected)) << r.reason.toStdString();
        expectFileMatchesDelivery(h, r, plan, "spot");
        const auto check = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/check_nexus.py")), r.filePath, QStringLiteral("--status"),
                                                   QString::fromLatin1(expected), QStringLiteral("--points"), QString::number(r.done)});
        EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
    }
}

TEST(Storage, ASeparateProcessSeesTheLiveFileGrow) {
    QTemporaryDir dir;
    EngineHarness h(1, {}, true, {dir.path(), 16ll << 20, 0.1});
    h.engine->enqueue(EngineHarness::plan(planJson(
        R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 400}], "detectors": ["diode"], "exposure_s": 0.01)")));
    ASSERT_TRUE(waitUntil([&] { return !h.progress.filePath.isEmpty() && h.delivered > 20; }));
    QProcess reader;
    reader.start(kSystemPython, {sourcePath(QStringLiteral("tests/tools/check_nexus.py")), h.progress.filePath + QStringLiteral(".part"), QStringLiteral("--count")});
    ASSERT_TRUE(reader.waitForStarted());
    auto nextCount = [&]() -> qint64 {
        if (!reader.waitForReadyRead(10000)) return -1;
        return reader.readLine().trimmed().toLongLong();
    };
    const qint64 first = nextCount();
    qint64 later = first;
    EXPECT_TRUE(waitUntil([&] {
        reader.write("\n");
        later = nextCount();
        return later > first;
    }, std::chrono::seconds(20))) << "count stayed at " << first;
    reader.closeWriteChannel();
    reader.waitForFinished(10000);
    h.engine->abort();
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }));
}

TEST(Storage, KillingTheStorageWorkerFailsTheRunAndKeepsFlushedPoints) {
    for (int after : {30, 120, 250}) {
        SCOPED_TRACE(after);
        QTemporaryDir dir;
        EngineHarness h(2, {}, true, {dir.path(), 16ll << 20, 0.1});
        h.engine->enqueue(EngineHarness::plan(planJson(
            R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 1000}], "detectors": ["diode"], "exposure_s": 0.002)")));
        ASSERT_TRUE(waitUntil([&] { return h.delivered >= after && !h.progress.filePath.isEmpty(); }));
        const QString part = h.progress.filePath + QStringLiteral(".part");
        // At least one flush must have happened for there to be anything to keep.
        ASSERT_TRUE(waitUntil([&] {
            auto s = storage::inspectRunFile(part);
            return s.ok() && s->pointsWritten > 0;
        }));
        qint64 pid = 0;
        for (const auto& w : h.workers())
            if (w.role == QLatin1String("storage")) pid = w.pid;
        ASSERT_GT(pid, 0);
        ::kill(static_cast<pid_t>(pid), SIGKILL);
        ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }));
        const auto r = h.finished.back();
        EXPECT_EQ(r.status, RunStatus::Failed);
        EXPECT_TRUE(r.reason.contains(QLatin1String("storage"))) << r.reason.toStdString();
        // The next storage worker sealed the file: final name, status "failed" with the reason, a plain open works.
        EXPECT_EQ(r.filePath, h.progress.filePath) << r.reason.toStdString();
        EXPECT_FALSE(QFileInfo::exists(part));
        auto summary = storage::inspectRunFile(r.filePath);
        ASSERT_TRUE(summary.ok()) << summary.error().toStdString();
        EXPECT_FALSE(summary->openedSwmrRead);
        EXPECT_EQ(summary->status, QStringLiteral("failed"));
        EXPECT_EQ(summary->statusReason, r.reason);
        EXPECT_GT(summary->pointsWritten, 0);
        // Every point the file claims is there, with the delivered value.
        const auto values = h.scalar(r.runId, QStringLiteral("diode"));
        const auto stored = readDoubles(r.filePath, "/entry/data/diode");
        qint64 present = 0;
        for (size_t i = 0; i < stored.size(); ++i) {
            if (std::isnan(stored[i])) continue;
            ++present;
            ASSERT_EQ(stored[i], values.at(static_cast<qint64>(i))) << "point " << i;
        }
        EXPECT_GE(present, summary->pointsWritten);
        EXPECT_LT(r.done, 1000) << "acquisition must stop when nothing can store it";
    }
}

TEST(Storage, KillingTheAppClosesTheFileAsInterrupted) {
    for (int after : {20, 100}) {
        SCOPED_TRACE(after);
        QTemporaryDir dir;
        const QString planPath = dir.filePath(QStringLiteral("plan.json"));
        QFile pf(planPath);
        ASSERT_TRUE(pf.open(QIODevice::WriteOnly));
        pf.write(planJson(R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 5000}], "detectors": ["diode"], "exposure_s": 0.005)"));
        pf.close();
        const QString out = dir.filePath(QStringLiteral("data"));
        QProcess app;
        app.start(QStringLiteral(ACQUILA_APP_EXE), {QStringLiteral("run"), planPath, QStringLiteral("--out"), out, QStringLiteral("--workers"), QStringLiteral("2")});
        ASSERT_TRUE(app.waitForStarted());
        QByteArray err;
        ASSERT_TRUE(waitForProgress(app, err, after)) << err.toStdString();
        ::kill(static_cast<pid_t>(app.processId()), SIGKILL);
        app.waitForFinished(5000);
        QString final;
        ASSERT_TRUE(waitUntil([&] {
            const QStringList files = QDir(out).entryList({QStringLiteral("*.h5")});
            if (!files.isEmpty()) final = QDir(out).filePath(files.first());
            return !files.isEmpty();
        }, std::chrono::seconds(5))) << "the storage worker did not close the file";
        const auto check = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/check_nexus.py")), final, QStringLiteral("--status"), QStringLiteral("interrupted")});
        EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
        auto summary = storage::inspectRunFile(final);
        ASSERT_TRUE(summary.ok()) << summary.error().toStdString();
        EXPECT_FALSE(summary->openedSwmrRead) << "an interrupted file must open normally";
        EXPECT_GT(summary->pointsWritten, 0);
    }
}

TEST(Storage, FullDiskFailsTheRunNamingPathAndErrorAndKeepsWhatFit) {
    QTemporaryDir dir;
    const QString mnt = dir.filePath(QStringLiteral("small"));
    QDir().mkpath(mnt);
    if (::mount("tmpfs", QFile::encodeName(mnt).constData(), "tmpfs", 0, "size=3m") != 0)
        GTEST_SKIP() << "cannot mount a tmpfs here (" << strerror(errno) << "); run the suite as root to cover a full disk";
    {
        // A reserve far below zero turns the low-disk stop off: the disk really fills (the write error path).
        EngineHarness h(1, {}, true, {mnt, -(1ll << 40), 0.1});
        const auto r = h.run(EngineHarness::plan(planJson(
            R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 400}], "detectors": ["camera"], "output": {"allow_partial": true})")));
        EXPECT_EQ(r.status, RunStatus::Failed);
        EXPECT_TRUE(r.reason.contains(QLatin1String("No space left on device"))) << r.reason.toStdString();
        EXPECT_TRUE(r.reason.contains(mnt)) << r.reason.toStdString();
        // The summary names the file that exists, and the file does not claim another outcome.
        ASSERT_TRUE(QFileInfo::exists(r.filePath)) << r.filePath.toStdString();
        const QString status = fileStatus(r.filePath);
        if (status == QLatin1String("running")) {
            EXPECT_TRUE(r.reason.contains(QLatin1String("keeps status 'running'"))) << r.reason.toStdString();
        } else {
            EXPECT_EQ(status, QStringLiteral("failed")) << r.reason.toStdString();
        }
        const QStringList files = QDir(mnt).entryList({QStringLiteral("*.h5*")});
        ASSERT_FALSE(files.isEmpty());
        auto summary = storage::inspectRunFile(QDir(mnt).filePath(files.first()));
        ASSERT_TRUE(summary.ok()) << files.join(QLatin1Char(' ')).toStdString() << ": " << summary.error().toStdString();
        EXPECT_GT(summary->pointsWritten, 0);
        EXPECT_EQ(h.run(EngineHarness::plan(planJson(R"("scan": {"type": "count", "points": 3}, "detectors": ["diode"])"))).done, 0)
            << "a second run on the full disk cannot store anything";
    }
    ::umount2(QFile::encodeName(mnt).constData(), MNT_DETACH);
}

TEST(Storage, LowDiskStopsTheRunBeforeTheDiskIsFull) {
    QTemporaryDir dir;
    const QString mnt = dir.filePath(QStringLiteral("small"));
    QDir().mkpath(mnt);
    if (::mount("tmpfs", QFile::encodeName(mnt).constData(), "tmpfs", 0, "size=24m") != 0)
        GTEST_SKIP() << "cannot mount a tmpfs here (" << strerror(errno) << ")";
    {
        EngineHarness h(1, {}, true, {mnt, 16ll << 20, 0.1});
        const auto r = h.run(EngineHarness::plan(planJson(
            R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 2000}], "detectors": ["camera"], "exposure_s": 0.001, "output": {"allow_partial": true})")));
        EXPECT_EQ(r.status, RunStatus::Stopped) << r.reason.toStdString();
        EXPECT_TRUE(r.reason.contains(QLatin1String("disk almost full"))) << r.reason.toStdString();
        EXPECT_GT(r.done, 0);
        const auto check = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/check_nexus.py")), r.filePath, QStringLiteral("--status"),
                                                   QStringLiteral("stopped"), QStringLiteral("--points"), QString::number(r.done)});
        EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
    }
    ::umount2(QFile::encodeName(mnt).constData(), MNT_DETACH);
}

TEST(Storage, AnSwmrReaderOpenAcrossTheEndDoesNotFailTheRun) {
    QTemporaryDir dir;
    EngineHarness h(2, {}, true, {dir.path(), 16ll << 20, 0.1});
    h.engine->enqueue(EngineHarness::plan(planJson(
        R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 400}], "detectors": ["diode"], "exposure_s": 0.01)")));
    ASSERT_TRUE(waitUntil([&] { return !h.progress.filePath.isEmpty() && h.delivered > 10; }));
    QProcess reader;  // like a user's h5py session: opens the growing file and keeps it open
    reader.start(kSystemPython, {QStringLiteral("-c"),
                                 QStringLiteral("import h5py, sys\nf = h5py.File(sys.argv[1], 'r', swmr=True)\nprint('open', flush=True)\nsys.stdin.readline()\nf.close()\n"),
                                 h.progress.filePath + QStringLiteral(".part")});
    ASSERT_TRUE(reader.waitForStarted());
    ASSERT_TRUE(waitUntil([&] {
        reader.waitForReadyRead(50);
        return reader.canReadLine();
    }, std::chrono::seconds(30)));
    ASSERT_EQ(reader.readLine().trimmed(), QByteArray("open")) << reader.readAllStandardError().toStdString();
    EXPECT_TRUE(h.finished.empty()) << "the reader must open the file before the run ends";
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }, std::chrono::seconds(60)));
    EXPECT_EQ(reader.state(), QProcess::Running) << "the reader must hold the file past the end of the run";
    reader.write("\n");
    reader.closeWriteChannel();
    reader.waitForFinished(10000);
    const auto r = h.finished.back();
    EXPECT_EQ(r.status, RunStatus::Completed) << r.reason.toStdString();
    EXPECT_EQ(r.done, 400);
    EXPECT_TRUE(r.filePath.endsWith(QLatin1String(".h5"))) << r.filePath.toStdString();
    EXPECT_TRUE(QFileInfo::exists(r.filePath));
    EXPECT_FALSE(QFileInfo::exists(r.filePath + QStringLiteral(".part")));
    const auto check = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/check_nexus.py")), r.filePath, QStringLiteral("--status"),
                                               QStringLiteral("completed"), QStringLiteral("--points"), QStringLiteral("400")});
    EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
}

TEST(Storage, AFailedRenameFailsTheRunAndTheFileSaysSo) {
    QTemporaryDir dir;
    EngineHarness h(1, {}, true, {dir.path(), 16ll << 20, 0.1});
    h.engine->enqueue(EngineHarness::plan(planJson(
        R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 200}], "detectors": ["diode"], "exposure_s": 0.005)")));
    ASSERT_TRUE(waitUntil([&] { return !h.progress.filePath.isEmpty(); }));
    const QString final = h.progress.filePath;
    ASSERT_TRUE(QDir().mkpath(final + QStringLiteral("/taken")));  // the final name is taken: the rename fails
    ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }, std::chrono::seconds(60)));
    const auto r = h.finished.back();
    EXPECT_EQ(r.status, RunStatus::Failed);
    EXPECT_TRUE(r.reason.contains(QLatin1String("rename"))) << r.reason.toStdString();
    EXPECT_EQ(r.filePath, final + QStringLiteral(".part"));
    EXPECT_EQ(fileStatus(r.filePath), QStringLiteral("failed"));
}

TEST(Storage, RemovedOutputDirectoryFailsTheRunEarlyAndSavesThePoints) {
    QTemporaryDir dir;
    const QByteArray oldData = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", QFile::encodeName(dir.filePath(QStringLiteral("data"))));  // the workers inherit it
    const QString out = dir.filePath(QStringLiteral("out"));
    {
        EngineHarness h(1, {}, true, {out, 16ll << 20, 0.1});
        h.engine->enqueue(EngineHarness::plan(planJson(
            R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 3000}], "detectors": ["diode"], "exposure_s": 0.005)")));
        ASSERT_TRUE(waitUntil([&] { return !h.progress.filePath.isEmpty() && h.delivered > 30; }));
        ASSERT_TRUE(QDir(out).removeRecursively());
        ASSERT_TRUE(waitUntil([&] { return !h.finished.empty(); }, std::chrono::seconds(30)));
        const auto r = h.finished.back();
        EXPECT_EQ(r.status, RunStatus::Failed);
        EXPECT_LT(r.done, 3000) << "the run must fail when the directory goes, not at the end";
        EXPECT_TRUE(r.reason.contains(QLatin1String("removed"))) << r.reason.toStdString();
        EXPECT_TRUE(r.filePath.startsWith(dir.filePath(QStringLiteral("data/acquila/recovered/")))) << r.filePath.toStdString();
        EXPECT_TRUE(r.reason.contains(r.filePath)) << r.reason.toStdString();
        EXPECT_EQ(fileStatus(r.filePath), QStringLiteral("failed"));
        auto summary = storage::inspectRunFile(r.filePath);
        ASSERT_TRUE(summary.ok()) << summary.error().toStdString();
        EXPECT_GE(summary->pointsWritten, 30);
    }
    if (oldData.isNull()) qunsetenv("XDG_DATA_HOME");
    else qputenv("XDG_DATA_HOME", oldData);
}

TEST(Storage, TheDiskGuardWatchesTheDiskTheFileIsOn) {
    QTemporaryDir dir;
    const QString mnt = dir.filePath(QStringLiteral("small"));
    QDir().mkpath(mnt);
    if (::mount("tmpfs", QFile::encodeName(mnt).constData(), "tmpfs", 0, "size=24m") != 0)
        GTEST_SKIP() << "cannot mount a tmpfs here (" << strerror(errno) << "); run the suite as root to cover a small disk";
    {
        // The engine's data directory is on the big disk; the plan sends the file to the small one.
        EngineHarness h(1, {}, true, {dir.filePath(QStringLiteral("big")), 8ll << 20, 0.1});
        const auto r = h.run(EngineHarness::plan(planJson(
            R"("scan": {"type": "linear"}, "axes": [{"device": "motor", "start": 0, "stop": 10, "steps": 3000}], "detectors": ["camera"], "exposure_s": 0.002, "output": {"allow_partial": true, "directory": ")"
            + QFile::encodeName(mnt) + R"("})")));
        EXPECT_EQ(r.status, RunStatus::Stopped) << r.reason.toStdString();
        EXPECT_TRUE(r.reason.contains(QLatin1String("disk almost full"))) << r.reason.toStdString();
        EXPECT_TRUE(r.filePath.startsWith(mnt)) << r.filePath.toStdString();
        const auto check = runProcess(kSystemPython, {sourcePath(QStringLiteral("tests/tools/check_nexus.py")), r.filePath, QStringLiteral("--status"),
                                                   QStringLiteral("stopped"), QStringLiteral("--points"), QString::number(r.done)});
        EXPECT_EQ(check.exitCode, 0) << check.output().toStdString();
    }
    ::umount2(QFile::encodeName(mnt).constData(), MNT_DETACH);
}
