#include "vpcstack/sim/event_queue.hpp"

#include <gtest/gtest.h>

#include <string>

using vpcstack::sim::EventQueue;
using vpcstack::sim::kSecond;

TEST(EventQueue, RunsEventsInTimeOrderAndTiesInSchedulingOrder) {
    EventQueue q;
    std::string order;
    q.schedule_at(30, [&] { order += 'c'; });
    q.schedule_at(10, [&] { order += 'a'; });
    q.schedule_at(10, [&] { order += 'b'; });
    q.run_until_idle();
    EXPECT_EQ(order, "abc") << "events at the same time must run in the order they were scheduled";
    EXPECT_EQ(q.now(), 30u);
}

TEST(EventQueue, RunUntilStopsAtTheGivenTimeAndMovesTheClockThere) {
    EventQueue q;
    int ran = 0;
    q.schedule_at(5 * kSecond, [&] { ++ran; });
    q.schedule_at(7 * kSecond, [&] { ++ran; });
    q.run_until(6 * kSecond);
    EXPECT_EQ(ran, 1);
    EXPECT_EQ(q.now(), 6 * kSecond) << "the clock must reach the requested time even when idle";
    EXPECT_EQ(q.pending(), 1u);
}

TEST(EventQueue, EventsMayScheduleFurtherEventsAndThePastRunsNow) {
    EventQueue q;
    std::vector<std::uint64_t> times;
    q.schedule_at(100, [&] {
        times.push_back(q.now());
        q.schedule_in(50, [&] { times.push_back(q.now()); });
        q.schedule_at(1, [&] { times.push_back(q.now()); });  // in the past: runs at 100
    });
    q.run_until_idle();
    EXPECT_EQ(times, (std::vector<std::uint64_t>{100, 100, 150}));
}

TEST(EventQueue, RunUntilIdleHonoursItsLimit) {
    EventQueue q;
    q.schedule_at(10, [] {});
    q.schedule_at(1000, [] {});
    EXPECT_FALSE(q.run_until_idle(500));
    EXPECT_EQ(q.now(), 500u);
    EXPECT_TRUE(q.run_until_idle());
}
