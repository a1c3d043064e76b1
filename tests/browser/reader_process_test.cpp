// The browser reads HDF5 in acquila-reader processes, one per window, never in the app:
// a file that hangs or crashes libhdf5, or a reader that is frozen or killed, costs a
// stopped reader and a message, never the window. HDF5 calls in this (the app's) process
// are observed by interposing H5Fopen, H5Aread and H5Dread here; the readers are found
// as this process's children named acquila-reader and frozen or killed with signals.
#include "BrowserTestSupport.h"
#include "ui/browser/BrowserLoader.h"
#include "ui/browser/BrowserWindow.h"
#include "ui/browser/H5TreeModel.h"
#include "ui/browser/PreviewWidget.h"
#include "ui/browser/ReaderProcess.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <hdf5.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <dlfcn.h>
#include <unistd.h>

using namespace acquila::ui::browser;
using acquila::test::waitUntil;
using namespace std::chrono_literals;

namespace {

std::atomic<int> gHdf5Calls{0};

template <typename F>
F real(const char* name) {
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

/** The process state letter from /proc (R running, S sleeping, Z zombie...), or 0. */
char stateOf(pid_t pid) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) return 0;
    const QString rest = QString::fromLocal8Bit(stat.readAll()).section(')', 1).trimmed();
    return rest.isEmpty() ? 0 : rest.at(0).toLatin1();
}

/** Live (not zombie) children of this process named acquila-reader. */
QList<pid_t> readers() {
    QList<pid_t> out;
    for (const qint64 pid : acquila::test::childPids(::getpid())) {
        QFile comm(QStringLiteral("/proc/%1/comm").arg(pid));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "acquila-reader" && stateOf(pid_t(pid)) != 'Z')
            out << pid_t(pid);
    }
    return out;
}

bool gone(pid_t pid) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) return true;
    return QString::fromLocal8Bit(stat.readAll()).section(')', 1).trimmed().startsWith('Z');
}

/** One BrowserLoader and the last reply of each kind. */
struct Loader {
    BrowserLoader loader;
    std::optional<OpenReply> opened;
    std::optional<PreviewData> preview;
    std::optional<ChildrenPage> children;
    std::optional<ObjectDetails> details;

    Loader() {
        QObject::connect(&loader, &BrowserLoader::opened, [this](const OpenReply& r) { opened = r; });
        QObject::connect(&loader, &BrowserLoader::previewReady, [this](const PreviewData& p) { preview = p; });
        QObject::connect(&loader, &BrowserLoader::childrenListed, [this](const ChildrenPage& p) { children = p; });
        QObject::connect(&loader, &BrowserLoader::detailsReady, [this](const ObjectDetails& d) { details = d; });
    }
    /** Opens `file`, lists "/" and reads its details as the window does; every error met, in order. */
    QStringList walk(const QString& file) {
        QStringList errors;
        const OpenReply r = open(file);
        if (!r.ok) return errors << r.error;
        children.reset();
        loader.listChildren(QStringLiteral("/"), 0, 100);
        EXPECT_TRUE(waitUntil([&] { return children.has_value(); })) << "no listing of /";
        if (children && !children->error.isEmpty()) errors << children->error;
        details.reset();
        PreviewRequest request;
        request.path = QStringLiteral("/");
        loader.select(request, true);
        EXPECT_TRUE(waitUntil([&] { return details.has_value(); })) << "no details of /";
        if (details && !details->error.isEmpty()) errors << details->error;
        return errors;
    }
    OpenReply open(const QString& file) {
        opened.reset();
        loader.open(file);
        EXPECT_TRUE(waitUntil([&] { return opened.has_value(); })) << "no reply to opening " << file.toStdString();
        return opened.value_or(OpenReply{});
    }
    PreviewData previewOf(const QString& path) {
        preview.reset();
        PreviewRequest request;
        request.path = path;
        loader.select(request, false);
        EXPECT_TRUE(waitUntil([&] { return preview.has_value(); })) << "no preview of " << path.toStdString();
        return preview.value_or(PreviewData{});
    }
};

}  // namespace

extern "C" hid_t H5Fopen(const char* filename, unsigned flags, hid_t fapl) {
    static const auto next = real<hid_t (*)(const char*, unsigned, hid_t)>("H5Fopen");
    ++gHdf5Calls;
    return next(filename, flags, fapl);
}

extern "C" herr_t H5Dread(hid_t dset, hid_t memType, hid_t memSpace, hid_t fileSpace, hid_t xfer, void* buf) {
    static const auto next = real<herr_t (*)(hid_t, hid_t, hid_t, hid_t, hid_t, void*)>("H5Dread");
    ++gHdf5Calls;
    return next(dset, memType, memSpace, fileSpace, xfer, buf);
}

