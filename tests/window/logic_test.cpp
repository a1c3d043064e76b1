// Pure logic of the main window: no widgets, no engine.
#include "ui/window/PlanFormJson.h"
#include "ui/window/RunFormat.h"

#include <gtest/gtest.h>

using namespace acquila;
using namespace acquila::ui::window;

TEST(RunFormat, ControlsFollowTheState) {
    using model::RunState;
    EXPECT_EQ(controlEnables(RunState::Idle, false), ControlEnables{});
    const auto idle = controlEnables(RunState::Idle, true);
    EXPECT_TRUE(idle.start);
    EXPECT_FALSE(idle.pause || idle.resume || idle.stop || idle.abort);
    const auto running = controlEnables(RunState::Running, true);
    EXPECT_FALSE(running.start);
    EXPECT_TRUE(running.pause && running.stop && running.abort);
    EXPECT_FALSE(running.resume);
    const auto paused = controlEnables(RunState::Paused, true);
    EXPECT_TRUE(paused.resume && paused.stop && paused.abort);
    EXPECT_FALSE(paused.pause || paused.start);
    const auto stopping = controlEnables(RunState::Stopping, true);
    EXPECT_TRUE(stopping.abort);
    EXPECT_FALSE(stopping.stop || stopping.start || stopping.pause);
    EXPECT_TRUE(controlEnables(RunState::Finished, true).start);
}

TEST(RunFormat, DurationsAndRemainingTime) {
    EXPECT_EQ(formatDuration(12.4), QStringLiteral("12 s"));
    EXPECT_EQ(formatDuration(185), QStringLiteral("3 min 05 s"));
    EXPECT_EQ(formatDuration(7440), QStringLiteral("2 h 04 min"));
    EXPECT_EQ(formatDuration(-1), QStringLiteral("—"));
    EXPECT_DOUBLE_EQ(remainingSeconds(25, 100, 10), 30);
    EXPECT_LT(remainingSeconds(0, 100, 10), 0);
    EXPECT_LT(remainingSeconds(100, 100, 10), 0);
    engine::RunProgress p;
    p.state = model::RunState::Finished;
    p.status = model::RunStatus::Failed;
    p.planName = QStringLiteral("fault-crash");
    p.reason = QStringLiteral("worker 1 crashed at point 50");
    EXPECT_EQ(runStatusText(p), QStringLiteral("fault-crash: Failed — worker 1 crashed at point 50"));
    EXPECT_EQ(formatBytes(1'500'000), QStringLiteral("1.5 MB"));
}

TEST(PlanFormJson, FieldValuesAndErrorPointers) {
    EXPECT_TRUE(fieldValue(QStringLiteral(" 2.5 ")).isDouble());
    EXPECT_EQ(fieldValue(QStringLiteral("ten")).toString(), QStringLiteral("ten"));
    EXPECT_TRUE(fieldValue(QString()).isUndefined());
    EXPECT_EQ(errorPointer(QStringLiteral("plan: /axes/0/stop: 250 is above the limit")), QStringLiteral("/axes/0/stop"));
    EXPECT_EQ(errorPointer(QStringLiteral("plan: /name: expected a name")), QStringLiteral("/name"));
    EXPECT_EQ(errorPointer(QStringLiteral("no pointer here")), QString());
}
