#include "StorageTestUtil.h"
#include "core/plan/PointGenerator.h"
#include "core/storage/NexusWriter.h"
#include "core/storage/RunLayout.h"

#include <QCborArray>
#include <QCborValue>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <gtest/gtest.h>

#include <bit>
#include <tuple>

using namespace acquila::util;
using namespace acquila::model;
using namespace acquila::plan;
using namespace acquila::storage;
using namespace acquila::test;

namespace {

DeviceDescription stage() {
    DeviceDescription d;
    d.name = QStringLiteral("stage");
    d.kind = DeviceKind::Actuator;
    d.axes = {AxisDecl{QStringLiteral("stage.x"), QStringLiteral("mm"), -200, 200}, AxisDecl{QStringLiteral("stage.y"), QStringLiteral("um"), -200, 200}};
    d.positions = {12.345678901, -3.25};
    return d;
}

DeviceDescription detectors() {
    DeviceDescription d;
    d.name = QStringLiteral("det");
    d.outputs.push_back(OutputDecl{QStringLiteral("diode"), QStringLiteral("V"), DType::Float64, {}, {}});
    d.outputs.push_back(OutputDecl{QStringLiteral("spectrum"), QStringLiteral("counts"), DType::Float32, {8}, {QStringLiteral("bin")}});
    return d;
}

const std::vector<DeviceDescription> kDevices{stage(), detectors()};

AxisSpec axis(const char* name, double start, double stop, qint64 steps, bool relative = false) {
    return {QLatin1String(name), start, stop, steps, relative, 0, {}};
}

Plan plan(ScanType type, std::vector<AxisSpec> axes, qint64 repeats = 1) {
    Plan p;
    p.name = QStringLiteral("scan");
    p.type = type;
    p.axes = std::move(axes);
    p.detectors = {QStringLiteral("diode"), QStringLiteral("spectrum")};
    p.repeats = repeats;
    return p;
}

struct Built {
    std::unique_ptr<PointGenerator> gen;
    RunLayout layout;
};

Built build(const Plan& p, const std::vector<double>& origin = {}, const RunStart& start = {}) {
    auto gen = PointGenerator::create(p, origin);
    EXPECT_TRUE(gen.ok()) << gen.error().toStdString();
    if (!gen) return {};
    auto layout = RunLayout::forPlan(p, **gen, kDevices, start);
    EXPECT_TRUE(layout.ok()) << layout.error().toStdString();
    return {std::move(*gen), layout ? *layout : RunLayout{}};
}

bool sameBits(double a, double b) { return std::bit_cast<quint64>(a) == std::bit_cast<quint64>(b); }

/**
 * For every point: the layout's cell map puts it where the generator does, and
 * each Dimension axis holds, at the point's index along its dimension, exactly
 * the position the generator yields for that point.
 */
void expectLayoutMatchesGenerator(const RunLayout& l, const PointGenerator& gen) {
    ASSERT_EQ(l.scanShape, gen.shape());
    ASSERT_EQ(static_cast<int>(l.axes.size()), gen.axisCount());
    const CellMap map = l.cellMap();
    std::vector<qint64> cell(l.scanShape.size());
    std::vector<double> pos(static_cast<size_t>(gen.axisCount()));
    for (qint64 p = 0; p < gen.size(); ++p) {
        gen.cell(p, cell.data());
        gen.positions(p, pos.data());
        EXPECT_EQ(map ? map(p) : p, flatCellIndex(l.scanShape, cell.data())) << "point " << p;
        for (size_t k = 0; k < l.axes.size(); ++k) {
            const RunAxis& a = l.axes[k];
            ASSERT_EQ(a.storage, AxisStorage::Dimension);
            const double stored = a.positions[static_cast<size_t>(cell[static_cast<size_t>(a.dimension)])];
            EXPECT_TRUE(sameBits(stored, pos[k])) << "point " << p << " axis " << k << ": " << stored << " vs " << pos[k];
        }
    }
}

std::vector<QString> channelNames(const RunLayout& l) {
    std::vector<QString> n;
    for (const auto& c : l.channels) n.push_back(c.name);
    return n;
}

/** Encodes to CBOR bytes and decodes again, as the storage worker receives it. */
Result<RunLayout> throughBytes(const QCborMap& map) { return RunLayout::fromCbor(QCborValue::fromCbor(QCborValue(map).toCbor()).toMap()); }

QString decodeError(const QCborMap& map) {
    auto r = RunLayout::fromCbor(map);
    return r ? QStringLiteral("(decoded)") : r.error();
}

/** `m` with field `key` of axis `axisIndex` set to `v`, or removed if `v` is undefined. */
QCborMap withAxisField(QCborMap m, int axisIndex, const char* key, const QCborValue& v) {
    QCborArray axes = m.value(QLatin1String("axes")).toArray();
    QCborMap a = axes.at(axisIndex).toMap();
    if (v.isUndefined()) a.remove(QLatin1String(key));
    else a.insert(QLatin1String(key), v);
    axes[axisIndex] = a;
    m.insert(QLatin1String("axes"), axes);
    return m;
}

}  // namespace