extern "C" herr_t H5Aread(hid_t attr, hid_t type, void* buf) {
    static const auto next = real<herr_t (*)(hid_t, hid_t, void*)>("H5Aread");
    ++gHdf5Calls;
    return next(attr, type, buf);
}

class BrowserReader : public ::testing::Test {
protected:
    static void SetUpTestSuite() { acquila::test::ensureApplication(); }
    void SetUp() override {
        ASSERT_FALSE(acquila::test::corpusDir().isEmpty());
        // The readers of earlier tests' windows end once the loader thread deletes them (a
        // stuck one at its deadline): none may be taken for this test's.
        ASSERT_TRUE(waitUntil([] { return readers().isEmpty(); }, 30s)) << readers().size() << " readers left";
        ReaderProcess::setStallTimeout(15s);
    }
    void TearDown() override { ReaderProcess::setStallTimeout(15s); }
    static QString corpus(const char* name) { return acquila::test::corpusDir() + "/" + name; }
    static bool opened(BrowserWindow& w) { return w.openReply().ok && w.model()->rowCount() > 0; }
    /** Lists /numbers of types.h5 in the window's tree and selects /numbers/f64_be. */
    static bool selectLine(BrowserWindow& w) {
        const QModelIndex numbers = w.model()->indexOf(QStringLiteral("/numbers"));
        if (!numbers.isValid()) return false;
        if (w.model()->canFetchMore(numbers)) w.model()->fetchMore(numbers);
        return waitUntil([&] { return w.model()->indexOf(QStringLiteral("/numbers/f64_be")).isValid(); }) &&
               w.selectPath(QStringLiteral("/numbers/f64_be"));
    }
    /** Opens types.h5 in `l` and returns the reader that opened it. */
    static pid_t openTypes(Loader& l) {
        const QList<pid_t> before = readers();
        EXPECT_TRUE(l.open(corpus("types.h5")).ok);
        return newReader(before);
    }
    /** The one reader started since `before` was taken. */
    static pid_t newReader(const QList<pid_t>& before) {
        pid_t found = 0;
        waitUntil([&] {
            for (pid_t p : readers())
                if (!before.contains(p)) found = p;
            return found != 0;
        }, 10s);
        return found;
    }
};

TEST_F(BrowserReader, TheAppProcessNeverCallsHdf5AndEachWindowHasItsReader) {
    const QList<pid_t> before = readers();
    BrowserWindow a;
    BrowserWindow b;
    a.openFile(corpus("nexus.h5"));
    b.openFile(corpus("types.h5"));
    ASSERT_TRUE(waitUntil([&] { return opened(a) && opened(b); })) << a.bannerText().toStdString() << b.bannerText().toStdString();
    ASSERT_TRUE(selectLine(b));
    ASSERT_TRUE(waitUntil([&] { return b.preview()->current().kind == PreviewKind::Line; }))
        << b.preview()->current().message.toStdString();
    EXPECT_EQ(b.preview()->current().x.size(), 50);
    EXPECT_EQ(gHdf5Calls.load(), 0) << "the app process called HDF5 itself";
    QList<pid_t> mine;
    for (pid_t p : readers())
        if (!before.contains(p)) mine << p;
    EXPECT_EQ(mine.size(), 2) << "one reader per window";
}

TEST_F(BrowserReader, ClosingAWindowDoesNotWaitForAFrozenReaderAndStopsIt) {
    ReaderProcess::setStallTimeout(2s);
    const QList<pid_t> before = readers();
    auto* w = new BrowserWindow;
    w->openFile(corpus("types.h5"));
    ASSERT_TRUE(waitUntil([&] { return opened(*w); })) << w->bannerText().toStdString();
    const pid_t reader = newReader(before);
    ASSERT_NE(reader, 0);
    ASSERT_TRUE(selectLine(*w));
    ASSERT_EQ(::kill(reader, SIGSTOP), 0);
    ASSERT_TRUE(w->selectPath(QStringLiteral("/numbers")));  // this read waits on a frozen reader
    const auto t0 = std::chrono::steady_clock::now();
    delete w;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(seconds, 1.0) << "closing the window waited for its reader";
    // The loader thread gives up on the frozen reader at its deadline and kills it.
    EXPECT_TRUE(waitUntil([&] { return gone(reader); }, 30s)) << "the frozen reader was left running";

    // Other windows are served meanwhile and after.
    BrowserWindow next;
    next.openFile(corpus("types.h5"));
    EXPECT_TRUE(waitUntil([&] { return opened(next); })) << next.bannerText().toStdString();
}

