#include "devices/sim/SimWorld.h"
#include "devices/Device.h"

#include <gtest/gtest.h>
#include <cmath>
#include <cstring>

using namespace acquila::devices;
using acquila::model::DeviceSpec;

namespace {
struct Rig {
    SimWorld world;
    std::unique_ptr<Device> dev;
    QByteArray buffer;
    std::vector<OutputBuffer> out;
    CancelToken token;

    Rig(const QString& driver, QVariantMap params, quint64 seed = 42,
        const QString& name = QStringLiteral("det")) {
        dev = createDevice(DeviceSpec{name, driver, std::move(params)}, LabContext{seed, &world});
        buffer.resize(dev->describe().outputs.at(0).bytesPerPoint());
    }
    /** Measures point `index` and returns the raw bytes. */
    QByteArray measure(qint64 index, double exposureS = 0) {
        buffer.fill('\0');
        out = {OutputBuffer{buffer.data(), buffer.size(), -1}};
        PointContext ctx;
        ctx.index = index;
        ctx.exposureS = exposureS;
        EXPECT_EQ(dev->asDetector()->read(ctx, out, token), Checkpoint::Continue);
        return buffer;
    }
    double scalar(qint64 index) {
        const QByteArray b = measure(index);
        double v;
        std::memcpy(&v, b.constData(), sizeof v);
        return v;
    }
};

QVariantMap gaussianParams() {
    return {{QStringLiteral("axes"), QVariantList{QStringLiteral("mx"), QStringLiteral("my")}},
            {QStringLiteral("center"), QVariantList{10, -5}},
            {QStringLiteral("width"), QVariantList{3, 2}},
            {QStringLiteral("amplitude"), 1000},
            {QStringLiteral("background"), 50},
            {QStringLiteral("noise"), 5}};
}
}  // namespace

TEST(SimGaussian, SameSeedAndIndexGiveIdenticalBytesAcrossInstances) {
    Rig a(QStringLiteral("sim.gaussian"), gaussianParams());
    Rig b(QStringLiteral("sim.gaussian"), gaussianParams());
    for (qint64 i : {0, 1, 7, 123456789}) EXPECT_EQ(a.measure(i), b.measure(i)) << i;
    // Measuring in a different order (another worker) changes nothing either.
    const QByteArray at5 = a.measure(5);
    a.measure(99);
    EXPECT_EQ(a.measure(5), at5);
    EXPECT_NE(a.measure(5), a.measure(6));
    Rig otherSeed(QStringLiteral("sim.gaussian"), gaussianParams(), 43);
    EXPECT_NE(a.measure(5), otherSeed.measure(5));
    Rig otherName(QStringLiteral("sim.gaussian"), gaussianParams(), 42, QStringLiteral("det2"));
    EXPECT_NE(a.measure(5), otherName.measure(5));
}

TEST(SimGaussian, PeakIsAtTheConfiguredCentre) {
    QVariantMap p = gaussianParams();
    p.insert(QStringLiteral("noise"), 0);
    Rig r(QStringLiteral("sim.gaussian"), p);
    // Scan mx at my = centre: the maximum is at mx = 10, with value background + amplitude.
    r.world.setPosition(QStringLiteral("my"), -5);
    double best = -1, bestX = 0;
    for (int x = -20; x <= 40; ++x) {
        r.world.setPosition(QStringLiteral("mx"), x);
        const double v = r.scalar(x + 100);
        if (v > best) best = v, bestX = x;
    }
    EXPECT_EQ(bestX, 10);
    EXPECT_DOUBLE_EQ(best, 1050.0);
    // One width off on x: exp(-1/2).
    r.world.setPosition(QStringLiteral("mx"), 13);
    EXPECT_NEAR(r.scalar(0), 50 + 1000 * std::exp(-0.5), 1e-9);
    // Far away only the background remains.
    r.world.setPosition(QStringLiteral("mx"), 1000);
    EXPECT_NEAR(r.scalar(0), 50.0, 1e-9);
}

TEST(SimGaussian, NoiseHasTheConfiguredSpread) {
    QVariantMap p = gaussianParams();
    p.insert(QStringLiteral("amplitude"), 0);
    Rig r(QStringLiteral("sim.gaussian"), p);
    double sum = 0, sum2 = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const double v = r.scalar(i) - 50.0;
        sum += v;
        sum2 += v * v;
    }
    const double mean = sum / n;
    const double sd = std::sqrt(sum2 / n - mean * mean);
    EXPECT_NEAR(mean, 0.0, 0.2);
    EXPECT_NEAR(sd, 5.0, 0.2);
}