TEST(RunLayoutForPlan, CountScan) {
    Plan p = plan(ScanType::Count, {});
    p.count = 5;
    p.title = QStringLiteral("dark counts");
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(1'760'000'000'123);
    Built b = build(p, {}, {42, start, {}});
    const RunLayout& l = b.layout;
    EXPECT_EQ(l.scanShape, (std::vector<qint64>{5}));
    EXPECT_TRUE(l.axes.empty());
    EXPECT_EQ(channelNames(l), (std::vector<QString>{QStringLiteral("timestamp"), QStringLiteral("diode"), QStringLiteral("spectrum")}));
    EXPECT_EQ(l.channels[0].role, ChannelRole::Timestamp);
    EXPECT_EQ(l.channels[2].dtype, DType::Float32);
    EXPECT_EQ(l.channels[2].pointShape, (std::vector<qint64>{8}));
    EXPECT_EQ(l.channels[2].unit, QStringLiteral("counts"));
    EXPECT_EQ(l.channels[2].role, ChannelRole::Detector);
    EXPECT_EQ(l.title, QStringLiteral("dark counts"));
    EXPECT_EQ(l.planName, QStringLiteral("scan"));
    EXPECT_EQ(l.runId, 42u);
    EXPECT_EQ(l.startTime, start);
    EXPECT_EQ(l.planJson, QString::fromUtf8(QJsonDocument(p.toJson()).toJson(QJsonDocument::Compact)));
    ASSERT_EQ(l.devices.size(), 2u);
    EXPECT_EQ(l.devices[1].name, QStringLiteral("det"));
    EXPECT_TRUE(l.path.isEmpty());
    EXPECT_FALSE(l.snake);
    EXPECT_FALSE(l.cellMap());
    EXPECT_EQ(l.checkContent(), QString());
}

TEST(RunLayoutForPlan, TitleFallsBackToNameAndGivenPlanJsonIsKept) {
    Plan p = plan(ScanType::Count, {});
    Built b = build(p, {}, {1, {}, QStringLiteral("{\"as\":\"sent\"}")});
    EXPECT_EQ(b.layout.title, QStringLiteral("scan"));
    EXPECT_EQ(b.layout.planJson, QStringLiteral("{\"as\":\"sent\"}"));
    EXPECT_FALSE(b.layout.startTime.isValid());
}

TEST(RunLayoutForPlan, LinearAbsolute) {
    Built b = build(plan(ScanType::Linear, {axis("stage.x", 0, 1, 11)}));
    const RunLayout& l = b.layout;
    ASSERT_EQ(l.axes.size(), 1u);
    EXPECT_EQ(l.axes[0].name, QStringLiteral("stage.x"));
    EXPECT_EQ(l.axes[0].unit, QStringLiteral("mm"));
    EXPECT_EQ(l.axes[0].dimension, 0);
    EXPECT_EQ(l.channels[0].name, QStringLiteral("stage.x"));
    EXPECT_EQ(l.channels[0].role, ChannelRole::AxisPosition);
    EXPECT_EQ(l.channels[0].unit, QStringLiteral("mm"));
    expectLayoutMatchesGenerator(l, *b.gen);
}

TEST(RunLayoutForPlan, LinearRelativeTakesTheGeneratorsPositionsBitForBit) {
    // With this origin, adding the offset after interpolating gives other last bits at points 1 and 4.
    Built b = build(plan(ScanType::Linear, {axis("stage.x", -0.3, 0.7, 7, true)}), {12.345678901});
    const RunLayout& l = b.layout;
    ASSERT_EQ(l.axes.size(), 1u);
    EXPECT_EQ(l.axes[0].positions.front(), -0.3 + 12.345678901);
    expectLayoutMatchesGenerator(l, *b.gen);
}

