#include "StorageTestUtil.h"
#include "core/storage/Hdf5Util.h"
#include "core/storage/NexusWriter.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <gtest/gtest.h>

#include <cmath>

using namespace acquila;
using namespace acquila::model;
using namespace acquila::storage;
using namespace acquila::test;

namespace {

QStringList axesAttr(H5::H5File& f) {
    H5::Group g = f.openGroup("/entry/data");
    return h5::readStringArrayAttribute(g.getId(), "axes");
}

qint64 int64Attr(H5::H5File& f, const char* group, const char* name) {
    H5::Group g = f.openGroup(group);
    H5::Attribute a = g.openAttribute(name);
    qint64 v = -1;
    a.read(H5::PredType::NATIVE_INT64, &v);
    return v;
}

void writeAll(NexusWriter& w, const RunLayout& layout, qint64 total, qint64 batchSize, const CellMap& map = {}) {
    for (qint64 first = 0; first < total; first += batchSize) {
        auto r = w.append(makeBatch(layout, first, std::min(batchSize, total - first)), map);
        ASSERT_TRUE(r.ok()) << r.error().toStdString();
        ASSERT_TRUE(w.flushIfDue().ok());
    }
}

// Checks every channel of point `p` stored at flat cell `cell`.
void expectPointAt(H5::H5File& f, qint64 p, qint64 cell, bool withCamera) {
    static thread_local std::vector<double> diode;
    diode = readAll<double>(f, "/entry/data/diode", H5::PredType::NATIVE_DOUBLE);
    EXPECT_EQ(diode[static_cast<size_t>(cell)], diodeValue(p)) << "cell " << cell;
    auto idx = readAll<qint64>(f, "/entry/data/point_index", H5::PredType::NATIVE_INT64);
    EXPECT_EQ(idx[static_cast<size_t>(cell)], p);
    auto spec = readAll<float>(f, "/entry/data/spectrum", H5::PredType::NATIVE_FLOAT);
    for (int k = 0; k < 8; ++k) EXPECT_EQ(spec[static_cast<size_t>(cell * 8 + k)], spectrumValue(p, k));
    if (withCamera) {
        auto cam = readAll<quint16>(f, "/entry/data/camera", H5::PredType::NATIVE_UINT16);
        for (qint64 e = 0; e < kCameraElements; e += 97) EXPECT_EQ(cam[static_cast<size_t>(cell * kCameraElements + e)], imageValue(p, e));
    }
}

}  // namespace

