// prepareRun: the estimate of a run's file and duration, checked against free disk space.
#include "core/engine/RunSetup.h"

#include <QStorageInfo>
#include <QTemporaryDir>
#include <gtest/gtest.h>

using namespace acquila;

namespace {
std::vector<model::DeviceDescription> cameraLab() {
    model::DeviceDescription camera;
    camera.name = QStringLiteral("camera");
    camera.driver = QStringLiteral("sim.camera");
    camera.outputs.push_back({QStringLiteral("camera"), QStringLiteral("counts"), model::DType::UInt16, {120, 160}, {}});
    return {camera};
}

plan::Plan countPlan(qint64 points) {
    plan::Plan p;
    p.name = QStringLiteral("big");
    p.type = plan::ScanType::Count;
    p.count = points;
    p.detectors = {QStringLiteral("camera")};
    p.exposureS = 0.01;
    return p;
}

engine::EngineConfig storageConfig(const QString& dir) {
    engine::EngineConfig c;
    c.storage = true;
    c.dataDirectory = dir;
    return c;
}
}  // namespace

TEST(RunSetup, EstimatesFileSizeAndDurationFromTheOutputs) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const auto s = engine::prepareRun(countPlan(1000), cameraLab(), storageConfig(dir.path()), 2);
    ASSERT_TRUE(s.ok()) << s.error().toStdString();
    EXPECT_EQ(s->estimate.points, 1000);
    EXPECT_EQ(s->estimate.bytesPerPoint, 120 * 160 * 2 + 16);  // image, timestamp, point index
    EXPECT_EQ(s->estimate.fileBytes, 1000 * (120 * 160 * 2 + 16));
    EXPECT_DOUBLE_EQ(s->estimate.seconds, 1000 * 0.01 / 2);
    EXPECT_EQ(s->estimate.text(), QStringLiteral("1000 points x 38416 bytes = about 36.6 MiB, at least 5.0 s"));
}

TEST(RunSetup, RefusesARunWhoseFileCannotFitWithBothNumbers) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    ASSERT_LT(QStorageInfo(dir.path()).bytesAvailable(), 38416ll * 1'000'000'000) << "a disk of more than 35 TiB free";
    const QString out = dir.filePath(QStringLiteral("not/yet/created"));
    const auto s = engine::prepareRun(countPlan(1'000'000'000), cameraLab(), storageConfig(out), 2);
    ASSERT_FALSE(s.ok());
    EXPECT_TRUE(s.error().startsWith(QStringLiteral("not enough disk space: the run file needs about 34.9 TiB "
                                                    "(1000000000 points x 38416 bytes) but ") + out + QStringLiteral(" has only ")))
        << s.error().toStdString();
    EXPECT_TRUE(s.error().contains(QStringLiteral("\"allow_partial\": true"))) << s.error().toStdString();
}

TEST(RunSetup, AllowPartialOrNoFileSkipsTheDiskCheck) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    plan::Plan p = countPlan(1'000'000'000);
    p.outputAllowPartial = true;
    EXPECT_TRUE(engine::prepareRun(p, cameraLab(), storageConfig(dir.path()), 2).ok());
    engine::EngineConfig noFile;
    EXPECT_TRUE(engine::prepareRun(countPlan(1'000'000'000), cameraLab(), noFile, 2).ok());
}
