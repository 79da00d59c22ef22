#include "bench/echo_server.hpp"

#include <cstring>
#include <stdexcept>
#include <zmq.hpp>

#include "bench/workload.hpp"

namespace todo::bench {
namespace {

// Byte offsets of the header both requests and replies start with: the byte
// order marker, the u32 version, then the u64 request id (docs/protocol.md).
constexpr std::size_t kIdOffset = 5;
constexpr std::size_t kCommandTagOffset = 13;
constexpr std::size_t kListNameOffset = 14;
constexpr std::uint8_t kListCommandTag = 1;
constexpr std::uint8_t kGetEntriesTag = 2;

bool is_read_request(const zmq::message_t& request) {
  const auto* bytes = request.data<unsigned char>();
  if (request.size() < kListNameOffset + 8 || bytes[kCommandTagOffset] != kListCommandTag) {
    return false;
  }
  // The wire is little-endian, as are the machines todo-bench runs on.
  std::uint64_t name_length = 0;
  std::memcpy(&name_length, bytes + kListNameOffset, sizeof name_length);
  const std::size_t operation_at = kListNameOffset + 8 + name_length;
  return operation_at < request.size() && bytes[operation_at] == kGetEntriesTag;
}

}  // namespace

EchoServer::EchoServer(std::string endpoint) : endpoint_(std::move(endpoint)) {
  thread_ = std::thread([this] { serve(); });
  while (!is_bound_.load()) std::this_thread::yield();
}

EchoServer::~EchoServer() {
  is_stopping_.store(true);
  thread_.join();
}

void EchoServer::serve() {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::router);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndhwm, 100'000);
  socket.set(zmq::sockopt::rcvhwm, 100'000);
  socket.set(zmq::sockopt::rcvtimeo, 100);
  socket.bind(endpoint_);
  is_bound_.store(true);
  const std::string add_reply = Workload::echo_reply(false);
  const std::string read_reply = Workload::echo_reply(true);
  std::string reply;
  while (!is_stopping_.load(std::memory_order_relaxed)) {
    zmq::message_t routing_id;
    if (!socket.recv(routing_id)) continue;
    zmq::message_t request;
    if (!socket.recv(request)) continue;
    reply = is_read_request(request) ? read_reply : add_reply;
    if (request.size() >= kIdOffset + 8) {
      std::memcpy(reply.data() + kIdOffset, request.data<char>() + kIdOffset, 8);
    }
    socket.send(routing_id, zmq::send_flags::sndmore);
    socket.send(zmq::buffer(reply), zmq::send_flags::dontwait);
  }
}

}  // namespace todo::bench
