#include "BrowserTestSupport.h"
#include "ui/browser/BrowserLoader.h"
#include "ui/browser/BrowserWindow.h"
#include "ui/browser/H5TreeModel.h"
#include "ui/browser/PreviewWidget.h"
#include <QDir>
#include <QTreeView>

using namespace acquila::ui::browser;
using acquila::test::waitUntil;

class BrowserWindowTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { acquila::test::ensureApplication(); }

    /** Opens `name` from the corpus and waits for the top level of the tree. */
    void open(BrowserWindow& w, const char* name) {
        w.openFile(acquila::test::corpusDir() + "/" + name);
        ASSERT_TRUE(waitUntil([&] { return w.openReply().ok && w.model()->rowCount() > 0; }))
            << w.bannerText().toStdString();
    }
    /** Expands `path` in the view and waits for its children. */
    void expand(BrowserWindow& w, const QString& path) {
        const QModelIndex index = w.model()->indexOf(path);
        ASSERT_TRUE(index.isValid()) << path.toStdString();
        w.tree()->expand(index);
        if (w.model()->canFetchMore(index)) w.model()->fetchMore(index);
        ASSERT_TRUE(waitUntil([&] { return w.model()->rowCount(w.model()->indexOf(path)) > 0; }));
    }
    void selectAndWait(BrowserWindow& w, const QString& path, PreviewKind kind) {
        ASSERT_TRUE(w.selectPath(path));
        ASSERT_TRUE(waitUntil([&] { return w.preview()->current().path == path && w.preview()->current().kind == kind; }))
            << "preview of " << path.toStdString() << ": " << w.preview()->current().message.toStdString();
    }
};

TEST_F(BrowserWindowTest, OpenExpandSelectShowsPreview) {
    BrowserWindow w;
    w.show();
    open(w, "types.h5");
    expand(w, "/shapes");
    selectAndWait(w, "/shapes/image", PreviewKind::Image);
    EXPECT_EQ(w.preview()->current().imageRows, 60);
    selectAndWait(w, "/shapes/cube", PreviewKind::Image);
    expand(w, "/numbers");
    selectAndWait(w, "/numbers/f64_be", PreviewKind::Line);
    EXPECT_EQ(w.preview()->current().y.size(), 50);
    expand(w, "/structured");
    selectAndWait(w, "/structured/compound", PreviewKind::Table);
    EXPECT_FALSE(w.loader()->busy());
    EXPECT_TRUE(BrowserWindow::recentFiles().front().endsWith("types.h5"));
}

TEST_F(BrowserWindowTest, SelectingAnotherItemDropsTheStaleReply) {
    BrowserWindow w;
    open(w, "types.h5");
    expand(w, "/shapes");
    ASSERT_TRUE(w.selectPath("/shapes/image"));
    const quint64 first = w.loader()->generation();
    ASSERT_TRUE(w.selectPath("/shapes/hyper"));
    EXPECT_GT(w.loader()->generation(), first);
    ASSERT_TRUE(waitUntil([&] { return w.preview()->current().path == "/shapes/hyper"; }));
    // Let the loader thread drain: the reply for the first selection must never replace it.
    ASSERT_TRUE(waitUntil([&] { return !w.loader()->busy(); }));
    QCoreApplication::processEvents();
    EXPECT_EQ(w.preview()->current().path, "/shapes/hyper");
}

TEST_F(BrowserWindowTest, BrokenFileShowsErrorNamingTheFile) {
    BrowserWindow w;
    const QString file = acquila::test::corpusDir() + "/random.h5";
    w.openFile(file);
    ASSERT_TRUE(waitUntil([&] { return !w.bannerText().isEmpty(); }));
    EXPECT_TRUE(w.bannerText().contains(file));
    EXPECT_EQ(w.model()->rowCount(), 0);
    open(w, "links.h5");  // the window stays usable
    EXPECT_TRUE(w.bannerText().isEmpty());
    ASSERT_TRUE(w.selectPath("/dangling_soft"));
    EXPECT_TRUE(w.preview()->current().message.contains("/dangling_soft"));
}

TEST_F(BrowserWindowTest, RunFileShowsNxdataPlotAndSummary) {
    BrowserWindow w;
    open(w, "nexus.h5");
    EXPECT_EQ(w.openReply().summary.status, "aborted");
    expand(w, "/entry");
    selectAndWait(w, "/entry/data", PreviewKind::Line);
    EXPECT_EQ(w.preview()->current().xLabel, "energy (keV)");
}

TEST_F(BrowserWindowTest, Screenshot) {
    BrowserWindow w;
    w.resize(1200, 760);
    w.show();
    open(w, "nexus.h5");
    expand(w, "/entry");
    expand(w, "/entry/map");
    selectAndWait(w, "/entry/map/counts", PreviewKind::Image);
    const QImage image = w.grab().toImage();
    EXPECT_EQ(image.width(), w.width());
    // The documentation screenshot is written only when asked for.
    const QString dir = qEnvironmentVariable("ACQUILA_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        EXPECT_TRUE(image.save(QDir(dir).filePath("browser.png")));
    }
}
