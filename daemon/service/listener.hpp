// todod's front door: a ZeroMQ ROUTER socket bound to every endpoint, and the
// I/O thread that owns it. The thread reads requests, decodes them and hands
// them to the RequestHandler; replies come back through the ReplyOutbox and
// leave on the same socket, addressed to the client that asked.
//
// A request that does not decode, has an unknown protocol version or is over
// kMaxRequestBytes gets an error reply (with the request id, when the header
// is intact); a message too large even to receive (over kMaxReceiveBytes) makes
// ZeroMQ drop that connection. Nothing a client sends stops the loop.
//
// Thread safety: bind() and serve() on one thread, which then owns the socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "daemon/service/reply_outbox.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace todo {

class RequestHandler;

class Listener {
 public:
  // Larger messages are not read at all: ZeroMQ closes the sender's connection.
  static constexpr std::int64_t kMaxReceiveBytes = 1 << 20;

  // Binds every endpoint. For ipc:// endpoints, creates the socket's directory
  // (mode 0700) when missing, refuses one that someone else could write to
  // (socket_trust.hpp), an abstract socket, and a socket another process still
  // serves; errors name the endpoint.
  static Result<std::unique_ptr<Listener>> bind(const std::vector<std::string>& endpoints,
                                                RequestHandler& handler);

  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();

  // Serves until stop_fd becomes readable; then calls on_stopping, reads no
  // more requests, waits (up to drain_timeout) until every request taken has
  // been answered, and returns. on_tick runs about every tick_interval (the
  // watchdog heartbeat).
  // The Listener must outlive every request it handed on: replies come back to
  // its outbox. Stop the System before destroying the Listener.
  void serve(int stop_fd, std::chrono::milliseconds drain_timeout,
             std::chrono::milliseconds tick_interval, const std::function<void()>& on_tick,
             const std::function<void()>& on_stopping);

 private:
  // An ipc:// socket file this Listener created, known by its inode: at exit
  // it removes the file only if it is still that one. A todod that started on
  // the same path while this one was stopping has replaced it, and removing
  // that would leave the new daemon serving a socket nobody can reach.
  struct IpcSocketFile {
    std::string path;
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
  };

  Listener(RequestHandler& handler, std::unique_ptr<zmq::context_t> context,
           std::unique_ptr<zmq::socket_t> socket, std::vector<IpcSocketFile> ipc_files);

  // Reads what the socket has (bounded, so replies are not starved).
  void read_requests();
  void handle_message(std::string routing_id, std::string_view bytes);
  void send_replies();
  void send_reply(const std::string& routing_id, const std::string& bytes);

  RequestHandler& handler_;
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::vector<IpcSocketFile> ipc_files_;  // removed at exit if still these files
  ReplyOutbox outbox_;
  std::vector<OutgoingReply> replies_to_send_;  // reused, see ReplyOutbox::take_all
  std::uint64_t requests_received_ = 0;
  std::uint64_t replies_sent_ = 0;
};

}  // namespace todo
