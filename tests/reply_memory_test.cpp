// The memory of replies waiting for their clients (issue 14, item 3): reads of
// a big list pipelined by a client that does not read the answers used to
// cost todod two copies of the list's entries per read, held by ZeroMQ until
// the client read them, and a 2 GB cgroup's worth after a few hundred. Here:
// every read of an unchanged list sends the one encoding the list's actor
// made, and reads past --max-reply-memory are answered busy.
#include "daemon/service/reply_memory.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "common/protocol.hpp"
#include "common/resident_memory.hpp"
#include "running_daemon.hpp"
#include "sanitizer_allowance.hpp"

namespace todo {
namespace {

using testing::DaemonPlace;
using testing::ping_field;
using testing::run_todo;
using testing::run_todo_ok;
using testing::RunningDaemon;

constexpr int kEntries = 50'000;
constexpr std::size_t kTitleBytes = 100;
// About what one read of the list answers: each entry is 21 bytes and its title.
constexpr std::size_t kReplyBytes = kEntries * (21 + kTitleBytes);
constexpr std::size_t kMiB = 1 << 20;
// What todod's resident memory may grow by with the replies waiting: their
// heads and the shared encoding, or (the second case) the two or three the
// bound lets through, about 20 MiB, and malloc's keeping. One copy per reply
// would be 300 x 6 MB. Sanitizers add their own (sanitizer_allowance.hpp).
constexpr std::uint64_t kAllowedGrowth = testing::sanitized_growth(100 * kMiB);

void fill_big_list(const std::string& endpoint) {
  std::string adds;
  for (int i = 0; i < kEntries; ++i) {
    std::string title = "entry " + std::to_string(i) + " ";
    title.resize(kTitleBytes, 'x');
    adds += "add big 2026-12-02 " + title + "\n";
  }
  const auto batch = run_todo(endpoint, {"batch"}, adds, std::chrono::seconds(120));
  REQUIRE(batch.exit_code == 0);
}

std::uint64_t requests_served(const std::string& endpoint) {
  return ping_field(run_todo_ok(endpoint, {"--json", "ping"}), "requests_served");
}

// A client that pipelines requests and reads nothing until asked: ZeroMQ
// takes one reply in (rcvhwm 1), and the socket's buffers a little more, so
// the rest wait in todod.
class SlowReader {
 public:
  explicit SlowReader(const std::string& endpoint) : socket_(context_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvhwm, 1);
    socket_.set(zmq::sockopt::rcvbuf, 64 * 1024);
    socket_.connect(endpoint);
  }

  void send(std::uint64_t id, ListOperation operation) {
    const std::string bytes = encode_request(Request{id, ListCommand{"big", std::move(operation)}});
    REQUIRE(socket_.send(zmq::buffer(bytes), zmq::send_flags::none));
  }

  // The next reply, its frames joined.
  Reply receive() {
    std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, std::chrono::seconds(20));
    std::string bytes;
    zmq::message_t frame;
    do {
      REQUIRE(socket_.recv(frame, zmq::recv_flags::dontwait));
      bytes.append(frame.to_string_view());
    } while (frame.more());
    auto reply = decode_reply(bytes);
    REQUIRE(reply.ok());
    return std::move(reply).value();
  }

 private:
  zmq::context_t context_{1};
  zmq::socket_t socket_;
};

// Until todod has answered `count` requests more than when requests_served
// said `before` (each ping counting itself), and a moment for its I/O thread
// to hand the answers to ZeroMQ.
void wait_until_answered(const std::string& endpoint, std::uint64_t before, std::uint64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (std::uint64_t pings = 1; requests_served(endpoint) < before + count + pings &&
                                std::chrono::steady_clock::now() < deadline;
       ++pings) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
}

std::size_t entry_count(const Reply& reply) {
  return std::get<std::vector<Entry>>(reply.payload).size();
}

}  // namespace

TEST_CASE("reads of an unchanged big list share one encoding", "[reply memory]") {
  DaemonPlace place;
  RunningDaemon daemon(place.data_dir(), place.endpoint(), {"--no-sync"});
  fill_big_list(daemon.endpoint());
  // The first read encodes the list; the actor keeps the encoding.
  REQUIRE(run_todo(daemon.endpoint(), {"entries", "big"}).exit_code == 0);
  const std::uint64_t resident_before = resident_bytes(daemon.process().pid());
  const std::uint64_t served_before = requests_served(daemon.endpoint());

  constexpr int kReads = 300;
  SlowReader reader(daemon.endpoint());
  for (int i = 1; i <= kReads; ++i) reader.send(i, GetEntries{});
  wait_until_answered(daemon.endpoint(), served_before, kReads);
  const std::uint64_t resident_during = resident_bytes(daemon.process().pid());
  INFO("resident before " << resident_before / kMiB << " MiB, with " << kReads
                          << " replies waiting " << resident_during / kMiB << " MiB");
  // Each reply a copy of its own: 300 x 6 MB. One shared: the replies' heads.
  CHECK(resident_during < resident_before + kAllowedGrowth);

  int answered = 0;
  for (int i = 0; i < kReads; ++i) {
    const Reply reply = reader.receive();
    REQUIRE(reply.status == StatusCode::ok);
    if (i % 50 == 0) CHECK(entry_count(reply) == kEntries);
    ++answered;
  }
  CHECK(answered == kReads);
}

