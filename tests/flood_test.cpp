// A flood of 1,000,000 requests into a real todod from clients that never read
// a reply. The daemon must push back (busy answers, a full ZeroMQ pipe that
// blocks the sender) instead of holding the flood in memory, and it must keep
// answering a normal client during the flood and after it.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "common/protocol.hpp"
#include "common/resident_memory.hpp"
#include "running_daemon.hpp"
#include "sanitizer_allowance.hpp"

namespace todo {
namespace {

using namespace std::chrono_literals;
using testing::count_of;
using testing::DaemonPlace;
using testing::ping_field;
using testing::run_todo;
using testing::run_todo_ok;
using testing::RunningDaemon;

constexpr std::size_t kFloodRequests = 1'000'000;
constexpr std::size_t kFloodClients = 4;
// One request in kAddEvery is an add, the rest read. Adds are writes that
// grow the lists for real and wait for their group's write; a tenth keeps them
// to 100,000 entries, so what they rightly cost cannot hide a queue. Reads need
// no disk, but each is answered with kEntriesPerReadList entries: slow enough
// that the actors fall behind the flood and the 100,000 requests in progress
// are reached (busy), and large enough that holding the replies a client never
// takes would show.
constexpr std::size_t kAddEvery = 10;
constexpr std::size_t kFloodLists = 16;
constexpr std::size_t kEntriesPerReadList = 50;
// A send that cannot go at once is pushed back: it waits for room, kSendTimeout
// at a time so that the deadline is looked at; a daemon that stopped reading
// fails the test instead of hanging it.
constexpr auto kSendTimeout = 100ms;
constexpr auto kFloodDeadline = 150s;

constexpr std::uint64_t kMiB = 1 << 20;
// What todod may hold for the flood, from its limits:
// - requests in progress: at most 100,000 (the default of
//   --max-requests-in-progress), each a queued message with its callbacks and
//   the client's routing id, or its reply on the way out: < 1 KiB each, 100 MiB;
// - ZeroMQ's pipes, per flood client: 1,000 requests of < 100 bytes and 4,096
//   replies of kEntriesPerReadList entries (< 2 KiB) (daemon/service/listener.cpp),
//   33 MiB for 4 clients;
// - what the flood adds for real: 100,000 entries at most, each in its list
//   and in RocksDB's memtable, < 500 bytes, 48 MiB.
// A daemon that held the flood instead would need about 1 KiB for each of a
// million requests, and 2 KiB for each reply it keeps for a client that does
// not read: pipes of 100,000 messages a client each way, or no limits, would
// take it far past kAllowedGrowth.
// Sanitizers add their own (sanitizer_allowance.hpp).
constexpr std::uint64_t kAllowedGrowth = testing::sanitized_growth(192 * kMiB);

std::string add_list(std::size_t index) { return "flood-add-" + std::to_string(index); }
std::string read_list(std::size_t index) { return "flood-read-" + std::to_string(index); }

struct FloodTally {
  std::size_t sent = 0;
  std::size_t pushed_back = 0;  // sends that found the way to todod full and waited
};

// Sends requests [first, first + count) of the flood on socket and never
// reads. The same few encoded requests go again and again: todod answers each
// anew, and encoding a million would only slow the flood down.
FloodTally flood(zmq::socket_t& socket, std::size_t first, std::size_t count,
                 std::chrono::steady_clock::time_point deadline) {
  std::vector<std::string> adds;
  std::vector<std::string> reads;
  for (std::size_t list = 0; list < kFloodLists; ++list) {
    adds.push_back(encode_request(
        {list, ListCommand{add_list(list),
                           AddEntry{Date::parse("2026-11-27").value(), "flooded entry"}}}));
    reads.push_back(encode_request({list, ListCommand{read_list(list), GetEntries{}}}));
  }
  FloodTally tally;
  for (std::size_t i = first; i < first + count; ++i) {
    const std::string& request =
        i % kAddEvery == 0 ? adds[i / kAddEvery % kFloodLists] : reads[i % kFloodLists];
    if (!socket.send(zmq::buffer(request), zmq::send_flags::dontwait)) {
      ++tally.pushed_back;
      while (!socket.send(zmq::buffer(request), zmq::send_flags::none)) {
        if (std::chrono::steady_clock::now() > deadline) return tally;
      }
    }
    ++tally.sent;
  }
  return tally;
}

struct Call {
  int exit_code = -1;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

bool is_answered(const Call& call) {
  return call.exit_code == 0 ||
         (call.exit_code == 1 && call.err.find("todod is overloaded") != std::string::npos);
}

}  // namespace

TEST_CASE(
    "a flood of 1,000,000 requests that are never read leaves memory bounded and a normal "
    "client served",
    "[backpressure]") {
  DaemonPlace place;
  // --no-sync: the flood is about what todod holds, not about the disk; with an
  // fsync per group the run time would follow the machine's disk.
  RunningDaemon daemon(place.data_dir(), place.endpoint(), {"--no-sync"});
  const pid_t pid = daemon.process().pid();
  std::ostringstream fill;
  for (std::size_t list = 0; list < kFloodLists; ++list) {
    for (std::size_t i = 0; i < kEntriesPerReadList; ++i) {
      fill << "add " << read_list(list) << " 2026-11-27 entry-" << i << "\n";
    }
  }
  REQUIRE(run_todo(daemon.endpoint(), {"batch"}, fill.str()).exit_code == 0);
  const std::uint64_t baseline = resident_bytes(pid);

  // jthreads: a failed REQUIRE below must stop and join them, not terminate.
  std::atomic<std::uint64_t> peak{baseline};
  std::jthread sampler([&](std::stop_token stop) {
    while (!stop.stop_requested()) {
      peak = std::max(peak.load(), resident_bytes(pid));
      std::this_thread::sleep_for(10ms);
    }
  });
  // A normal client on a list of its own, adding one entry at a time. The
  // timeout is generous for sanitizer builds; what must not happen is no
  // answer at all.
  std::vector<Call> calls;
  std::jthread normal_client([&](std::stop_token stop) {
    for (int i = 0; !stop.stop_requested(); ++i) {
      const auto output = run_todo(
          daemon.endpoint(),
          {"--timeout", "30000", "add", "watcher", "2026-11-27", "during-" + std::to_string(i)});
      calls.push_back({output.exit_code, output.err, output.elapsed});
    }
  });

  const auto started = std::chrono::steady_clock::now();
  zmq::context_t context(1);
  std::vector<zmq::socket_t> sockets;
  for (std::size_t c = 0; c < kFloodClients; ++c) {
    zmq::socket_t& socket = sockets.emplace_back(context, zmq::socket_type::dealer);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndtimeo, static_cast<int>(kSendTimeout.count()));
    socket.connect(daemon.endpoint());
  }
  std::vector<FloodTally> tallies(kFloodClients);
  {
    std::vector<std::jthread> flooders;
    for (std::size_t c = 0; c < kFloodClients; ++c) {
      flooders.emplace_back([&, c] {
        const std::size_t share = kFloodRequests / kFloodClients;
        tallies[c] = flood(sockets[c], c * share, share, started + kFloodDeadline);
      });
    }
  }
  std::size_t sent = 0;
  std::size_t pushed_back = 0;
  for (const FloodTally& tally : tallies) {
    sent += tally.sent;
    pushed_back += tally.pushed_back;
  }
  normal_client.request_stop();
  normal_client.join();
  REQUIRE(sent == kFloodRequests);