TEST(SimGaussian, DeclaresOneScalarOutputAndEditableProperties) {
    Rig r(QStringLiteral("sim.gaussian"), gaussianParams());
    const auto d = r.dev->describe();
    ASSERT_EQ(d.outputs.size(), 1u);
    EXPECT_EQ(d.outputs[0].name, QStringLiteral("det"));
    EXPECT_EQ(d.outputs[0].unit, QStringLiteral("counts"));
    EXPECT_TRUE(d.outputs[0].shape.empty());
    EXPECT_EQ(d.outputs[0].dtype, acquila::model::DType::Float64);
    r.dev->setProperty(QStringLiteral("center.mx"), 0.0);
    r.dev->setProperty(QStringLiteral("noise"), 0.0);
    r.world.setPosition(QStringLiteral("mx"), 0);
    r.world.setPosition(QStringLiteral("my"), -5);
    EXPECT_DOUBLE_EQ(r.scalar(1), 1050.0);
    EXPECT_EQ(r.dev->describe().values.value(QStringLiteral("center.mx")).toDouble(), 0.0);
    EXPECT_THROW(r.dev->setProperty(QStringLiteral("width.mx"), 0.0), DeviceError);
    EXPECT_THROW(r.dev->setProperty(QStringLiteral("noise"), -1.0), DeviceError);
    EXPECT_THROW(
        createDevice(DeviceSpec{QStringLiteral("g"),
                                QStringLiteral("sim.gaussian"),
                                {{QStringLiteral("axes"), QVariantList{QStringLiteral("a")}},
                                 {QStringLiteral("center"), QVariantList{1, 2}}}},
                     LabContext{}),
        DeviceError);
}

TEST(SimGaussian, ExposureIsACooperativeWait) {
    Rig r(QStringLiteral("sim.gaussian"), gaussianParams());
    r.token.request(acquila::model::CancelLevel::Abort);
    r.out = {OutputBuffer{r.buffer.data(), r.buffer.size(), -1}};
    PointContext ctx;
    ctx.exposureS = 30;
    EXPECT_EQ(r.dev->asDetector()->read(ctx, r.out, r.token), Checkpoint::Abort);
}

TEST(SimSpectrometer, LineFollowsTheAxisAndIsDeterministic) {
    QVariantMap p{{QStringLiteral("pixels"), 401},  {QStringLiteral("wl_min"), 400},
                  {QStringLiteral("wl_max"), 800},  {QStringLiteral("axis"), QStringLiteral("m")},
                  {QStringLiteral("peak_nm"), 500}, {QStringLiteral("shift_per_unit"), 2},
                  {QStringLiteral("noise"), 1}};
    Rig r(QStringLiteral("sim.spectrometer"), p);
    const auto d = r.dev->describe();
    ASSERT_EQ(d.outputs.size(), 1u);
    EXPECT_EQ(d.outputs[0].shape, (std::vector<int64_t>{401}));
    EXPECT_EQ(d.outputs[0].axisLabels, QStringList{QStringLiteral("wavelength")});
    EXPECT_EQ(d.outputs[0].unit, QStringLiteral("counts"));

    auto argmax = [&](qint64 index) {
        const QByteArray b = r.measure(index);
        std::vector<double> v(401);
        std::memcpy(v.data(), b.constData(), b.size());
        return std::max_element(v.begin(), v.end()) - v.begin();
    };
    r.world.setPosition(QStringLiteral("m"), 0);
    EXPECT_EQ(argmax(0), 100);  // 500 nm at 1 nm per pixel from 400 nm
    r.world.setPosition(QStringLiteral("m"), 50);
    EXPECT_EQ(argmax(0), 200);  // 500 + 2 * 50 = 600 nm
    Rig twin(QStringLiteral("sim.spectrometer"), p);
    twin.world.setPosition(QStringLiteral("m"), 50);
    EXPECT_EQ(r.measure(3), twin.measure(3));
    EXPECT_NE(r.measure(3), r.measure(4));
}

TEST(SimSpectrometer, WithoutAnAxisTheLineDriftsWithThePointIndex) {
    Rig r(QStringLiteral("sim.spectrometer"),
          {{QStringLiteral("noise"), 0}, {QStringLiteral("step_nm"), 10}});
    EXPECT_NE(r.measure(0), r.measure(1));
}