TEST(NexusWriter, LinearScanRoundTrip) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("lin.h5"), {20});
    RunAxis motor{QStringLiteral("motor"), QStringLiteral("mm"), AxisStorage::Dimension, 0, {}};
    for (int i = 0; i < 20; ++i) motor.positions.push_back(i * 0.25);
    l.axes = {motor};
    l.channels = standardChannels();
    DeviceDescription dev;
    dev.name = QStringLiteral("motor");
    dev.kind = DeviceKind::Actuator;
    dev.positions = {1.5};
    dev.values = {{QStringLiteral("velocity"), 2.5}, {QStringLiteral("mode"), QStringLiteral("fast")}};
    l.devices = {dev};

    NexusWriter w;
    auto opened = w.open(l);
    ASSERT_TRUE(opened.ok()) << opened.error().toStdString();
    EXPECT_TRUE(QFile::exists(l.path + ".part"));
    writeAll(w, l, 20, 7);
    ASSERT_TRUE(w.log(QDateTime::currentDateTime(), QStringLiteral("info"), QStringLiteral("halfway ü")).ok());
    dev.positions = {4.0};
    auto fin = w.finish(RunStatus::Completed, {}, {dev});
    ASSERT_TRUE(fin.ok()) << fin.error().toStdString();
    EXPECT_FALSE(QFile::exists(l.path + ".part"));
    ASSERT_TRUE(QFile::exists(l.path));

    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    for (qint64 p = 0; p < 20; p += 3) expectPointAt(f, p, p, true);
    std::vector<hsize_t> dims;
    readAll<quint16>(f, "/entry/data/camera", H5::PredType::NATIVE_UINT16, &dims);
    EXPECT_EQ(dims, (std::vector<hsize_t>{20, 128, 256}));
    readAll<float>(f, "/entry/data/spectrum", H5::PredType::NATIVE_FLOAT, &dims);
    EXPECT_EQ(dims, (std::vector<hsize_t>{20, 8}));
    auto pos = readAll<double>(f, "/entry/data/motor", H5::PredType::NATIVE_DOUBLE);
    EXPECT_EQ(pos, motor.positions);
    auto ts = readAll<double>(f, "/entry/data/timestamp", H5::PredType::NATIVE_DOUBLE);
    EXPECT_EQ(ts[5], 1.7e9 + 5);
    EXPECT_EQ(readString(f, "/entry/status"), "completed");
    EXPECT_EQ(readString(f, "/entry/title"), "test run");
    EXPECT_EQ(readString(f, "/entry/plan"), l.planJson.toStdString());
    EXPECT_GE(readString(f, "/entry/end_time").size(), 19u);
    EXPECT_EQ(readAll<qint64>(f, "/entry/data/points_written", H5::PredType::NATIVE_INT64)[0], 20);
    EXPECT_EQ(readStringAttr(f.openGroup("/"), "default"), "entry");
    EXPECT_EQ(readStringAttr(f.openGroup("/entry"), "NX_class"), "NXentry");
    EXPECT_EQ(readStringAttr(f.openGroup("/entry/data"), "signal"), "diode");
    EXPECT_EQ(axesAttr(f), QStringList{QStringLiteral("motor")});
    EXPECT_EQ(int64Attr(f, "/entry/data", "motor_indices"), 0);
    EXPECT_EQ(readStringAttr(f.openDataSet("/entry/data/motor"), "units"), "mm");
    EXPECT_EQ(readStringAttr(f.openDataSet("/entry/data/diode"), "units"), "V");
    EXPECT_EQ(readStringAttr(f.openGroup("/entry/instrument/motor"), "NX_class"), "NXpositioner");
    EXPECT_EQ(readAll<double>(f, "/entry/instrument/motor/velocity", H5::PredType::NATIVE_DOUBLE)[0], 2.5);
    EXPECT_EQ(readString(f, "/entry/instrument/motor/mode"), "fast");
    EXPECT_EQ(readAll<double>(f, "/entry/instrument/motor/value", H5::PredType::NATIVE_DOUBLE)[0], 1.5);
    EXPECT_EQ(readAll<double>(f, "/entry/instrument/motor/at_end/value", H5::PredType::NATIVE_DOUBLE)[0], 4.0);
    std::vector<hsize_t> logDims;
    readAll<double>(f, "/entry/log/time", H5::PredType::NATIVE_DOUBLE, &logDims);
    EXPECT_EQ(logDims, (std::vector<hsize_t>{1}));
    H5::DataSet msg = f.openDataSet("/entry/log/message");
    char* text = nullptr;
    msg.read(&text, msg.getStrType());
    EXPECT_STREQ(text, "halfway ü");
    H5free_memory(text);
    // Image frames get one chunk each; scalars share large chunks.
    hsize_t chunk[3] = {0, 0, 0};
    f.openDataSet("/entry/data/camera").getCreatePlist().getChunk(3, chunk);
    EXPECT_EQ(chunk[0], 1u);
    EXPECT_EQ(chunk[1], 128u);
    f.openDataSet("/entry/data/diode").getCreatePlist().getChunk(1, chunk);
    EXPECT_EQ(chunk[0], 20u);
}

TEST(NexusWriter, RasterGridRoundTrip) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("grid.h5"), {5, 7});
    l.axes = {{QStringLiteral("stage.y"), QStringLiteral("mm"), AxisStorage::Dimension, 0, {0, 1, 2, 3, 4}},
              {QStringLiteral("stage.x"), QStringLiteral("mm"), AxisStorage::Dimension, 1, {0, 1, 2, 3, 4, 5, 6}}};
    l.channels = standardChannels();
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    writeAll(w, l, 35, 4);  // batches straddle rows
    ASSERT_TRUE(w.finish(RunStatus::Completed, {}).ok());
    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    for (qint64 p = 0; p < 35; ++p) expectPointAt(f, p, p, p % 6 == 0);
    EXPECT_EQ(axesAttr(f), (QStringList{QStringLiteral("stage_y"), QStringLiteral("stage_x")}));
    EXPECT_EQ(int64Attr(f, "/entry/data", "stage_x_indices"), 1);
    EXPECT_EQ(readStringAttr(f.openDataSet("/entry/data/stage_x"), "long_name"), "stage.x");
}

