#include "vpcstack/sim/event_queue.hpp"

#include <utility>

namespace vpcstack::sim {

void EventQueue::schedule_at(TimeNs when, Callback callback) {
    queue_.push(Event{when < now_ ? now_ : when, next_sequence_++, std::move(callback)});
}

void EventQueue::run_one() {
    // Move the callback out before popping: it may schedule further events.
    Event event = std::move(const_cast<Event&>(queue_.top()));
    queue_.pop();
    now_ = event.when;
    event.callback();
}

void EventQueue::run_until(TimeNs until) {
    while (!queue_.empty() && queue_.top().when <= until) run_one();
    if (until > now_) now_ = until;
}

bool EventQueue::run_until_idle(TimeNs limit) {
    while (!queue_.empty()) {
        if (queue_.top().when > limit) {
            now_ = limit;
            return false;
        }
        run_one();
    }
    return true;
}

}  // namespace vpcstack::sim
