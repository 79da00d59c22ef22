#include "bench/load_generator.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "bench/zmtp_connection.hpp"

namespace todo::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A request id carries the slot it was sent from in its low 16 bits, so a
// reply finds its send time without a map, whatever order replies come in.
constexpr std::uint64_t kSlotBits = 16;
constexpr std::uint64_t kSlotMask = (1u << kSlotBits) - 1;

// Generous for a connection on this machine, short enough that a peer that is
// not todod (or a todod that hangs) ends the run with a reason.
constexpr std::chrono::milliseconds kHandshakeTimeout{5'000};

struct Connection {
  std::unique_ptr<ZmtpConnection> peer;
  bool is_waiting_to_send = false;         // registered for EPOLLOUT
  std::vector<Clock::time_point> sent_at;  // by slot
  std::vector<bool> is_read;               // by slot
  std::vector<std::size_t> free_slots;
  std::uint64_t sequence = 0;
};

struct EpollDescriptor {
  explicit EpollDescriptor(int opened) : fd(opened) {}
  EpollDescriptor(const EpollDescriptor&) = delete;
  EpollDescriptor& operator=(const EpollDescriptor&) = delete;
  ~EpollDescriptor() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
};

double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

// One LoadGenerator::run(): the connections, the epoll set that waits on them,
// and what their replies tally. A step that fails leaves its reason in the
// result's error, which finish() then returns instead of figures.
class LoadRun {
 public:
  explicit LoadRun(const LoadOptions& options)
      : options_(options),
        workload_(options.workload, 42),
        epoll_(::epoll_create1(EPOLL_CLOEXEC)) {}

  // Opens the connections and fills each one's window of requests. False
  // when a connection cannot be opened or the first requests not sent.
  bool start();
  // Takes replies, each answered with the next request, until the warm-up
  // and the measured window have passed or a connection failed.
  void measure();
  // The figures of the measured window, or the error that ended the run.
  LoadResult finish();

 private:
  bool open_connections();
  // Whether connection `index` is watched for room to send as well as for
  // replies.
  bool watch(std::size_t index, bool for_sending, int operation);
  void send_one(Connection& connection);
  // Sends what the connection queued; watches for room when the socket took
  // only part of it, and stops watching once all of it went.
  bool send_queued(std::size_t index);
  // Reads what arrived on one ready connection and sends what that frees.
  bool serve(const epoll_event& event);
  // Checks one reply, times it when it came in the measured window, and
  // queues the next request in the slot it frees.
  void take_reply(Connection& connection, std::string_view message);

  const LoadOptions& options_;
  Workload workload_;
  const EpollDescriptor epoll_;
  std::vector<std::unique_ptr<Connection>> connections_;
  LoadResult result_;
  std::vector<double> latencies_us_;
  Clock::time_point measure_from_;
  Clock::time_point measure_until_;
};

bool LoadRun::start() {
  if (epoll_.fd < 0) {
    result_.error = std::string("epoll_create1: ") + std::strerror(errno);
    return false;
  }
  if (!open_connections()) return false;
  for (std::size_t c = 0; c < connections_.size(); ++c) {
    while (!connections_[c]->free_slots.empty()) send_one(*connections_[c]);
    if (!send_queued(c)) return false;
  }
  return true;
}

bool LoadRun::open_connections() {
  for (std::size_t c = 0; c < options_.connections; ++c) {
    auto connection = std::make_unique<Connection>();
    connection->peer = ZmtpConnection::open(options_.endpoint, kHandshakeTimeout, result_.error);
    if (!connection->peer) return false;
    connection->sent_at.resize(options_.in_flight);
    connection->is_read.resize(options_.in_flight);
    for (std::size_t slot = 0; slot < options_.in_flight; ++slot) {
      connection->free_slots.push_back(slot);
    }
    connections_.push_back(std::move(connection));
    if (!watch(c, false, EPOLL_CTL_ADD)) return false;
  }
  return true;
}

bool LoadRun::watch(std::size_t index, bool for_sending, int operation) {
  epoll_event event{};
  event.events = for_sending ? EPOLLIN | EPOLLOUT : EPOLLIN;
  event.data.u64 = index;
  if (::epoll_ctl(epoll_.fd, operation, connections_[index]->peer->fd(), &event) != 0) {
    result_.error = std::string("epoll_ctl: ") + std::strerror(errno);
    return false;
  }
  connections_[index]->is_waiting_to_send = for_sending;
  return true;
}

void LoadRun::send_one(Connection& connection) {
  const std::size_t slot = connection.free_slots.back();
  connection.free_slots.pop_back();
  bool is_read = false;
  const std::uint64_t id = (++connection.sequence << kSlotBits) | slot;
  const std::string request = workload_.next_request(id, is_read);
  connection.is_read[slot] = is_read;
  connection.sent_at[slot] = Clock::now();
  connection.peer->queue(request);
}

bool LoadRun::send_queued(std::size_t index) {
  Connection& connection = *connections_[index];
  if (!connection.peer->flush(result_.error)) return false;
  if (connection.peer->has_unsent() == connection.is_waiting_to_send) return true;
  return watch(index, connection.peer->has_unsent(), EPOLL_CTL_MOD);
}

void LoadRun::measure() {
  const auto start = Clock::now();
  measure_from_ = start + options_.warmup;
  measure_until_ = measure_from_ + options_.duration;
  std::vector<epoll_event> events(connections_.size());
  for (auto now = start; now < measure_until_ && result_.error.empty(); now = Clock::now()) {
    const int ready = ::epoll_wait(epoll_.fd, events.data(), static_cast<int>(events.size()), 100);
    for (int e = 0; e < ready && result_.error.empty(); ++e) {
      if (!serve(events[e])) break;
    }
  }
}

bool LoadRun::serve(const epoll_event& event) {
  const std::size_t index = event.data.u64;
  Connection& connection = *connections_[index];
  const auto on_reply = [&](std::string_view message) { take_reply(connection, message); };
  if ((event.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 &&
      !connection.peer->receive(on_reply, result_.error)) {
    return false;
  }
  return send_queued(index);
}

void LoadRun::take_reply(Connection& connection, std::string_view message) {
  const auto received = Clock::now();
  const auto request_id = peek_request_id(message);
  if (!request_id) {
    ++result_.wrong;
    return;
  }
  const std::size_t slot = *request_id & kSlotMask;
  if (slot >= options_.in_flight) {
    ++result_.wrong;
    return;
  }
  // Wrong answers count whenever they come, as undecodable ones do.
  if (!Workload::is_right_reply(message, connection.is_read[slot])) ++result_.wrong;
  if (received >= measure_from_ && received < measure_until_) {
    ++result_.completed;
    latencies_us_.push_back(
        std::chrono::duration<double, std::micro>(received - connection.sent_at[slot]).count());
  }
  connection.free_slots.push_back(slot);
  send_one(connection);
}

LoadResult LoadRun::finish() {
  if (!result_.error.empty()) return result_;
  std::sort(latencies_us_.begin(), latencies_us_.end());
  result_.seconds = std::chrono::duration<double>(options_.duration).count();
  result_.ops_per_second = static_cast<double>(result_.completed) / result_.seconds;
  result_.p50_us = percentile(latencies_us_, 0.50);
  result_.p99_us = percentile(latencies_us_, 0.99);
  result_.p999_us = percentile(latencies_us_, 0.999);
  return result_;
}

}  // namespace

bool LoadGenerator::prepare(std::string& error) {
  if (options_.workload == Workload::Kind::add) return true;
  auto peer = ZmtpConnection::open(options_.endpoint, kHandshakeTimeout, error);
  if (!peer) return false;
  Workload workload(Workload::Kind::add, 7);
  const std::vector<Command> commands = workload.fill_commands();
  constexpr std::size_t kWindow = 1024;
  std::size_t sent = 0;
  std::size_t answered = 0;
  std::string refusal;
  const auto on_reply = [&](std::string_view message) {
    auto reply = decode_reply(message);
    if (refusal.empty() && (!reply || reply.value().status != StatusCode::ok)) {
      refusal = reply ? reply.value().message : reply.error().message;
    }
    ++answered;
  };
  while (answered < commands.size()) {
    while (sent < commands.size() && sent - answered < kWindow) {
      peer->queue(encode_request({sent + 1, commands[sent]}));
      ++sent;
    }
    if (!peer->flush(error)) return false;
    pollfd item{peer->fd(), static_cast<short>(POLLIN | (peer->has_unsent() ? POLLOUT : 0)), 0};
    if (::poll(&item, 1, 10'000) == 0) {
      error = "no reply from " + options_.endpoint + " while filling the read lists";
      return false;
    }
    if ((item.revents & (POLLIN | POLLHUP | POLLERR)) != 0 && !peer->receive(on_reply, error)) {
      return false;
    }
    if (!refusal.empty()) {
      error = "filling the read lists at " + options_.endpoint + " failed: " + refusal;
      return false;
    }
  }
  return true;
}

LoadResult LoadGenerator::run() {
  LoadRun run(options_);
  if (run.start()) run.measure();
  return run.finish();
}

}  // namespace todo::bench
