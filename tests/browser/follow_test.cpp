#include "BrowserTestSupport.h"
#include "ui/browser/BrowserWindow.h"
#include "ui/browser/H5Loader.h"
#include "ui/browser/H5TreeModel.h"
#include "ui/browser/PreviewWidget.h"
#include <QTreeView>
#include <QProcess>
#include <QTemporaryDir>

using namespace acquila::ui::browser;
using acquila::test::waitUntil;

namespace {

/** The SWMR writer of make_h5_corpus.py, driven line by line. */
class SwmrWriter {
public:
    explicit SwmrWriter(const QString& file) {
        process_.start(acquila::test::kSystemPython,
                       {acquila::test::sourcePath("tests/tools/make_h5_corpus.py"), "--swmr-writer", file});
    }
    ~SwmrWriter() {
        if (process_.state() != QProcess::NotRunning) {
            process_.kill();
            process_.waitForFinished(10000);
        }
    }
    /** Waits for the line `expected` on the writer's stdout. */
    bool expect(const QByteArray& expected) {
        return waitUntil(
            [&] {
                process_.waitForReadyRead(20);
                while (process_.canReadLine()) {
                    const QByteArray line = process_.readLine().trimmed();
                    if (line == expected) return true;
                }
                return false;
            },
            std::chrono::seconds(60));
    }
    void send(const QByteArray& line) {
        process_.write(line + "\n");
        process_.waitForBytesWritten(5000);
    }
    QProcess process_;
};

}  // namespace

TEST(BrowserFollow, SeesTheDatasetGrowWhileTheWriterAppends) {
    QTemporaryDir dir;
    const QString file = dir.filePath("live.h5");
    SwmrWriter writer(file);
    ASSERT_TRUE(writer.expect("ready 10")) << writer.process_.readAllStandardError().toStdString();
    H5Loader loader;
    const OpenReply open = loader.open(file);
    ASSERT_TRUE(open.ok) << open.error.toStdString();
    EXPECT_TRUE(open.swmr);
    EXPECT_TRUE(open.notice.contains("file was not closed cleanly; showing data up to the last flush"));
    EXPECT_EQ(open.summary.status, "running");
    EXPECT_FALSE(open.summary.finalStatus());
    EXPECT_EQ(loader.inspect("/entry/counts").shape, QVector<qint64>{10});

    writer.send("more");
    ASSERT_TRUE(writer.expect("ready 20"));
    const RefreshReply r = loader.refresh("/entry/counts");
    EXPECT_TRUE(r.error.isEmpty()) << r.error.toStdString();
    EXPECT_EQ(r.node.shape, QVector<qint64>{20});
    PreviewRequest p;
    p.path = "/entry/counts";
    const PreviewData preview = loader.preview(p);
    ASSERT_EQ(preview.y.size(), 20);
    EXPECT_EQ(preview.y.back(), 19.0);

    writer.send("finish");
    ASSERT_TRUE(writer.expect("closed"));
    const RefreshReply done = loader.refresh("/entry/counts");
    EXPECT_EQ(done.summary.status, "completed");
    EXPECT_TRUE(done.summary.finalStatus());
}

TEST(BrowserFollow, FileOfAKilledWriterOpensInFallbackModeWithNotice) {
    QTemporaryDir dir;
    const QString file = dir.filePath("killed.h5");
    {
        SwmrWriter writer(file);
        ASSERT_TRUE(writer.expect("ready 10"));
        writer.send("more");
        ASSERT_TRUE(writer.expect("ready 20"));
        writer.process_.kill();
        ASSERT_TRUE(writer.process_.waitForFinished(10000));
    }
    H5Loader loader;
    const OpenReply open = loader.open(file);
    ASSERT_TRUE(open.ok) << open.error.toStdString();
    EXPECT_TRUE(open.swmr);
    EXPECT_TRUE(open.error.isEmpty());
    EXPECT_TRUE(open.notice.contains("file was not closed cleanly; showing data up to the last flush"));
    EXPECT_EQ(loader.inspect("/entry/counts").shape, QVector<qint64>{20});
    PreviewRequest p;
    p.path = "/entry/counts";
    EXPECT_EQ(loader.preview(p).y.size(), 20);
}

TEST(BrowserFollow, WindowFollowsUntilTheRunIsFinal) {
    acquila::test::ensureApplication();
    QTemporaryDir dir;
    const QString file = dir.filePath("window.h5");
    SwmrWriter writer(file);
    ASSERT_TRUE(writer.expect("ready 10"));
    BrowserWindow w;
    w.openFile(file);
    ASSERT_TRUE(waitUntil([&] { return w.model()->indexOf("/entry").isValid(); }));
    EXPECT_TRUE(w.bannerText().contains("file was not closed cleanly"));
    const QModelIndex entry = w.model()->indexOf("/entry");
    w.tree()->expand(entry);
    w.model()->fetchMore(entry);
    ASSERT_TRUE(waitUntil([&] { return w.selectPath("/entry/counts"); }));
    ASSERT_TRUE(waitUntil([&] { return w.preview()->current().y.size() == 10; }));
    w.setFollowing(true);
    writer.send("more");
    ASSERT_TRUE(writer.expect("ready 20"));
    ASSERT_TRUE(waitUntil([&] {
        return w.model()->node(w.model()->indexOf("/entry/counts")).shape == QVector<qint64>{20} &&
               w.preview()->current().y.size() == 20;
    }));
    EXPECT_TRUE(w.following());
    writer.send("finish");
    ASSERT_TRUE(writer.expect("closed"));
    ASSERT_TRUE(waitUntil([&] { return !w.following(); }));
    EXPECT_EQ(w.openReply().summary.status, "completed");
}
