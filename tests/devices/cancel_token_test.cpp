#include "devices/Device.h"

#include <gtest/gtest.h>
#include <chrono>
#include <thread>

using namespace acquila::devices;
using Clock = std::chrono::steady_clock;

TEST(CancelToken, SleepForWaitsTheFullDurationWhenUndisturbed) {
    CancelToken token;
    const auto t0 = Clock::now();
    EXPECT_EQ(token.sleepFor(std::chrono::milliseconds(30)), Checkpoint::Continue);
    EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(30));
}

TEST(CancelToken, AbortFromAnotherThreadEndsALongSleep) {
    CancelToken token;
    std::atomic<bool> sleeping{false};
    std::thread requester([&] {
        while (!sleeping.load()) std::this_thread::yield();
        token.request(acquila::model::CancelLevel::Abort);
    });
    sleeping.store(true);
    const auto t0 = Clock::now();
    const Checkpoint c = token.sleepFor(std::chrono::seconds(30));
    requester.join();
    EXPECT_EQ(c, Checkpoint::Abort);
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));  // a hang would take 30 s
}

TEST(CancelToken, StopDoesNotInterruptButDeadlineDoes) {
    CancelToken token;
    token.request(acquila::model::CancelLevel::Stop);
    EXPECT_EQ(token.sleepFor(std::chrono::milliseconds(1)), Checkpoint::Continue);
    token.setDeadline(Clock::now() + std::chrono::milliseconds(20));
    const auto t0 = Clock::now();
    EXPECT_EQ(token.sleepFor(std::chrono::seconds(30)), Checkpoint::Timeout);
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
    token.clearDeadline();
    token.request(acquila::model::CancelLevel::Abort);
    EXPECT_EQ(token.sleepFor(std::chrono::seconds(30)), Checkpoint::Abort);
    token.reset();
    EXPECT_EQ(token.sleepFor(std::chrono::duration<double>(-1.0)), Checkpoint::Continue);
}