TEST(RunLayoutForPlan, GridRaster) {
    Built b = build(plan(ScanType::Grid, {axis("stage.y", 1, 2, 3, true), axis("stage.x", -0.3, 0.7, 7, true)}), {-3.25, 12.345678901});
    const RunLayout& l = b.layout;
    EXPECT_EQ(l.scanShape, (std::vector<qint64>{3, 7}));
    ASSERT_EQ(l.axes.size(), 2u);
    EXPECT_EQ(l.axes[0].dimension, 0);
    EXPECT_EQ(l.axes[1].dimension, 1);
    EXPECT_EQ(l.axes[0].unit, QStringLiteral("um"));
    EXPECT_FALSE(l.snake);
    expectLayoutMatchesGenerator(l, *b.gen);
}

TEST(RunLayoutForPlan, GridSnakeWithRepeats) {
    Plan p = plan(ScanType::Grid, {axis("stage.y", 0, 2, 3), axis("stage.x", 0, 0.3, 4)}, 2);
    p.snake = true;
    Built b = build(p);
    const RunLayout& l = b.layout;
    EXPECT_EQ(l.scanShape, (std::vector<qint64>{2, 3, 4}));
    EXPECT_TRUE(l.snake);
    EXPECT_EQ(l.leadingRasterDims, 1);
    EXPECT_EQ(l.axes[0].dimension, 1);
    EXPECT_EQ(l.axes[1].dimension, 2);
    ASSERT_TRUE(l.cellMap());
    expectLayoutMatchesGenerator(l, *b.gen);
}

TEST(RunLayoutForPlan, ThreeDimensionalSnake) {
    Plan p = plan(ScanType::Grid, {axis("stage.y", 0, 1, 2), axis("stage.x", 0, 1, 3), axis("motor", 5, 6, 4)});
    p.snake = true;
    Built b = build(p);
    EXPECT_EQ(b.layout.leadingRasterDims, 0);
    EXPECT_EQ(b.layout.axes[2].unit, QString());  // no device declares it
    expectLayoutMatchesGenerator(b.layout, *b.gen);
}

TEST(RunLayoutForPlan, InlineListIsStoredPerPoint) {
    auto p = parsePlan(R"({"version": 1, "name": "pts", "scan": {"type": "list", "points": [[1, 2], [3, 4], [5, 6]]},
                           "axes": [{"device": "stage.x", "relative": true}, {"device": "stage.y"}], "detectors": ["diode"]})",
                       QStringLiteral("plan.json"));
    ASSERT_TRUE(p.ok()) << p.error().toStdString();
    Built b = build(*p, {10, 20});
    const RunLayout& l = b.layout;
    EXPECT_EQ(l.scanShape, (std::vector<qint64>{3}));
    ASSERT_EQ(l.axes.size(), 2u);
    for (const RunAxis& a : l.axes) {
        EXPECT_EQ(a.storage, AxisStorage::PerPoint);
        EXPECT_TRUE(a.positions.empty());  // filled with the positions reached
    }
    EXPECT_EQ(l.axes[1].name, QStringLiteral("stage.y"));
    EXPECT_EQ(channelNames(l), (std::vector<QString>{QStringLiteral("stage.x"), QStringLiteral("stage.y"), QStringLiteral("timestamp"), QStringLiteral("diode")}));
    EXPECT_FALSE(l.cellMap());
    EXPECT_EQ(l.checkContent(), QString());
}

TEST(RunLayoutForPlan, SpiralIsStoredPerPoint) {
    Plan p = plan(ScanType::Spiral, {axis("stage.x", 0, 0, 0), axis("stage.y", 0, 0, 0)});
    p.spiralRadius = 3;
    p.spiralStep = 1;
    Built b = build(p);
    const RunLayout& l = b.layout;
    EXPECT_EQ(l.scanShape, (std::vector<qint64>{b.gen->size()}));
    EXPECT_GT(b.gen->size(), 1);
    ASSERT_EQ(l.axes.size(), 2u);
    EXPECT_EQ(l.axes[0].storage, AxisStorage::PerPoint);
    EXPECT_EQ(l.axes[1].unit, QStringLiteral("um"));
    EXPECT_EQ(l.checkContent(), QString());
}

