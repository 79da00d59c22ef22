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
  LoadResult result;
  Workload workload(options_.workload, 42);
  std::vector<std::unique_ptr<Connection>> connections;
  const EpollDescriptor epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (epoll.fd < 0) {
    result.error = std::string("epoll_create1: ") + std::strerror(errno);
    return result;
  }
  // Whether `index` is watched for room to send as well as for replies.
  const auto watch = [&](std::size_t index, bool for_sending, int operation) {
    epoll_event event{};
    event.events = for_sending ? EPOLLIN | EPOLLOUT : EPOLLIN;
    event.data.u64 = index;
    if (::epoll_ctl(epoll.fd, operation, connections[index]->peer->fd(), &event) != 0) {
      result.error = std::string("epoll_ctl: ") + std::strerror(errno);
      return false;
    }
    connections[index]->is_waiting_to_send = for_sending;
    return true;
  };
  for (std::size_t c = 0; c < options_.connections; ++c) {
    auto connection = std::make_unique<Connection>();
    connection->peer = ZmtpConnection::open(options_.endpoint, kHandshakeTimeout, result.error);
    if (!connection->peer) return result;
    connection->sent_at.resize(options_.in_flight);
    connection->is_read.resize(options_.in_flight);
    for (std::size_t slot = 0; slot < options_.in_flight; ++slot) {
      connection->free_slots.push_back(slot);
    }
    connections.push_back(std::move(connection));
    if (!watch(c, false, EPOLL_CTL_ADD)) return result;
  }

  const auto send_one = [&](Connection& connection) {
    const std::size_t slot = connection.free_slots.back();
    connection.free_slots.pop_back();
    bool is_read = false;
    const std::uint64_t id = (++connection.sequence << kSlotBits) | slot;
    const std::string request = workload.next_request(id, is_read);
    connection.is_read[slot] = is_read;
    connection.sent_at[slot] = Clock::now();
    connection.peer->queue(request);
  };
  // Sends what the connection queued; watches for room when the socket took
  // only part of it, and stops watching once all of it went.
  const auto send_queued = [&](std::size_t index) {
    Connection& connection = *connections[index];
    if (!connection.peer->flush(result.error)) return false;
    if (connection.peer->has_unsent() == connection.is_waiting_to_send) return true;
    return watch(index, connection.peer->has_unsent(), EPOLL_CTL_MOD);
  };
  for (std::size_t c = 0; c < connections.size(); ++c) {
    while (!connections[c]->free_slots.empty()) send_one(*connections[c]);
    if (!send_queued(c)) return result;
  }

  std::vector<double> latencies_us;
  const auto start = Clock::now();
  const auto measure_from = start + options_.warmup;
  const auto measure_until = measure_from + options_.duration;
  std::vector<epoll_event> events(connections.size());
  for (auto now = start; now < measure_until && result.error.empty(); now = Clock::now()) {
    const int ready = ::epoll_wait(epoll.fd, events.data(), static_cast<int>(events.size()), 100);
    for (int e = 0; e < ready && result.error.empty(); ++e) {
      const std::size_t index = events[e].data.u64;
      Connection& connection = *connections[index];
      const auto on_reply = [&](std::string_view message) {
        const auto received = Clock::now();
        const auto request_id = peek_request_id(message);
        if (!request_id) {
          ++result.wrong;
          return;
        }
        const std::size_t slot = *request_id & kSlotMask;
        if (slot >= options_.in_flight) {
          ++result.wrong;
          return;
        }
        // Wrong answers count whenever they come, as undecodable ones do.
        if (!Workload::is_right_reply(message, connection.is_read[slot])) ++result.wrong;
        if (received >= measure_from && received < measure_until) {
          ++result.completed;
          latencies_us.push_back(
              std::chrono::duration<double, std::micro>(received - connection.sent_at[slot])
                  .count());
        }
        connection.free_slots.push_back(slot);
        send_one(connection);
      };
      if ((events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0 &&
          !connection.peer->receive(on_reply, result.error)) {
        break;
      }
      if (!send_queued(index)) break;
    }
  }
  if (!result.error.empty()) return result;
  std::sort(latencies_us.begin(), latencies_us.end());
  result.seconds = std::chrono::duration<double>(options_.duration).count();
  result.ops_per_second = static_cast<double>(result.completed) / result.seconds;
  result.p50_us = percentile(latencies_us, 0.50);
  result.p99_us = percentile(latencies_us, 0.99);
  result.p999_us = percentile(latencies_us, 0.999);
  return result;
}

}  // namespace todo::bench
