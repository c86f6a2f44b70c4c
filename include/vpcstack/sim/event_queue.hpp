// The simulation's virtual clock and event queue. Events run in (time, insertion) order, so two
// events scheduled for the same instant run in the order they were scheduled. Time never moves
// backwards and never advances by itself: tests move it with run_until() and never sleep.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "vpcstack/engine/port.hpp"

namespace vpcstack::sim {

using engine::TimeNs;

inline constexpr TimeNs kMicrosecond = 1'000;
inline constexpr TimeNs kMillisecond = 1'000'000;
inline constexpr TimeNs kSecond = 1'000'000'000;

class EventQueue {
  public:
    using Callback = std::function<void()>;

    TimeNs now() const noexcept { return now_; }
    std::size_t pending() const noexcept { return queue_.size(); }
    bool idle() const noexcept { return queue_.empty(); }

    // An event at an absolute time; a time in the past runs at the current time.
    void schedule_at(TimeNs when, Callback callback);
    void schedule_in(TimeNs delay, Callback callback) {
        schedule_at(now_ + delay, std::move(callback));
    }

    // Runs every event due at or before `until`, then sets the clock to `until`.
    void run_until(TimeNs until);
    void run_for(TimeNs duration) { run_until(now_ + duration); }
    // Runs events until none is left, or until the clock would pass `limit`. Returns false when
    // events were left because of the limit.
    bool run_until_idle(TimeNs limit = UINT64_MAX);

  private:
    struct Event {
        TimeNs when;
        std::uint64_t sequence;
        Callback callback;
    };
    struct Later {
        bool operator()(const Event& a, const Event& b) const noexcept {
            return a.when != b.when ? a.when > b.when : a.sequence > b.sequence;
        }
    };
    void run_one();

    TimeNs now_ = 0;
    std::uint64_t next_sequence_ = 0;
    std::priority_queue<Event, std::vector<Event>, Later> queue_;
};

}  // namespace vpcstack::sim