TEST(RunLayoutForPlan, RepeatsAreALeadingRasterDimension) {
    Plan count = plan(ScanType::Count, {}, 3);
    count.count = 4;
    Built c = build(count);
    EXPECT_EQ(c.layout.scanShape, (std::vector<qint64>{3, 4}));
    EXPECT_EQ(c.layout.leadingRasterDims, 1);
    Built lin = build(plan(ScanType::Linear, {axis("stage.x", 1, 2, 5)}, 2));
    EXPECT_EQ(lin.layout.scanShape, (std::vector<qint64>{2, 5}));
    EXPECT_EQ(lin.layout.axes[0].dimension, 1);
    expectLayoutMatchesGenerator(lin.layout, *lin.gen);
}

TEST(RunLayoutForPlan, UnknownDetectorOutputIsAnError) {
    Plan p = plan(ScanType::Count, {});
    p.detectors = {QStringLiteral("nothing")};
    auto gen = PointGenerator::create(p);
    ASSERT_TRUE(gen.ok());
    auto l = RunLayout::forPlan(p, **gen, kDevices);
    ASSERT_FALSE(l.ok());
    EXPECT_EQ(l.error(), QStringLiteral("unknown detector output 'nothing'"));
}

TEST(RunLayoutCbor, RoundTripKeepsEveryField) {
    Plan p = plan(ScanType::Grid, {axis("stage.y", 0, 2, 3), axis("stage.x", -0.3, 0.7, 7, true)}, 2);
    p.snake = true;
    Built b = build(p, {0, 12.345678901}, {9, QDateTime::fromMSecsSinceEpoch(1'760'000'000'123), {}});
    RunLayout l = b.layout;
    l.path = QStringLiteral("/data/run.h5");
    l.programVersion = QStringLiteral("9.9");
    l.hostname = QStringLiteral("host");
    l.user = QStringLiteral("me");
    l.flushIntervalS = 0.25;
    auto r = throughBytes(l.toCbor());
    ASSERT_TRUE(r.ok()) << r.error().toStdString();
    const RunLayout& d = *r;
    EXPECT_EQ(d.path, l.path);
    EXPECT_EQ(d.title, l.title);
    EXPECT_EQ(d.planName, l.planName);
    EXPECT_EQ(d.runId, 9u);
    EXPECT_EQ(d.planJson, l.planJson);
    EXPECT_EQ(d.programName, l.programName);
    EXPECT_EQ(d.programVersion, QStringLiteral("9.9"));
    EXPECT_EQ(d.hostname, QStringLiteral("host"));
    EXPECT_EQ(d.user, QStringLiteral("me"));
    EXPECT_EQ(d.startTime, l.startTime);
    EXPECT_EQ(d.scanShape, l.scanShape);
    EXPECT_EQ(d.flushIntervalS, 0.25);
    EXPECT_TRUE(d.snake);
    EXPECT_EQ(d.leadingRasterDims, 1);
    // Positions compare bit for bit.
    auto axisKey = [](const RunAxis& a) {
        std::vector<quint64> bits;
        for (double v : a.positions) bits.push_back(std::bit_cast<quint64>(v));
        return std::make_tuple(a.name, a.unit, a.storage, a.dimension, bits);
    };
    auto channelKey = [](const RunChannel& c) { return std::tie(c.name, c.unit, c.dtype, c.pointShape, c.role); };
    ASSERT_EQ(d.axes.size(), l.axes.size());
    for (size_t k = 0; k < l.axes.size(); ++k) EXPECT_TRUE(axisKey(d.axes[k]) == axisKey(l.axes[k])) << "axis " << k;
    ASSERT_EQ(d.channels.size(), l.channels.size());
    for (size_t c = 0; c < l.channels.size(); ++c) EXPECT_TRUE(channelKey(d.channels[c]) == channelKey(l.channels[c])) << "channel " << c;
    ASSERT_EQ(d.devices.size(), 2u);
    EXPECT_EQ(d.devices[0].toCbor(), l.devices[0].toCbor());
    EXPECT_EQ(d.devices[1].outputs[1].shape, (std::vector<int64_t>{8}));
    expectLayoutMatchesGenerator(d, *b.gen);
}

