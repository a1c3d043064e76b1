// The browser's HDF5 thread: one per process for every browser window, and a window
// closes without waiting for it. HDF5 calls are observed by interposing H5Fopen and
// H5Dread in this executable: each call records its thread, and opening a file named
// "stuck*.h5" blocks until the test opens a gate (a read hung in HDF5).
#include "BrowserTestSupport.h"
#include "ui/browser/BrowserWindow.h"
#include "ui/browser/H5TreeModel.h"

#include <QFile>
#include <QThread>
#include <QTemporaryDir>
#include <hdf5.h>

#include <chrono>
#include <condition_variable>
#include <dlfcn.h>
#include <mutex>
#include <set>
#include <thread>

using namespace acquila::ui::browser;
using acquila::test::waitUntil;

namespace {

struct H5Calls {
    std::mutex mutex;
    std::condition_variable cv;
    std::set<std::thread::id> threads;
    bool inStuckOpen = false;
    bool gateOpen = false;

    void record() {
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
    }
    std::set<std::thread::id> seen() {
        std::lock_guard lock(mutex);
        return threads;
    }
    /** Blocks the calling (loader) thread until the gate opens, at most 20 s. */
    void hang() {
        std::unique_lock lock(mutex);
        inStuckOpen = true;
        cv.wait_for(lock, std::chrono::seconds(20), [this] { return gateOpen; });
        inStuckOpen = false;
    }
    bool stuck() {
        std::lock_guard lock(mutex);
        return inStuckOpen;
    }
    void openGate() {
        std::lock_guard lock(mutex);
        gateOpen = true;
        cv.notify_all();
    }
};

H5Calls& calls() {
    static H5Calls c;
    return c;
}

template <typename F>
F real(const char* name) {
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" hid_t H5Fopen(const char* filename, unsigned flags, hid_t fapl) {
    static const auto next = real<hid_t (*)(const char*, unsigned, hid_t)>("H5Fopen");
    calls().record();
    if (QFileInfo(QString::fromLocal8Bit(filename)).fileName().startsWith(QLatin1String("stuck"))) calls().hang();
    return next(filename, flags, fapl);
}

extern "C" herr_t H5Dread(hid_t dset, hid_t memType, hid_t memSpace, hid_t fileSpace, hid_t xfer, void* buf) {
    static const auto next = real<herr_t (*)(hid_t, hid_t, hid_t, hid_t, hid_t, void*)>("H5Dread");
    calls().record();
    return next(dset, memType, memSpace, fileSpace, xfer, buf);
}

class BrowserLoaderThread : public ::testing::Test {
protected:
    static void SetUpTestSuite() { acquila::test::ensureApplication(); }
    static QString corpus(const char* name) { return acquila::test::corpusDir() + "/" + name; }
    static bool opened(BrowserWindow& w) { return w.openReply().ok && w.model()->rowCount() > 0; }
};

TEST_F(BrowserLoaderThread, TwoWindowsReadHdf5OnOneThread) {
    ASSERT_FALSE(acquila::test::corpusDir().isEmpty());
    BrowserWindow a;
    BrowserWindow b;
    a.openFile(corpus("nexus.h5"));
    b.openFile(corpus("types.h5"));
    ASSERT_TRUE(waitUntil([&] { return opened(a) && opened(b); })) << a.bannerText().toStdString() << b.bannerText().toStdString();
    const auto seen = calls().seen();
    ASSERT_FALSE(seen.empty()) << "no HDF5 call was observed";
    EXPECT_EQ(seen.size(), 1u) << "browser windows called HDF5 from " << seen.size() << " threads";
    EXPECT_EQ(seen.count(std::this_thread::get_id()), 0u) << "the GUI thread called HDF5";
}

TEST_F(BrowserLoaderThread, ClosingAWindowDoesNotWaitForAStuckRead) {
    ASSERT_FALSE(acquila::test::corpusDir().isEmpty());
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString stuck = dir.filePath(QStringLiteral("stuck.h5"));
    ASSERT_TRUE(QFile::copy(corpus("nexus.h5"), stuck));

    auto* w = new BrowserWindow;
    w->openFile(stuck);
    ASSERT_TRUE(waitUntil([] { return calls().stuck(); }, std::chrono::seconds(20))) << "the loader never reached H5Fopen";
    const auto t0 = std::chrono::steady_clock::now();
    delete w;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(seconds, 2.0) << "closing the window waited for the loader thread";
    calls().openGate();

    // The shared thread goes on serving the other windows once the read ends.
    BrowserWindow next;
    next.openFile(corpus("types.h5"));
    EXPECT_TRUE(waitUntil([&] { return opened(next); })) << next.bannerText().toStdString();
}
