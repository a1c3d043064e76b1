// ROI sums of image detectors are computed on the thread pool, not per point on the GUI thread,
// and land in the scan plot; sums of an ROI that has since moved are dropped.
#include "ui/plots/DetectorView.h"
#include "ui/plots/ImagePlot.h"
#include "ui/plots/LinePlot.h"
#include "ui/plots/RoiSum.h"

#include "support/TestSupport.h"

#include <QApplication>
#include <QElapsedTimer>
#include <gtest/gtest.h>

using namespace acquila;
using namespace acquila::ui::plots;

namespace {

constexpr int kW = 1024;
constexpr int kH = 1024;

model::ResultBatchPtr images(qint64 first, int points) {
    auto b = std::make_shared<model::ResultBatch>();
    b->runId = 1;
    b->first = first;
    b->count = points;
    model::Channel c;
    c.name = QStringLiteral("camera");
    c.dtype = model::DType::UInt16;
    c.pointShape = {kH, kW};
    c.data.resize(static_cast<qsizetype>(kW) * kH * points * 2);
    auto* p = reinterpret_cast<quint16*>(c.data.data());
    for (qint64 i = 0; i < static_cast<qint64>(kW) * kH * points; ++i) p[i] = static_cast<quint16>((i * 7 + first) % 1000);
    b->channels.push_back(std::move(c));
    return b;
}

std::shared_ptr<const ScanContext> lineScan(int points) {
    static int argc = 1;
    static char name[] = "plots_test";
    static char* argv[] = {name, nullptr};
    if (!QCoreApplication::instance()) new QApplication(argc, argv);
    auto plan = plan::parsePlan(QStringLiteral(R"({"version":1,"name":"roi","scan":{"type":"linear"},
        "axes":[{"device":"motor","start":0,"stop":%1,"steps":%2}],"detectors":["camera"]})").arg(points - 1).arg(points).toUtf8(),
                                QStringLiteral("t"));
    EXPECT_TRUE(plan.ok()) << plan.error().toStdString();
    auto ctx = makeScanContext(*plan, {});
    EXPECT_TRUE(ctx.ok()) << ctx.error().toStdString();
    return std::make_shared<const ScanContext>(std::move(*ctx));
}

/** The line's value at point `index` (keys are the motor positions 0, 1, 2...). */
double lineValue(const DetectorView& v, qint64 index) {
    for (auto it = v.line()->graph()->data()->constBegin(); it != v.line()->graph()->data()->constEnd(); ++it)
        if (it->key == static_cast<double>(index)) return it->value;
    return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

TEST(DetectorViewRoi, SumsAreComputedOffTheGuiThreadAndLandInTheLine) {
    DetectorView v(lineScan(25), QStringLiteral("camera"), 2, QString());
    ASSERT_NE(v.line(), nullptr);
    const Roi full{0, 0, kW - 1, kH - 1};
    v.addBatch(images(0, 1));  // sizes the image
    emit v.image()->roiChanged(full);
    ASSERT_TRUE(test::waitUntil([&] { return !v.roiPending(); }));

    const auto big = images(1, 24);
    QElapsedTimer t;
    t.start();
    const auto direct = roiSums({big}, QStringLiteral("camera"), full);
    const qint64 directNs = t.nsecsElapsed();
    t.restart();
    v.addBatch(big);
    const qint64 addNs = t.nsecsElapsed();
    EXPECT_LT(addNs * 4, directNs) << "addBatch took " << addNs / 1e6 << " ms; summing the ROI takes " << directNs / 1e6 << " ms";

    ASSERT_TRUE(test::waitUntil([&] { return !v.roiPending(); }));
    ASSERT_EQ(direct.size(), 24u);
    for (const auto& [index, sum] : direct) EXPECT_DOUBLE_EQ(lineValue(v, index), sum) << "point " << index;
}

TEST(DetectorViewRoi, MovingTheRoiResumsEveryKeptImage) {
    DetectorView v(lineScan(8), QStringLiteral("camera"), 2, QString());
    const auto batch = images(0, 8);
    v.addBatch(batch);
    const Roi small{10, 20, 30, 40};
    emit v.image()->roiChanged(small);  // while the first sums may still be running: theirs are stale
    ASSERT_TRUE(test::waitUntil([&] { return !v.roiPending(); }));
    for (qint64 i = 0; i < 8; ++i)
        EXPECT_DOUBLE_EQ(lineValue(v, i), roiSum(batch->channels[0], i, small)) << "point " << i;
}