TEST(RunLayoutCbor, PerPointAxesAndNoStartTimeRoundTrip) {
    RunLayout l = baseLayout(QString(), {6});
    l.axes = {{QStringLiteral("stage.x"), QStringLiteral("mm"), AxisStorage::PerPoint, 0, {}},
              {QStringLiteral("stage.y"), {}, AxisStorage::PerPoint, 0, {1, 2, 3, 4, 5, 6.5}}};
    l.channels = standardChannels(false);
    auto r = throughBytes(l.toCbor());
    ASSERT_TRUE(r.ok()) << r.error().toStdString();
    EXPECT_FALSE(r->startTime.isValid());
    EXPECT_TRUE(r->path.isEmpty());
    EXPECT_EQ(r->axes[0].storage, AxisStorage::PerPoint);
    EXPECT_TRUE(r->axes[0].positions.empty());
    EXPECT_EQ(r->axes[1].positions, (std::vector<double>{1, 2, 3, 4, 5, 6.5}));
    EXPECT_EQ(r->channels[2].role, ChannelRole::Timestamp);
    EXPECT_FALSE(r->snake);
}

TEST(RunLayoutCbor, DecodedLayoutPlacesSnakePointsInTheFile) {
    QTemporaryDir dir;
    Plan p = plan(ScanType::Grid, {axis("stage.y", 0, 2, 3), axis("stage.x", 0, 0.3, 4)}, 2);
    p.snake = true;
    Built b = build(p);
    auto decoded = throughBytes(b.layout.toCbor());
    ASSERT_TRUE(decoded.ok()) << decoded.error().toStdString();
    RunLayout l = *decoded;
    l.path = dir.filePath(QStringLiteral("snake.h5"));
    NexusWriter w;
    ASSERT_TRUE(w.open(l).ok());
    ASSERT_TRUE(w.append(makeBatch(l, 0, b.gen->size()), l.cellMap()).ok());
    ASSERT_TRUE(w.finish(RunStatus::Completed, {}).ok());
    H5::H5File f(l.path.toStdString(), H5F_ACC_RDONLY);
    const auto idx = readAll<qint64>(f, "/entry/data/point_index", H5::PredType::NATIVE_INT64);
    const auto x = readAll<double>(f, "/entry/data/stage_x", H5::PredType::NATIVE_DOUBLE);
    std::vector<qint64> cell(3);
    double pos[2];
    for (qint64 pt = 0; pt < b.gen->size(); ++pt) {
        b.gen->cell(pt, cell.data());
        b.gen->positions(pt, pos);
        EXPECT_EQ(idx[static_cast<size_t>(flatCellIndex(l.scanShape, cell.data()))], pt);
        EXPECT_TRUE(sameBits(x[static_cast<size_t>(cell[2])], pos[1])) << "point " << pt;
    }
}

TEST(RunLayoutCbor, MissingFieldIsNamed) {
    const QCborMap m = build(plan(ScanType::Linear, {axis("stage.x", 0, 1, 3)})).layout.toCbor();
    ASSERT_EQ(decodeError(m), QStringLiteral("(decoded)"));
    QCborMap noShape = m;
    noShape.remove(QLatin1String("scan_shape"));
    EXPECT_EQ(decodeError(noShape), QStringLiteral("run layout: missing field 'scan_shape'"));
    const QCborMap noName = withAxisField(m, 0, "name", QCborValue());
    EXPECT_EQ(decodeError(noName), QStringLiteral("run layout: axes[0]: missing field 'name'"));
}

TEST(RunLayoutCbor, WrongTypeIsNamed) {
    const QCborMap m = build(plan(ScanType::Linear, {axis("stage.x", 0, 1, 3)})).layout.toCbor();
    EXPECT_EQ(decodeError(withAxisField(m, 0, "dimension", QStringLiteral("0"))), QStringLiteral("run layout: axes[0]: field 'dimension' must be an integer"));
    EXPECT_EQ(decodeError(withAxisField(m, 0, "positions", QCborArray{0.0, QStringLiteral("x"), 1.0})),
              QStringLiteral("run layout: axes[0]: field 'positions[1]' must be a number"));
    QCborMap t = m;
    t.insert(QLatin1String("snake"), 1);
    EXPECT_EQ(decodeError(t), QStringLiteral("run layout: field 'snake' must be a boolean"));
    QCborMap notMap = m;
    notMap.insert(QLatin1String("channels"), QCborArray{QStringLiteral("diode")});
    EXPECT_EQ(decodeError(notMap), QStringLiteral("run layout: channels[0] must be a map"));
    QCborMap badDevice = m;
    badDevice.insert(QLatin1String("devices"), QCborArray{QCborMap{}});
    EXPECT_EQ(decodeError(badDevice), QStringLiteral("run layout: devices[0]: device: missing field 'name'"));
}

