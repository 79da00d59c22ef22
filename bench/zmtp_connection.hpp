// One DEALER peer of a ZeroMQ ROUTER that speaks ZMTP 3.0 (NULL mechanism,
// RFC 23) itself over a plain socket, ipc:// or tcp://, without libzmq: the
// client side of todo-bench. libzmq hands every message through its own I/O
// thread and polls a mailbox per socket; on the two cores that todo-bench
// shares with todod that costs more CPU per request at one in flight than
// todod's own work (docs/performance.md has the figures). redis-benchmark, its counterpart
// for Redis, is one thread writing to its sockets; so is this.
//
// The bytes of the protocol are bench/zmtp_codec.hpp's; this is the socket
// side: connecting, the handshake's waits, sending and reading.
//
// Messages are single frames, as todo's protocol has them. Frames of a
// multi-part message are delivered joined, which no reply of todod's is.
//
// Thread safety: one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bench/zmtp_codec.hpp"

namespace todo::bench {

class ZmtpConnection {
 public:
  // Connects to an ipc:// or tcp:// endpoint and completes the handshake
  // with a ROUTER, all within `timeout`. Null, with `error` naming the
  // endpoint and the cause, when it cannot.
  static std::unique_ptr<ZmtpConnection> open(const std::string& endpoint,
                                              std::chrono::milliseconds timeout,
                                              std::string& error);
  ZmtpConnection(const ZmtpConnection&) = delete;
  ZmtpConnection& operator=(const ZmtpConnection&) = delete;
  ~ZmtpConnection();

  // Non-blocking: wait on it with poll or epoll.
  int fd() const { return fd_; }

  // Queues one message; flush() sends it.
  void queue(std::string_view message);
  bool has_unsent() const { return sent_ < outgoing_.size(); }
  // Sends as much of what is queued as the socket takes now. False, with
  // `error` naming the endpoint, when the connection failed.
  bool flush(std::string& error);

  // Reads what has arrived and calls `on_message` for every whole message;
  // the view is valid during the call only. on_message may queue() but not
  // receive(). False, with `error` naming the endpoint, when the peer closed
  // the connection or broke the protocol. Unlike a libzmq socket, a
  // connection that failed stays failed: it never reconnects.
  bool receive(const std::function<void(std::string_view)>& on_message, std::string& error);

 private:
  using Clock = std::chrono::steady_clock;

  ZmtpConnection(int fd, std::string endpoint);
  bool handshake(Clock::time_point deadline, std::string& error);
  // The steps of handshake(), in order; each false, with `error`, when the
  // peer fails it or the deadline passes.
  bool send_greeting(Clock::time_point deadline, std::string& error);
  bool read_peer_greeting(Clock::time_point deadline, std::string& error);
  bool read_peer_ready(Clock::time_point deadline, std::string& error);
  // Waits for what the peer sends next and reads it.
  bool read_handshake(Clock::time_point deadline, std::string& error);
  // What flush() and receive() do, with `error` not naming the endpoint.
  bool send_some(std::string& error);
  // One recv into incoming_'s room. False when the connection failed or
  // the peer closed it.
  bool read_some(std::string& error);

  int fd_;
  std::string endpoint_;
  std::string outgoing_;
  std::size_t sent_ = 0;
  ZmtpDecoder incoming_;
};

}  // namespace todo::bench