TEST(NexusWriter, SnakeGridPlacesPointsByCell) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("snake.h5"), {4, 5});
    l.axes = {{QStringLiteral("y"), {}, AxisStorage::Dimension, 0, {0, 1, 2, 3}}, {QStringLiteral("x"), {}, AxisStorage::Dimension, 1, {0, 1, 2, 3, 4}}};
    l.channels = standardChannels();
    const CellMap snake = snakeCellMap(l.scanShape);
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    writeAll(w, l, 20, 3, snake);
    ASSERT_TRUE(w.finish(RunStatus::Completed, {}).ok());
    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    // Row 1 runs backwards: point 5 is at (1, 4) = cell 9, point 9 at (1, 0) = cell 5.
    expectPointAt(f, 5, 9, true);
    expectPointAt(f, 9, 5, true);
    expectPointAt(f, 12, 12, true);
    auto idx = readAll<qint64>(f, "/entry/data/point_index", H5::PredType::NATIVE_INT64);
    for (qint64 p = 0; p < 20; ++p) EXPECT_EQ(idx[static_cast<size_t>(snake(p))], p);
}

TEST(NexusWriter, SnakeCellMapRule) {
    const CellMap m = snakeCellMap({3, 4});
    std::vector<qint64> cells;
    for (qint64 p = 0; p < 12; ++p) cells.push_back(m(p));
    EXPECT_EQ(cells, (std::vector<qint64>{0, 1, 2, 3, 7, 6, 5, 4, 8, 9, 10, 11}));
    // 3-D: the innermost axis alternates on every line, counted across planes.
    const CellMap m3 = snakeCellMap({2, 2, 3});
    std::vector<qint64> c3;
    for (qint64 p = 0; p < 12; ++p) c3.push_back(m3(p));
    EXPECT_EQ(c3, (std::vector<qint64>{0, 1, 2, 5, 4, 3, 9, 10, 11, 8, 7, 6}));
    // Repeats (leading raster dimension) restart the snake at each repeat.
    const CellMap r = snakeCellMap({2, 2, 2}, 1);
    std::vector<qint64> cr;
    for (qint64 p = 0; p < 8; ++p) cr.push_back(r(p));
    EXPECT_EQ(cr, (std::vector<qint64>{0, 1, 3, 2, 4, 5, 7, 6}));
}

TEST(NexusWriter, RepeatedGridWithOddBatchesRoundTrip) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("rep.h5"), {3, 4, 5});
    l.axes = {{QStringLiteral("y"), {}, AxisStorage::Dimension, 1, {0, 1, 2, 3}}, {QStringLiteral("x"), {}, AxisStorage::Dimension, 2, {0, 1, 2, 3, 4}}};
    l.channels = standardChannels(false);
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    writeAll(w, l, 60, 13);  // ranges cross rows and planes
    ASSERT_TRUE(w.finish(RunStatus::Completed, {}).ok());
    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    auto diode = readAll<double>(f, "/entry/data/diode", H5::PredType::NATIVE_DOUBLE);
    ASSERT_EQ(diode.size(), 60u);
    for (qint64 p = 0; p < 60; ++p) EXPECT_EQ(diode[static_cast<size_t>(p)], diodeValue(p));
    EXPECT_EQ(axesAttr(f), (QStringList{QStringLiteral("."), QStringLiteral("y"), QStringLiteral("x")}));
}

TEST(NexusWriter, PartialRunLeavesFillValues) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("part.h5"), {10});
    l.channels = standardChannels();
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 0, 4)).ok());
    ASSERT_TRUE(w.finish(RunStatus::Stopped, QStringLiteral("user pressed stop")).ok());
    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    auto diode = readAll<double>(f, "/entry/data/diode", H5::PredType::NATIVE_DOUBLE);
    auto spec = readAll<float>(f, "/entry/data/spectrum", H5::PredType::NATIVE_FLOAT);
    auto idx = readAll<qint64>(f, "/entry/data/point_index", H5::PredType::NATIVE_INT64);
    auto cam = readAll<quint16>(f, "/entry/data/camera", H5::PredType::NATIVE_UINT16);
    EXPECT_EQ(diode[3], diodeValue(3));
    for (size_t c = 4; c < 10; ++c) {
        EXPECT_TRUE(std::isnan(diode[c])) << c;
        EXPECT_TRUE(std::isnan(spec[c * 8 + 7])) << c;
        EXPECT_EQ(idx[c], -1);
        EXPECT_EQ(cam[c * kCameraElements + 5], 0);
    }
    EXPECT_EQ(readString(f, "/entry/status"), "stopped");
    EXPECT_EQ(readString(f, "/entry/status_reason"), "user pressed stop");
    EXPECT_EQ(readAll<qint64>(f, "/entry/data/points_written", H5::PredType::NATIVE_INT64)[0], 4);
}

