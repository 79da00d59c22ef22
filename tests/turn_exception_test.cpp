// An exception inside one list actor's turn (issue 5): the request fails with
// an error naming the list, the actor starts again from what is on disk, and
// every other list goes on. The fault is a std::bad_alloc from this
// executable's own operator new, armed for one allocation of one size, so
// todod's code runs exactly as it ships. Real System, real RocksDB.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "common/validation.hpp"
#include "daemon/cache.hpp"
#include "daemon/storage/storage_layout.hpp"
#include "daemon/system.hpp"
#include "daemon/system_counters.hpp"
#include "describe.hpp"
#include "server_calls.hpp"
#include "temp_dir.hpp"

namespace todo {
namespace {

// The size of the one allocation that is to fail, 0 when none is. The failing
// allocation clears it, so the fault fires once, on whichever thread makes it.
std::atomic<std::size_t> armed_size{0};
std::atomic<bool> has_fault_fired{false};

void* allocate(std::size_t size) {
  std::size_t armed = armed_size.load(std::memory_order_relaxed);
  if (armed != 0 && size == armed && armed_size.compare_exchange_strong(armed, 0)) {
    has_fault_fired.store(true);
    throw std::bad_alloc();
  }
  // malloc, not a heap of our own: the sanitizers intercept it and go on
  // checking every use of this memory.
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

// Only allocate() can be armed: the allocation that fails is a string's.
void* allocate_aligned(std::size_t size, std::align_val_t alignment) {
  void* memory = nullptr;
  if (::posix_memalign(&memory, static_cast<std::size_t>(alignment), size == 0 ? 1 : size) != 0) {
    throw std::bad_alloc();
  }
  return memory;
}

}  // namespace
}  // namespace todo

// Every replaceable form, so that whatever form allocates, the matching form
// frees the memory with the allocator that gave it.
void* operator new(std::size_t size) { return todo::allocate(size); }
void* operator new[](std::size_t size) { return todo::allocate(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return todo::allocate(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  return todo::allocate_aligned(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment) {
  return todo::allocate_aligned(size, alignment);
}
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  try {
    return todo::allocate_aligned(size, alignment);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t alignment,
                     const std::nothrow_t& tag) noexcept {
  return operator new(size, alignment, tag);
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(memory);
}

namespace todo {
namespace {

using namespace std::chrono_literals;
using testing::add;
using testing::call;
using testing::day;
using testing::entries;

std::unique_ptr<System> start_system(const std::filesystem::path& dir) {
  auto system = System::start(
      {.database = {.data_dir = dir, .durability = Durability::sync}, .thread_count = 2});
  if (!system) FAIL(system.error().message);
  return std::move(system).value();
}

// Adds to the bystander list one request at a time until told to stop, from a
// thread of its own; the test thread checks what it collected.
class BystanderClient {
 public:
  BystanderClient(std::shared_ptr<Server> list, Date when) : list_(std::move(list)), when_(when) {
    thread_ = std::thread([this] { run(); });
  }
  BystanderClient(const BystanderClient&) = delete;
  BystanderClient& operator=(const BystanderClient&) = delete;
  ~BystanderClient() { stop(); }

  std::size_t answered() const { return answered_.load(); }
  void stop() {
    is_stopping_.store(true);
    if (thread_.joinable()) thread_.join();
    // An actor must not outlive its System's Cache, which the test restarts.
    list_.reset();
  }
  // REQUIRES: stop() returned.
  const std::vector<Entry>& acknowledged() const { return acknowledged_; }
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  void run() {
    while (!is_stopping_.load()) {
      const std::string title = "b" + std::to_string(answered_.load());
      try {
        ListResult result = call(*list_, AddEntry{when_, title});
        if (result) {
          acknowledged_.push_back({std::get<EntryId>(result.value()), when_, title, false});
        } else {
          failures_.push_back(result.error().message);
        }
      } catch (const std::exception& e) {
        failures_.push_back(e.what());
      }
      answered_.fetch_add(1);
    }
  }

  std::shared_ptr<Server> list_;
  const Date when_;
  std::atomic<bool> is_stopping_{false};
  std::atomic<std::size_t> answered_{0};
  std::vector<Entry> acknowledged_;
  std::vector<std::string> failures_;
  std::thread thread_;
};

// Entries as text, so that a failed comparison shows which entry differs.
std::vector<std::string> described(const std::vector<Entry>& list) {
  std::vector<std::string> result;
  for (const Entry& entry : list) result.push_back(testing::describe(entry));
  return result;
}

bool wait_for_answers(const BystanderClient& client, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (client.answered() < count) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

TEST_CASE(
    "an allocation failing inside a list's turn fails that request, restarts that list "
    "from disk, and leaves other lists alone",
    "[turn_exception]") {
  testing::TempDir dir;
  auto system = start_system(dir.path());
  const Date when = day("2026-11-27");
  // The fault must fire after List::add_entry changed the list in memory, so
  // that only reloading from disk undoes the change: Server::apply then builds
  // the entry's storage key, one string reserved to its full length, one
  // allocation of its length plus the NUL. A name of 200 bytes makes that an
  // allocation (211 bytes) no other code in this test makes while the fault is
  // armed: the bystander's name and titles are short.
  const std::string victim_name = "victim-" + std::string(193, 'v');
  const std::size_t key_allocation = StorageLayout::entry_key(victim_name, 1).size() + 1;

  auto victim = system->cache().server_process(victim_name);
  auto bystander = system->cache().server_process("bystander");
  std::vector<Entry> victim_acknowledged;
  for (const char* title : {"milk", "bread", "eggs"}) {
    victim_acknowledged.push_back({add(*victim, "2026-11-27", title), when, title, false});
  }
  const std::vector<Entry> bystander_before{
      {add(*bystander, "2026-11-27", "gym"), when, "gym", false}};
  REQUIRE(described(entries(*victim)) == described(victim_acknowledged));
  REQUIRE(described(entries(*bystander)) == described(bystander_before));

  BystanderClient client(bystander, when);
  REQUIRE(wait_for_answers(client, 5));
  const std::uint64_t restarts_before = system->counters().actor_restarts.load();
  // Built before arming: only the actor's turn may make the armed allocation.
  AddEntry doomed_add{when, "never stored"};
  armed_size.store(key_allocation);
  ListResult failed = call(*victim, std::move(doomed_add));
  const std::size_t answered_at_fault = client.answered();
  // A fault that did not fire in the turn must not fire later, elsewhere.
  armed_size.store(0);

  REQUIRE(has_fault_fired.load());
  CHECK(system->counters().actor_restarts.load() == restarts_before + 1);
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == StatusCode::internal);
  CHECK(failed.error().message == "list " + quoted_for_message(victim_name) +
                                      " failed and was restarted from disk: std::bad_alloc");

  // Reloaded from disk: the acknowledged entries and not the failed one,
  // which was in memory when the fault fired. That add stored nothing, so the
  // next id is the one after the last acknowledged, and no id is reused.
  CHECK(described(entries(*victim)) == described(victim_acknowledged));
  victim_acknowledged.push_back({add(*victim, "2026-11-27", "butter"), when, "butter", false});
  CHECK(victim_acknowledged.back().id == 4);
  CHECK(described(entries(*victim)) == described(victim_acknowledged));

  REQUIRE(wait_for_answers(client, answered_at_fault + 5));
  client.stop();
  CHECK(client.failures().empty());
  std::vector<Entry> bystander_acknowledged = bystander_before;
  bystander_acknowledged.insert(bystander_acknowledged.end(), client.acknowledged().begin(),
                                client.acknowledged().end());
  CHECK(described(entries(*bystander)) == described(bystander_acknowledged));
  CHECK(system->counters().actor_restarts.load() == restarts_before + 1);

  victim.reset();
  bystander.reset();
  REQUIRE(system->shutdown());
  system.reset();
  system = start_system(dir.path());
  CHECK(described(entries(*system->cache().server_process(victim_name))) ==
        described(victim_acknowledged));
  CHECK(described(entries(*system->cache().server_process("bystander"))) ==
        described(bystander_acknowledged));
}

}  // namespace todo