TEST_F(BrowserReader, AFrozenReaderIsStoppedAtItsDeadlineAndTheNextReadReopensTheFile) {
    ReaderProcess::setStallTimeout(1s);
    Loader l;
    const pid_t first = openTypes(l);
    ASSERT_NE(first, 0);
    ASSERT_EQ(::kill(first, SIGSTOP), 0);

    const auto t0 = std::chrono::steady_clock::now();
    const PreviewData failed = l.previewOf(QStringLiteral("/numbers/f64_be"));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(failed.kind, PreviewKind::Message);
    EXPECT_TRUE(failed.message.contains("gave no answer for 1 s")) << failed.message.toStdString();
    EXPECT_TRUE(failed.message.contains("/numbers/f64_be")) << failed.message.toStdString();
    EXPECT_LT(seconds, 10.0);
    EXPECT_TRUE(waitUntil([&] { return gone(first); }, 10s)) << "the frozen reader was not stopped";

    const PreviewData again = l.previewOf(QStringLiteral("/numbers/f64_be"));
    EXPECT_EQ(again.kind, PreviewKind::Line) << again.message.toStdString();
    EXPECT_EQ(again.x.size(), 50);
}

TEST_F(BrowserReader, AReaderKilledBetweenReadsIsReplacedUnseen) {
    Loader l;
    const pid_t first = openTypes(l);
    ASSERT_NE(first, 0);
    ASSERT_EQ(::kill(first, SIGKILL), 0);
    ASSERT_TRUE(waitUntil([&] { return gone(first); }, 10s));
    const PreviewData p = l.previewOf(QStringLiteral("/numbers/f64_be"));
    EXPECT_EQ(p.kind, PreviewKind::Line) << p.message.toStdString();
    EXPECT_EQ(p.x.size(), 50);
}

TEST_F(BrowserReader, FilesThatHangOrCrashLibhdf5AreReportedAndTheLoaderGoesOn) {
    // The files from the fuzzer that send libhdf5 1.10 into an endless loop or a crash
    // (fuzz/known/): opened, listed and inspected as the window does.
    ReaderProcess::setStallTimeout(2s);
    const QString dir = acquila::test::sourcePath("fuzz/known");
    const QStringList files = acquila::test::knownLibhdf5Inputs();
    ASSERT_GE(files.size(), acquila::test::kAddressSanitizer ? 1 : 2);
    Loader l;
    for (const QString& name : files) {
        const auto t0 = std::chrono::steady_clock::now();
        const QStringList errors = l.walk(dir + '/' + name);
        EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 20.0);
        const char* expected = name.contains(QLatin1String("hang")) ? "gave no answer for 2 s" : "killed by signal 11";
        const QStringList met = errors.filter(QLatin1String(expected));
        ASSERT_FALSE(met.isEmpty()) << name.toStdString() << ": " << errors.join(" | ").toStdString();
        EXPECT_TRUE(met.front().contains(name)) << met.front().toStdString();
    }
    EXPECT_TRUE(l.open(corpus("types.h5")).ok);
}

TEST_F(BrowserReader, AFileThatHangsLibhdf5IsShownInTheWindowsBanner) {
    ReaderProcess::setStallTimeout(2s);
    BrowserWindow w;
    w.openFile(acquila::test::sourcePath("fuzz/known/hdf5-global-heap-hang.h5"));
    ASSERT_TRUE(waitUntil([&] { return w.bannerText().contains("gave no answer for 2 s"); }, 30s))
        << w.bannerText().toStdString();
    EXPECT_TRUE(w.bannerText().contains("hdf5-global-heap-hang.h5")) << w.bannerText().toStdString();
    w.openFile(corpus("types.h5"));
    EXPECT_TRUE(waitUntil([&] { return opened(w); })) << w.bannerText().toStdString();
}

TEST_F(BrowserReader, AReaderThatCrashesMidReadIsReportedWithItsSignal) {
    // Listing the hang file's root sends the reader into libhdf5's endless loop (it runs
    // instead of waiting for a request): a SIGABRT there is what a failed assertion in
    // libhdf5 looks like. (Not SIGSEGV: the ASan build would turn that into its own report.
    // The real SIGSEGV of fuzz/known/ is replayed in the normal build.)
    Loader l;
    const QList<pid_t> before = readers();
    ASSERT_TRUE(l.open(acquila::test::sourcePath("fuzz/known/hdf5-global-heap-hang.h5")).ok);
    const pid_t reader = newReader(before);
    ASSERT_NE(reader, 0);
    l.children.reset();
    l.loader.listChildren(QStringLiteral("/"), 0, 100);
    ASSERT_TRUE(waitUntil([&] { return stateOf(reader) == 'R'; }, 10s)) << "the reader never got into the read";
    ASSERT_EQ(::kill(reader, SIGABRT), 0);
    ASSERT_TRUE(waitUntil([&] { return l.children.has_value(); }, 20s));
    EXPECT_TRUE(l.children->error.contains("killed by signal 6 (Aborted)")) << l.children->error.toStdString();
    EXPECT_TRUE(l.children->error.contains("hdf5-global-heap-hang.h5")) << l.children->error.toStdString();
    EXPECT_TRUE(l.open(corpus("types.h5")).ok);
}