TEST_CASE("reads past --max-reply-memory are answered busy while changes are not",
          "[reply memory]") {
  DaemonPlace place;
  // A quarter of it, 16 MiB, per connection: two replies of the list.
  RunningDaemon daemon(place.data_dir(), place.endpoint(),
                       {"--no-sync", "--max-reply-memory", "64MiB"});
  fill_big_list(daemon.endpoint());
  const std::uint64_t resident_before = resident_bytes(daemon.process().pid());
  const std::uint64_t served_before = requests_served(daemon.endpoint());

  // Each read follows a change, so each is a new encoding of its own.
  constexpr int kRounds = 40;
  SlowReader reader(daemon.endpoint());
  for (int i = 0; i < kRounds; ++i) {
    reader.send(2 * i + 1, AddEntry{Date::parse("2026-12-03").value(), "one more"});
    reader.send(2 * i + 2, GetEntries{});
  }
  wait_until_answered(daemon.endpoint(), served_before, 2 * kRounds);
  const std::uint64_t resident_during = resident_bytes(daemon.process().pid());
  INFO("resident before " << resident_before / kMiB << " MiB, with the replies waiting "
                          << resident_during / kMiB << " MiB");
  CHECK(resident_during < resident_before + kAllowedGrowth);

  int added = 0;
  int read = 0;
  int busy = 0;
  for (int i = 0; i < 2 * kRounds; ++i) {
    const Reply reply = reader.receive();
    if (reply.request_id % 2 == 1) {
      CHECK(reply.status == StatusCode::ok);
      added += reply.status == StatusCode::ok;
    } else if (reply.status == StatusCode::ok) {
      // Each read shows the adds before it: none got an older encoding.
      CHECK(entry_count(reply) == kEntries + reply.request_id / 2);
      ++read;
    } else {
      CHECK(reply.status == StatusCode::busy);
      CHECK_THAT(reply.message, Catch::Contains("waiting for this client to read them"));
      ++busy;
    }
  }
  CHECK(added == kRounds);
  CHECK(read >= 1);
  CHECK(busy >= kRounds - 4);
  // With every reply read, nothing is held for the connection any more.
  reader.send(1000, GetEntries{});
  const Reply last = reader.receive();
  REQUIRE(last.status == StatusCode::ok);
  CHECK(entry_count(last) == kEntries + kRounds);
  CHECK(ping_field(run_todo_ok(daemon.endpoint(), {"--json", "ping"}), "busy_refusals") ==
        static_cast<std::uint64_t>(busy));
  // Nothing was lost: every add is there.
  const auto entries = run_todo(daemon.endpoint(), {"entries", "big", "2026-12-03"});
  CHECK(testing::count_of(entries.out, "one more") == kRounds);
}

TEST_CASE("reply memory counts a shared buffer once and lets a lone reply through",
          "[reply memory]") {
  ReplyMemory memory({.total = 100, .per_connection = 40});
  // a: shared; b: shared and other; c: other.
  const std::string shared(30, 's');
  const std::string other(30, 'o');
  const ReplyMemory::Claim a_shared{"a", shared.data(), shared.size()};
  CHECK_FALSE(memory.try_hold(a_shared));
  CHECK_FALSE(memory.try_hold(a_shared));  // the same bytes again: no more memory
  CHECK(memory.connection_bytes("a") == 30);
  // 30 more for "a" would pass its 40.
  const auto refused = memory.try_hold({"a", other.data(), other.size()});
  REQUIRE(refused);
  CHECK(refused->is_per_connection);
  CHECK(refused->held == 30);
  // Another connection reading the same bytes costs the total nothing.
  CHECK_FALSE(memory.try_hold({"b", shared.data(), shared.size()}));
  CHECK(memory.total_bytes() == 30);
  CHECK_FALSE(memory.try_hold({"c", other.data(), other.size()}));
  CHECK(memory.total_bytes() == 60);
  memory.release(a_shared);
  CHECK(memory.connection_bytes("a") == 30);
  memory.release(a_shared);
  CHECK(memory.connection_bytes("a") == 0);
  CHECK(memory.total_bytes() == 60);  // "b" and "c" still hold both
  // A reply bigger than a bound still goes to a connection that holds nothing,
  // but not past the total while others hold some.
  const std::string huge(500, 'h');
  const auto over_total = memory.try_hold({"d", huge.data(), huge.size()});
  REQUIRE(over_total);
  CHECK_FALSE(over_total->is_per_connection);
  CHECK(over_total->held == 60);
  memory.release({"b", shared.data(), shared.size()});
  memory.release({"c", other.data(), other.size()});
  CHECK(memory.total_bytes() == 0);
  CHECK_FALSE(memory.try_hold({"d", huge.data(), huge.size()}));
  CHECK(memory.total_bytes() == 500);
  CHECK(memory.connection_bytes("d") == 500);
}

}  // namespace todo