  // The last of the flood still waits in the pipes: once todod has read it,
  // every request was answered once, served or refused busy (pings count
  // themselves as served).
  const std::size_t filled = kFloodLists * kEntriesPerReadList;
  std::size_t pings = 0;
  std::string ping;
  for (const auto give_up = std::chrono::steady_clock::now() + 60s;
       std::chrono::steady_clock::now() < give_up; std::this_thread::sleep_for(100ms)) {
    ping = run_todo_ok(daemon.endpoint(), {"--json", "ping"});
    ++pings;
    const std::uint64_t answered =
        ping_field(ping, "requests_served") + ping_field(ping, "busy_refusals");
    if (answered >= kFloodRequests + filled + calls.size() + pings) break;
  }
  const auto flooded = std::chrono::steady_clock::now() - started;
  sampler.request_stop();
  sampler.join();
  sockets.clear();
  context.close();
  ping = run_todo_ok(daemon.endpoint(), {"--json", "ping"});
  ++pings;
  CHECK(ping_field(ping, "requests_served") + ping_field(ping, "busy_refusals") ==
        kFloodRequests + filled + calls.size() + pings);
  CHECK(ping_field(ping, "errors") == ping_field(ping, "busy_refusals"));

  std::size_t acknowledged = 0;
  std::chrono::milliseconds slowest{0};
  for (const Call& call : calls) {
    INFO("todo add during the flood: exit " << call.exit_code << ", " << call.err);
    CHECK(is_answered(call));
    if (call.exit_code == 0) ++acknowledged;
    slowest = std::max(slowest, call.elapsed);
  }
  CHECK(acknowledged > 0);
  run_todo_ok(daemon.endpoint(), {"add", "watcher", "2026-11-27", "after"});
  const std::string watched = run_todo_ok(daemon.endpoint(), {"entries", "watcher"});
  CHECK(count_of(watched, "\n") == acknowledged + 1);
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].exit_code == 0)
      CHECK(count_of(watched, " during-" + std::to_string(i) + "\n") == 1);
  }

  std::cout << "flood of " << kFloodRequests << ": "
            << std::chrono::duration_cast<std::chrono::milliseconds>(flooded).count() << " ms, "
            << pushed_back << " sends pushed back, " << ping_field(ping, "busy_refusals")
            << " busy; todod resident " << baseline / kMiB << " MiB before, " << peak / kMiB
            << " MiB at most (allowed " << (baseline + kAllowedGrowth) / kMiB << "); normal client "
            << acknowledged << " of " << calls.size() << " adds acknowledged, slowest "
            << slowest.count() << " ms\n";
  CHECK(peak <= baseline + kAllowedGrowth);
}

}  // namespace todo
