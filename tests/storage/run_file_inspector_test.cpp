#include "StorageTestUtil.h"
#include "core/storage/NexusWriter.h"
#include "core/storage/RunFileInspector.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila;
using namespace acquila::model;
using namespace acquila::storage;
using namespace acquila::test;

namespace {
QString writeRun(const QTemporaryDir& dir) {
    RunLayout l = baseLayout(dir.filePath("run.h5"), {3, 4});
    l.axes = {{QStringLiteral("y"), QStringLiteral("mm"), AxisStorage::Dimension, 0, {0, 1, 2}},
              {QStringLiteral("x"), QStringLiteral("mm"), AxisStorage::Dimension, 1, {0, 1, 2, 3}}};
    l.channels = standardChannels();
    NexusWriter w;
    EXPECT_TRUE(w.open(l).ok());
    EXPECT_TRUE(w.append(makeBatch(l, 0, 12)).ok());
    EXPECT_TRUE(w.finish(RunStatus::Completed, {}).ok());
    return l.path;
}
}  // namespace

TEST(RunFileInspector, SummarisesACompletedRun) {
    QTemporaryDir dir;
    const QString path = writeRun(dir);
    auto sum = inspectRunFile(path);
    ASSERT_TRUE(sum.ok()) << sum.error().toStdString();
    EXPECT_TRUE(sum->isAcquilaRun);
    EXPECT_FALSE(sum->openedSwmrRead);
    EXPECT_EQ(sum->title, QStringLiteral("test run"));
    EXPECT_EQ(sum->status, QStringLiteral("completed"));
    EXPECT_EQ(sum->pointsWritten, 12);
    EXPECT_EQ(sum->scanShape, (std::vector<qint64>{3, 4}));
    EXPECT_EQ(sum->signal, QStringLiteral("diode"));
    EXPECT_TRUE(sum->planJson.contains("\"name\""));
    EXPECT_FALSE(sum->endTime.isEmpty());
    const auto cam = std::find_if(sum->datasets.begin(), sum->datasets.end(), [](const auto& d) { return d.name == QLatin1String("camera"); });
    ASSERT_NE(cam, sum->datasets.end());
    EXPECT_EQ(cam->shape, (std::vector<qint64>{3, 4, 128, 256}));
    EXPECT_EQ(cam->dtype, QStringLiteral("uint16"));
    EXPECT_EQ(cam->role, QStringLiteral("detector"));
    const QString text = formatSummary(*sum);
    EXPECT_TRUE(text.contains("completed"));
    EXPECT_TRUE(text.contains("camera"));
    EXPECT_TRUE(text.contains("12 points written"));
}

// In the same process HDF5 shares the writer's open file; other processes take
// the SWMR-read fallback (FileSafety tests cover that).
TEST(RunFileInspector, SeesALiveFileOfThisProcess) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("live.h5"), {8});
    l.channels = standardChannels(false);
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 0, 5)).ok());
    ASSERT_TRUE(w.flush().ok());
    auto sum = inspectRunFile(w.currentPath());
    ASSERT_TRUE(sum.ok()) << sum.error().toStdString();
    EXPECT_EQ(sum->pointsWritten, 5);
    EXPECT_EQ(sum->status, QStringLiteral("running"));
    ASSERT_TRUE(w.finish(RunStatus::Completed, {}).ok());
}

TEST(RunFileInspector, RandomBytesAreNotHdf5) {
    QTemporaryDir dir;
    const QString path = dir.filePath("noise.h5");
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    QByteArray noise(64 * 1024, '\0');
    QRandomGenerator gen(42);
    for (auto& c : noise) c = static_cast<char>(gen.bounded(256));
    f.write(noise);
    f.close();
    auto sum = inspectRunFile(path);
    ASSERT_FALSE(sum.ok());
    EXPECT_TRUE(sum.error().contains(path));
    EXPECT_TRUE(sum.error().contains("not an HDF5 file"));

    auto missing = inspectRunFile(dir.filePath("absent.h5"));
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(missing.error().contains("absent.h5"));
}

TEST(RunFileInspector, TruncatedCopyGivesAnErrorNamingTheFile) {
    QTemporaryDir dir;
    const QString path = writeRun(dir);
    QFile src(path);
    ASSERT_TRUE(src.open(QIODevice::ReadOnly));
    const QByteArray all = src.readAll();
    for (qint64 keep : {qint64(all.size() / 2), qint64(4096), qint64(600)}) {
        const QString cut = dir.filePath(QStringLiteral("cut%1.h5").arg(keep));
        QFile dst(cut);
        ASSERT_TRUE(dst.open(QIODevice::WriteOnly));
        dst.write(all.left(static_cast<int>(keep)));
        dst.close();
        auto sum = inspectRunFile(cut);
        ASSERT_FALSE(sum.ok()) << "a file truncated to " << keep << " bytes was accepted";
        EXPECT_TRUE(sum.error().contains(cut)) << sum.error().toStdString();
    }
}

TEST(RunFileInspector, ForeignHdf5FileIsListedNotRejected) {
    QTemporaryDir dir;
    const QString path = dir.filePath("foreign.h5");
    {
        H5::H5File f(path.toStdString(), H5F_ACC_TRUNC);
        f.createGroup("/measurement");
        hsize_t n = 3;
        H5::DataSpace space(1, &n);
        f.createDataSet("/values", H5::PredType::NATIVE_DOUBLE, space);
    }
    auto sum = inspectRunFile(path);
    ASSERT_TRUE(sum.ok()) << sum.error().toStdString();
    EXPECT_FALSE(sum->isAcquilaRun);
    EXPECT_EQ(sum->topLevelObjects, (QStringList{QStringLiteral("measurement"), QStringLiteral("values")}));
    const QString text = formatSummary(*sum);
    EXPECT_TRUE(text.contains("Not an Acquila run file"));
    EXPECT_TRUE(text.contains("measurement"));
}
