#include "bench/load_generator.hpp"

#include <algorithm>
#include <memory>
#include <zmq.hpp>

namespace todo::bench {
namespace {

using Clock = std::chrono::steady_clock;

// A request id carries the slot it was sent from in its low 16 bits, so a
// reply finds its send time without a map, whatever order replies come in.
constexpr std::uint64_t kSlotBits = 16;
constexpr std::uint64_t kSlotMask = (1u << kSlotBits) - 1;

struct Connection {
  explicit Connection(zmq::context_t& context) : socket(context, zmq::socket_type::dealer) {}
  zmq::socket_t socket;
  std::vector<Clock::time_point> sent_at;  // by slot
  std::vector<bool> is_read;               // by slot
  std::vector<std::size_t> free_slots;
  std::uint64_t sequence = 0;
};

double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(fraction * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

}  // namespace

bool LoadGenerator::prepare(std::string& error) {
  if (options_.workload == Workload::Kind::add) return true;
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(options_.endpoint);
  Workload workload(Workload::Kind::add, 7);
  const std::vector<Command> commands = workload.fill_commands();
  constexpr std::size_t kWindow = 1024;
  std::size_t sent = 0;
  std::size_t answered = 0;
  while (answered < commands.size()) {
    while (sent < commands.size() && sent - answered < kWindow) {
      socket.send(zmq::buffer(encode_request({sent + 1, commands[sent]})), zmq::send_flags::none);
      ++sent;
    }
    std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
    if (zmq::poll(items, std::chrono::milliseconds(10'000)) == 0) {
      error = "no reply while filling the read lists";
      return false;
    }
    zmq::message_t message;
    while (socket.recv(message, zmq::recv_flags::dontwait)) {
      auto reply = decode_reply(message.to_string_view());
      if (!reply || reply.value().status != StatusCode::ok) {
        error = "filling the read lists failed: " +
                (reply ? reply.value().message : reply.error().message);
        return false;
      }
      ++answered;
    }
  }
  return true;
}

LoadResult LoadGenerator::run() {
  zmq::context_t context(1);
  Workload workload(options_.workload, 42);
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<zmq::pollitem_t> items;
  for (std::size_t c = 0; c < options_.connections; ++c) {
    auto connection = std::make_unique<Connection>(context);
    connection->socket.set(zmq::sockopt::linger, 0);
    connection->socket.connect(options_.endpoint);
    connection->sent_at.resize(options_.in_flight);
    connection->is_read.resize(options_.in_flight);
    for (std::size_t slot = 0; slot < options_.in_flight; ++slot) {
      connection->free_slots.push_back(slot);
    }
    items.push_back({connection->socket.handle(), 0, ZMQ_POLLIN, 0});
    connections.push_back(std::move(connection));
  }

  const auto send_one = [&](Connection& connection) {
    const std::size_t slot = connection.free_slots.back();
    connection.free_slots.pop_back();
    bool is_read = false;
    const std::uint64_t id = (++connection.sequence << kSlotBits) | slot;
    const std::string request = workload.next_request(id, is_read);
    connection.is_read[slot] = is_read;
    connection.sent_at[slot] = Clock::now();
    connection.socket.send(zmq::buffer(request), zmq::send_flags::none);
  };
  for (auto& connection : connections) {
    while (!connection->free_slots.empty()) send_one(*connection);
  }

  LoadResult result;
  std::vector<double> latencies_us;
  const auto start = Clock::now();
  const auto measure_from = start + options_.warmup;
  const auto measure_until = measure_from + options_.duration;
  zmq::message_t message;
  for (auto now = start; now < measure_until; now = Clock::now()) {
    zmq::poll(items, std::chrono::milliseconds(100));
    for (std::size_t c = 0; c < connections.size(); ++c) {
      if ((items[c].revents & ZMQ_POLLIN) == 0) continue;
      Connection& connection = *connections[c];
      while (connection.socket.recv(message, zmq::recv_flags::dontwait)) {
        const auto received = Clock::now();
        const auto request_id = peek_request_id(message.to_string_view());
        if (!request_id) {
          ++result.wrong;
          continue;
        }
        const std::size_t slot = *request_id & kSlotMask;
        if (slot >= options_.in_flight) {
          ++result.wrong;
          continue;
        }
        // Wrong answers count whenever they come, as undecodable ones do.
        if (!Workload::is_right_reply(message.to_string_view(), connection.is_read[slot])) {
          ++result.wrong;
        }
        if (received >= measure_from && received < measure_until) {
          ++result.completed;
          latencies_us.push_back(
              std::chrono::duration<double, std::micro>(received - connection.sent_at[slot])
                  .count());
        }
        connection.free_slots.push_back(slot);
        send_one(connection);
      }
    }
  }
  std::sort(latencies_us.begin(), latencies_us.end());
  result.seconds = std::chrono::duration<double>(options_.duration).count();
  result.ops_per_second = static_cast<double>(result.completed) / result.seconds;
  result.p50_us = percentile(latencies_us, 0.50);
  result.p99_us = percentile(latencies_us, 0.99);
  result.p999_us = percentile(latencies_us, 0.999);
  return result;
}

}  // namespace todo::bench