TEST(NexusWriter, SpiralScatterAxesArePerPoint) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("spiral.h5"), {12});
    RunAxis x{QStringLiteral("x"), QStringLiteral("mm"), AxisStorage::PerPoint, 0, {}};
    RunAxis y{QStringLiteral("y"), QStringLiteral("mm"), AxisStorage::PerPoint, 0, {}};
    for (int i = 0; i < 12; ++i) {
        x.positions.push_back(i * std::cos(i * 0.5));
        y.positions.push_back(i * std::sin(i * 0.5));
    }
    l.axes = {x, y};
    l.channels = standardChannels(false);
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    writeAll(w, l, 12, 5);
    ASSERT_TRUE(w.finish(RunStatus::Completed, {}).ok());
    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    EXPECT_EQ(readAll<double>(f, "/entry/data/x", H5::PredType::NATIVE_DOUBLE), x.positions);
    EXPECT_EQ(readAll<double>(f, "/entry/data/y", H5::PredType::NATIVE_DOUBLE), y.positions);
    EXPECT_EQ(axesAttr(f), (QStringList{QStringLiteral("x"), QStringLiteral("y")}));
    EXPECT_EQ(int64Attr(f, "/entry/data", "y_indices"), 0);
}

TEST(NexusWriter, ListScanAxisFilledFromPositionChannel) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("list.h5"), {6});
    l.axes = {{QStringLiteral("motor"), QStringLiteral("mm"), AxisStorage::PerPoint, 0, {}}};
    l.channels = standardChannels(false);
    l.channels.push_back({QStringLiteral("motor"), QStringLiteral("mm"), DType::Float64, {}, ChannelRole::AxisPosition});
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    writeAll(w, l, 5, 2);
    ASSERT_TRUE(w.finish(RunStatus::Aborted, QStringLiteral("abort")).ok());
    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    auto motor = readAll<double>(f, "/entry/data/motor", H5::PredType::NATIVE_DOUBLE);
    ASSERT_EQ(motor.size(), 6u);
    EXPECT_EQ(motor[4], 2.0);
    EXPECT_TRUE(std::isnan(motor[5]));
    EXPECT_EQ(readString(f, "/entry/status"), "aborted");
}

TEST(NexusWriter, BadInputGivesClearErrors) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("bad.h5"), {4});
    l.channels = standardChannels(false);
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    ResultBatch b = makeBatch(l, 0, 2);
    b.channels[0].name = QStringLiteral("ghost");
    auto r = w.append(b);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().contains("ghost")) << r.error().toStdString();
    b = makeBatch(l, 0, 2);
    b.channels[0].dtype = DType::Int32;
    r = w.append(b);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().contains("diode")) << r.error().toStdString();
    r = w.append(makeBatch(l, 3, 2));
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().contains("bad.h5.part")) << r.error().toStdString();
    ASSERT_TRUE(w.finish(RunStatus::Failed, QStringLiteral("bad input")).ok());
    EXPECT_FALSE(w.finish(RunStatus::Failed, {}).ok());

    NexusWriter nowhere;
    RunLayout missing = baseLayout(dir.filePath("no/such/dir/x.h5"), {4});
    auto opened = nowhere.open(missing);
    ASSERT_FALSE(opened.ok());
    EXPECT_TRUE(opened.error().contains("no/such/dir/x.h5.part")) << opened.error().toStdString();
    EXPECT_TRUE(opened.error().contains("create file"));
}

TEST(NexusWriter, DestroyedWriterLeavesInterruptedPartFile) {
    QTemporaryDir dir;
    RunLayout l = baseLayout(dir.filePath("gone.h5"), {4});
    l.channels = standardChannels(false);
    {
        NexusWriter w;
        ASSERT_TRUE(w.open(l).ok());
        ASSERT_TRUE(w.append(makeBatch(l, 0, 2)).ok());
    }
    ASSERT_TRUE(QFile::exists(l.path + ".part"));
    H5::H5File f((l.path + ".part").toStdString(), H5F_ACC_RDONLY);
    EXPECT_EQ(readString(f, "/entry/status"), "interrupted");
    EXPECT_EQ(readAll<double>(f, "/entry/data/diode", H5::PredType::NATIVE_DOUBLE)[1], diodeValue(1));
}
