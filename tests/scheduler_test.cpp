#include "daemon/runtime/scheduler.hpp"

#include <catch2/catch.hpp>
#include <mutex>
#include <set>
#include <thread>

#include "daemon/runtime/actor.hpp"
#include "daemon/runtime/mailbox.hpp"

namespace todo {
namespace {

// A minimal actor: records, per message, the value and the thread it ran on,
// and whether another turn of the same actor was running at the time.
class Recorder final : public Actor {
 public:
  struct Message {
    Message* next = nullptr;
    int value = 0;
  };

  explicit Recorder(Scheduler& scheduler) : Actor(scheduler) {}

  void send(int value) {
    mailbox_.push(new Message{nullptr, value});
    wake();
  }

  std::vector<int> values;  // read after the scheduler stopped
  std::set<std::thread::id> threads;
  std::atomic<int> overlaps{0};
  std::atomic<int> handled{0};

 protected:
  void run_turn() override {
    if (in_turn_.exchange(true)) overlaps.fetch_add(1);
    threads.insert(std::this_thread::get_id());
    Message* message = mailbox_.take_all();
    while (message != nullptr) {
      values.push_back(message->value);
      Message* next = message->next;
      delete message;
      message = next;
      handled.fetch_add(1);
    }
    in_turn_.store(false);
  }
  bool has_new_work() const override { return !mailbox_.is_empty(); }

 private:
  Mailbox<Message> mailbox_;
  std::atomic<bool> in_turn_{false};
};

TEST_CASE("actors get every message, in order, never in two turns at once", "[scheduler]") {
  constexpr int kActors = 200;
  constexpr int kSenders = 4;
  constexpr int kMessagesPerSender = 500;
  Scheduler scheduler(2);
  std::vector<std::shared_ptr<Recorder>> actors;
  for (int i = 0; i < kActors; ++i) actors.push_back(std::make_shared<Recorder>(scheduler));

  std::vector<std::thread> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.emplace_back([&, s] {
      for (int m = 0; m < kMessagesPerSender; ++m) {
        for (auto& actor : actors) actor->send(s * kMessagesPerSender + m);
      }
    });
  }
  for (auto& sender : senders) sender.join();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (auto& actor : actors) {
    while (actor->handled.load() < kSenders * kMessagesPerSender &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  scheduler.stop();

  std::set<std::thread::id> all_threads;
  for (auto& actor : actors) {
    REQUIRE(actor->values.size() == kSenders * kMessagesPerSender);
    CHECK(actor->overlaps.load() == 0);
    // Each sender's messages arrive in the order it sent them.
    std::vector<int> last(kSenders, -1);
    for (int value : actor->values) {
      const int sender = value / kMessagesPerSender;
      REQUIRE(value > last[sender]);
      last[sender] = value;
    }
    all_threads.insert(actor->threads.begin(), actor->threads.end());
  }
  // 200 actors ran on the pool's 2 threads, not on threads of their own.
  CHECK(all_threads.size() <= 2);
  CHECK(all_threads.count(std::this_thread::get_id()) == 0);
}

}  // namespace
}  // namespace todo