TEST(RunLayoutCbor, OutOfRangeValueIsNamed) {
    Plan p = plan(ScanType::Grid, {axis("stage.y", 0, 2, 3), axis("stage.x", 0, 1, 4)});
    const QCborMap m = build(p).layout.toCbor();
    QCborMap zero = m;
    zero.insert(QLatin1String("scan_shape"), QCborArray{3, 0});
    EXPECT_TRUE(decodeError(zero).startsWith(QStringLiteral("run layout: field 'scan_shape[1]' is 0, must be in [1, "))) << decodeError(zero).toStdString();
    QCborMap huge = m;
    huge.insert(QLatin1String("scan_shape"), QCborArray{1'000'000, 1'000'000, 2});
    EXPECT_TRUE(decodeError(huge).startsWith(QStringLiteral("run layout: field 'scan_shape[1]' is 1000000, must be in [1, 1000]"))) << decodeError(huge).toStdString();
    EXPECT_EQ(decodeError(withAxisField(m, 1, "dimension", 2)), QStringLiteral("run layout: axes[1]: field 'dimension' is 2, must be in [0, 1]"));
    EXPECT_EQ(decodeError(withAxisField(m, 0, "storage", QStringLiteral("sideways"))),
              QStringLiteral("run layout: axes[0]: field 'storage' is 'sideways', must be a known name"));
    QCborMap lead = m;
    lead.insert(QLatin1String("leading_raster_dims"), -1);
    EXPECT_EQ(decodeError(lead), QStringLiteral("run layout: field 'leading_raster_dims' is -1, must be in [0, 2]"));
    QCborMap flush = m;
    flush.insert(QLatin1String("flush_interval_s"), -0.5);
    EXPECT_EQ(decodeError(flush), QStringLiteral("run layout: field 'flush_interval_s' is -0.5, must be a finite number >= 0"));
    QCborMap run = m;
    run.insert(QLatin1String("run_id"), -3);
    EXPECT_TRUE(decodeError(run).startsWith(QStringLiteral("run layout: field 'run_id' is -3, must be in [0, "))) << decodeError(run).toStdString();
    // Consistency across fields: a dimension of 3 with 4 positions.
    EXPECT_EQ(decodeError(withAxisField(m, 0, "positions", QCborArray{0.0, 1.0, 2.0, 3.0})),
              QStringLiteral("run layout: axis 'stage.y': 4 positions for a dimension of 3"));
}

TEST(RunLayoutCbor, UnknownChannelDtypeAndRoleAreNamed) {
    const QCborMap m = build(plan(ScanType::Count, {})).layout.toCbor();
    auto withChannelField = [&](const char* key, const QCborValue& v) {
        QCborMap out = m;
        QCborArray ch = out.value(QLatin1String("channels")).toArray();
        QCborMap c = ch.at(1).toMap();
        c.insert(QLatin1String(key), v);
        ch[1] = c;
        out.insert(QLatin1String("channels"), ch);
        return decodeError(out);
    };
    EXPECT_EQ(withChannelField("dtype", QStringLiteral("complex")), QStringLiteral("run layout: channels[1]: field 'dtype' is 'complex', must be a known dtype"));
    EXPECT_EQ(withChannelField("role", QStringLiteral("monitor")), QStringLiteral("run layout: channels[1]: field 'role' is 'monitor', must be a known name"));
    EXPECT_EQ(withChannelField("point_shape", QCborArray{4, -1}), QStringLiteral("run layout: channels[1]: field 'point_shape[1]' is -1, must be in [1, 250000000]"));
    EXPECT_EQ(decodeError(QCborMap{}), QStringLiteral("run layout: missing field 'path'"));
}
