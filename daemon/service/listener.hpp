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
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/curve_key_file.hpp"
#include "common/result.hpp"
#include "daemon/service/reply_memory.hpp"
#include "daemon/service/reply_outbox.hpp"
#include "daemon/service/spare_descriptor.hpp"
#include "daemon/service/tcp_listening_socket.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace todo {

class ConnectionLimit;
class CurveAuthenticator;
class RequestHandler;

// What the Listener serves, and how tcp:// endpoints are secured. ipc://
// endpoints are secured by their directory's permissions (socket_trust.hpp),
// tcp:// ones by CURVE: encrypted, and open only to the clients whose public
// keys are in authorized_keys. Plaintext tcp:// is refused unless asked for,
// and then only on loopback addresses.
struct ListenerOptions {
  std::vector<std::string> endpoints;
  std::optional<CurveKeyPair> curve_server_keys;
  std::filesystem::path authorized_keys;  // with curve_server_keys
  bool allows_plaintext_loopback_tcp = false;
  // Connections held at once, over all endpoints; fewer when the open file
  // limit would not allow as many (ConnectionLimit).
  std::size_t max_connections = 10'000;
  // Bytes of replies encoded and not yet written to their clients, in total;
  // a quarter of it per connection (ReplyMemory).
  std::size_t max_reply_bytes = std::size_t{256} << 20;
};

class Listener {
 public:
  // Larger messages are not read at all: ZeroMQ closes the sender's connection.
  static constexpr std::int64_t kMaxReceiveBytes = 1 << 20;

  // Binds every endpoint. For ipc:// endpoints, creates the socket's directory
  // (mode 0700) when missing, refuses one that someone else could write to
  // (socket_trust.hpp), an abstract socket, and a socket another process still
  // serves. Refuses a tcp:// endpoint that options do not secure. Errors name
  // the endpoint.
  static Result<std::unique_ptr<Listener>> bind(const ListenerOptions& options,
                                                RequestHandler& handler);
  // What bind refuses without touching the file system or the network (a
  // tcp:// endpoint left unsecured), so that todod can refuse it before it
  // opens its data directory.
  static Result<void> check(const ListenerOptions& options);

  // The endpoints as bound, a port asked as * resolved, each tcp:// one marked
  // "(CURVE)" or "(plaintext)": for the start line.
  const std::vector<std::string>& bound_endpoints() const { return bound_endpoints_; }
  // How many connections it holds at most (ConnectionLimit).
  std::size_t connection_limit() const;

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

  Listener(RequestHandler& handler, ReplyMemory::Bounds reply_bounds,
           std::unique_ptr<zmq::context_t> context,
           std::unique_ptr<CurveAuthenticator> authenticator,
           std::unique_ptr<zmq::socket_t> socket);

  // Binds with the options its transport needs: CURVE for tcp:// when
  // configured, none for ipc://. For ipc://, notes the socket file.
  Result<std::string> bind_endpoint(const std::string& endpoint);
  // Stops or starts accepting connections on every endpoint, leaving the
  // connections made alone: an ipc:// socket file is moved aside, a tcp://
  // listening socket drops new connections in the kernel (TcpListeningSocket).
  void stop_accepting();
  void accept_again();
  // Closes the connections waiting in the tcp:// backlogs, which libzmq,
  // out of descriptors, retries accepting in a loop. REQUIRES: not accepting.
  void drop_waiting_connections();
  // "ipc://PATH, tcp://ADDRESS:PORT": for the log lines.
  std::string pausable_endpoints() const;

  // Reads what the socket has (bounded, so replies are not starved).
  void read_requests();
  void handle_message(std::string routing_id, std::string_view bytes);
  void send_replies();
  // Sends the reply, its big frames without a copy. A read's big frames are
  // held in reply_memory_ until ZeroMQ frees them; when that would pass a
  // bound, a busy answer goes in its place.
  void send_reply(OutgoingReply& reply);

  RequestHandler& handler_;
  // Before the context: the context's end frees the messages still queued,
  // which release what they hold here.
  ReplyMemory reply_memory_;
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<CurveAuthenticator> authenticator_;  // null without CURVE
  std::unique_ptr<zmq::socket_t> socket_;              // closed before the authenticator
  std::unique_ptr<ConnectionLimit> connection_limit_;  // watches socket_
  std::optional<std::string> curve_secret_key_;        // for tcp:// endpoints
  std::vector<IpcSocketFile> ipc_files_;               // removed at exit if still these files
  std::vector<TcpListeningSocket> tcp_sockets_;        // libzmq's, closed with socket_
  SpareDescriptor spare_descriptor_;                   // for drop_waiting_connections
  std::size_t connections_dropped_ = 0;                // since accepting stopped
  std::vector<std::string> bound_endpoints_;
  ReplyOutbox outbox_;
  std::vector<OutgoingReply> replies_to_send_;  // reused, see ReplyOutbox::take_all
  std::uint64_t requests_received_ = 0;
  std::uint64_t replies_sent_ = 0;
};

}  // namespace todo