TEST(SimCamera, FrameHasTheDeclaredShapeAndTheSpotMoves) {
    Rig r(QStringLiteral("sim.camera"), {{QStringLiteral("width"), 160},
                                         {QStringLiteral("height"), 120},
                                         {QStringLiteral("background"), 10},
                                         {QStringLiteral("amplitude"), 3000}});
    const auto d = r.dev->describe();
    ASSERT_EQ(d.outputs.size(), 1u);
    EXPECT_EQ(d.outputs[0].dtype, acquila::model::DType::UInt16);
    EXPECT_EQ(d.outputs[0].shape, (std::vector<int64_t>{120, 160}));
    EXPECT_EQ(d.outputs[0].bytesPerPoint(), 120 * 160 * 2);

    auto brightest = [&](qint64 index) {
        const QByteArray b = r.measure(index);
        std::vector<uint16_t> px(120 * 160);
        std::memcpy(px.data(), b.constData(), b.size());
        const auto at = std::max_element(px.begin(), px.end()) - px.begin();
        return std::pair<int, int>(static_cast<int>(at % 160), static_cast<int>(at / 160));  // x, y
    };
    const auto p0 = brightest(0);
    const auto p12 = brightest(12);  // a quarter orbit later
    EXPECT_GT(std::hypot(p0.first - p12.first, p0.second - p12.second), 10.0);
    // The spot is where the device says it is (within a couple of pixels of noise).
    EXPECT_NEAR(p0.first, 79.5 + 30, 3);  // radius = min(160, 120) / 4 = 30, angle 0
    EXPECT_NEAR(p0.second, 59.5, 3);
}

TEST(SimCamera, PoissonNoiseIsSeededByPointIndex) {
    Rig a(QStringLiteral("sim.camera"),
          {{QStringLiteral("width"), 32}, {QStringLiteral("height"), 16}});
    Rig b(QStringLiteral("sim.camera"),
          {{QStringLiteral("width"), 32}, {QStringLiteral("height"), 16}});
    EXPECT_EQ(a.measure(9), b.measure(9));
    EXPECT_NE(a.measure(9),
              a.measure(9 + 50));  // same spot position (one orbit later), different noise

    // Far from the spot the pixels follow Poisson(background): mean ≈ variance.
    Rig dim(QStringLiteral("sim.camera"), {{QStringLiteral("width"), 64},
                                           {QStringLiteral("height"), 64},
                                           {QStringLiteral("background"), 5},
                                           {QStringLiteral("amplitude"), 0}});
    const QByteArray f = dim.measure(0);
    std::vector<uint16_t> px(64 * 64);
    std::memcpy(px.data(), f.constData(), f.size());
    double sum = 0, sum2 = 0;
    for (uint16_t v : px) sum += v, sum2 += double(v) * v;
    const double mean = sum / px.size(), var = sum2 / px.size() - mean * mean;
    EXPECT_NEAR(mean, 5.0, 0.3);
    EXPECT_NEAR(var, 5.0, 0.8);
}

TEST(SimCamera, SpotFollowsConfiguredAxes) {
    Rig r(QStringLiteral("sim.camera"),
          {{QStringLiteral("width"), 100},
           {QStringLiteral("height"), 80},
           {QStringLiteral("axes"), QVariantList{QStringLiteral("sx"), QStringLiteral("sy")}},
           {QStringLiteral("pixels_per_unit"), 2},
           {QStringLiteral("background"), 1}});
    r.world.setPosition(QStringLiteral("sx"), 10);
    r.world.setPosition(QStringLiteral("sy"), -10);
    const QByteArray b = r.measure(0);
    std::vector<uint16_t> px(100 * 80);
    std::memcpy(px.data(), b.constData(), b.size());
    const auto at = std::max_element(px.begin(), px.end()) - px.begin();
    EXPECT_NEAR(at % 100, 49.5 + 20, 3);
    EXPECT_NEAR(at / 100, 39.5 - 20, 3);
}

TEST(SimCpu, ResultIsDeterministicAndTheTokenIsHonoured) {
    Rig a(QStringLiteral("sim.cpu"), {{QStringLiteral("cost_us"), 200}});
    Rig b(QStringLiteral("sim.cpu"), {{QStringLiteral("cost_us"), 50}});
    EXPECT_EQ(a.measure(4), b.measure(4));  // the cost changes the time, never the value
    EXPECT_NE(a.measure(4), a.measure(5));
    a.dev->setProperty(QStringLiteral("cost_us"), 30'000'000);
    a.token.request(acquila::model::CancelLevel::Abort);
    a.out = {OutputBuffer{a.buffer.data(), a.buffer.size(), -1}};
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(a.dev->asDetector()->read(PointContext{}, a.out, a.token), Checkpoint::Abort);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));  // 30 s if ignored
    EXPECT_THROW(a.dev->setProperty(QStringLiteral("cost_us"), 1.5), DeviceError);
}
