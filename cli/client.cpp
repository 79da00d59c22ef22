#include "cli/client.hpp"

#include <cstring>
#include <filesystem>
#include <zmq.hpp>

#include "common/endpoint.hpp"
#include "common/ipc_probe.hpp"
#include "common/socket_trust.hpp"

namespace todo {

Client::Client(std::string endpoint, std::chrono::milliseconds timeout, TcpCredentials credentials)
    : endpoint_(std::move(endpoint)),
      timeout_(timeout),
      credentials_(std::move(credentials)),
      context_(std::make_unique<zmq::context_t>(1)),
      socket_(std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::dealer)) {
  socket_->set(zmq::sockopt::linger, 0);
  // A request is queued only on a connection whose handshake is done: one
  // handed to ZeroMQ has then at least started towards a todod, and one that
  // never could be is not counted as sent (is_outcome_unknown).
  socket_->set(zmq::sockopt::immediate, 1);
  socket_->set(zmq::sockopt::sndhwm, static_cast<int>(kWindow * 2));
  socket_->set(zmq::sockopt::rcvhwm, static_cast<int>(kWindow * 2));
}

Client::~Client() = default;

namespace {

constexpr const char* kMonitorEndpoint = "inproc://todo-handshake-monitor";

}  // namespace

Result<void> Client::secure_tcp() {
  if (!tcp_host_of(endpoint_)) {
    return Error::invalid("bad endpoint '" + endpoint_ + "': expected tcp://ADDRESS:PORT");
  }
  if (!credentials_.client_keys &&
      !(credentials_.allows_plaintext_loopback && is_loopback_tcp(endpoint_))) {
    return Error::invalid("refusing to send requests to " + endpoint_ +
                          " in plaintext: give --curve-key and --server-key (docs/security.md)" +
                          (is_loopback_tcp(endpoint_)
                               ? ", or --insecure-tcp for this loopback address"
                               : std::string()));
  }
  if (credentials_.client_keys) {
    try {
      socket_->set(zmq::sockopt::curve_serverkey, credentials_.server_key);
      socket_->set(zmq::sockopt::curve_publickey, credentials_.client_keys->public_key);
      socket_->set(zmq::sockopt::curve_secretkey, credentials_.client_keys->secret_key);
    } catch (const zmq::error_t& e) {
      return Error::invalid(std::string("a CURVE key is not a valid Z85 key: ") + e.what());
    }
  }
  if (zmq_socket_monitor(socket_->handle(), kMonitorEndpoint,
                         ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                             ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0) {
    return Error::internal(std::string("cannot watch the handshake: ") + zmq_strerror(zmq_errno()));
  }
  monitor_ = std::make_unique<zmq::socket_t>(*context_, zmq::socket_type::pair);
  monitor_->set(zmq::sockopt::linger, 0);
  monitor_->connect(kMonitorEndpoint);
  return {};
}

std::optional<Error> Client::handshake_failure() {
  zmq::message_t event;
  if (!monitor_ || !monitor_->recv(event, zmq::recv_flags::dontwait)) return std::nullopt;
  std::uint16_t number = 0;
  if (event.size() >= sizeof number) std::memcpy(&number, event.data(), sizeof number);
  while (event.more()) {
    zmq::message_t rest;
    if (!monitor_->recv(rest, zmq::recv_flags::none)) break;
    event = std::move(rest);
  }
  if (number == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
    return Error::internal("todod at " + endpoint_ +
                           " refused this client's CURVE key: its public key must be in a file "
                           "in todod's --curve-allow directory");
  }
  if (!credentials_.client_keys) {
    return Error::internal("the handshake with " + endpoint_ +
                           " failed: todod there wants CURVE (give --curve-key and --server-key)");
  }
  return Error::internal("the CURVE handshake with " + endpoint_ +
                         " failed: is --server-key todod's public key (its start line shows it)?");
}

Error Client::unreachable(const std::string& why) const {
  return Error::internal("cannot reach todod at " + endpoint_ + ": " + why +
                         ". Start it with `todod` (or `systemctl --user start todod`), or point "
                         "todo at it with --endpoint or TODO_ENDPOINT.");
}

Result<void> Client::check_ipc_path(const std::string& path) const {
  const auto refused = [&](const std::string& why) {
    return Error::internal("refusing to talk to " + endpoint_ + ": " + why +
                           ". Someone else may be impersonating todod there.");
  };
  if (path.starts_with('@')) {
    return refused("an abstract socket has no owner, so anyone could be serving it");
  }
  const SocketTrust trust = SocketTrust::for_client();
  std::error_code error;
  const auto socket = std::filesystem::absolute(path, error);
  if (error) return refused("cannot resolve " + path + ": " + error.message());
  if (auto directory = check_trusted_directory(socket.parent_path(), trust); !directory) {
    if (!std::filesystem::exists(socket.parent_path(), error) && !error) {
      return unreachable("nothing is listening there");
    }
    return refused(directory.error().message);
  }
  if (auto file = check_socket_file(socket, trust); !file) {
    if (file.error().code == StatusCode::not_found)
      return unreachable("nothing is listening there");
    return refused(file.error().message);
  }
  return {};
}

Result<void> Client::connect() {
  // Once per client: every exchange after the first uses the same
  // connection, and a second monitor on its inproc endpoint would not bind.
  if (is_connected_) return {};
  if (!is_tcp(endpoint_) && !ipc_path_of(endpoint_)) {
    return Error::invalid("bad endpoint '" + endpoint_ +
                          "': todo speaks ipc://PATH and tcp://ADDRESS:PORT");
  }
  if (const auto path = ipc_path_of(endpoint_)) {
    if (auto trusted = check_ipc_path(*path); !trusted) return trusted.error();
    if (!is_unix_socket_served(*path)) return unreachable("nothing is listening there");
  }
  if (is_tcp(endpoint_)) {
    if (auto secured = secure_tcp(); !secured) return secured.error();
  }
  try {
    socket_->connect(endpoint_);
  } catch (const zmq::error_t& e) {
    return Error::invalid("bad endpoint '" + endpoint_ + "': " + e.what());
  }
  is_connected_ = true;
  return {};
}

namespace {

// An undo without a list reverts the newest change of any list: sent only
// once every command before it is answered, and nothing after it is sent
// before it is, so that in a batch it reverts the change before it, as
// typed, and no later one. Other commands are pipelined: those to one list
// keep their order there.
bool is_waiting_for_undo(const std::vector<Command>& commands, std::size_t sent,
                         std::size_t answered) {
  if (sent > answered && std::holds_alternative<UndoLatest>(commands[sent])) return true;
  return sent > 0 && std::holds_alternative<UndoLatest>(commands[sent - 1]) && answered < sent;
}

}  // namespace

Result<void> Client::exchange(const std::vector<Command>& commands,
                              const std::function<void(std::size_t, Reply)>& on_reply) {
  is_answered_.assign(commands.size(), false);
  sent_ = 0;
  if (auto connected = connect(); !connected) return connected.error();
  std::vector<bool>& is_answered = is_answered_;
  std::size_t& sent = sent_;
  std::size_t answered = 0;
  std::size_t oldest = 0;  // the first command not answered
  auto last_progress = std::chrono::steady_clock::now();
  while (answered < commands.size()) {
    while (oldest < commands.size() && is_answered[oldest]) ++oldest;
    while (sent < commands.size() && sent - answered < kWindow &&
           (!is_window_from_oldest_ || sent - oldest < kRetryableWindow) &&
           !is_waiting_for_undo(commands, sent, answered)) {
      const std::string bytes = encode_request({sent + 1, commands[sent]});
      if (!socket_->send(zmq::buffer(bytes), zmq::send_flags::dontwait)) break;
      ++sent;
    }
    const auto waited = std::chrono::steady_clock::now() - last_progress;
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(timeout_ - waited);
    if (remaining.count() <= 0) {
      // An ipc:// socket was seen served before anything was sent; over
      // tcp://, ZeroMQ retries a refused connection silently, so silence may
      // also mean nobody is there.
      const std::string cause =
          is_tcp(endpoint_) && answered == 0
              ? "nothing may be listening there (start todod, or check --endpoint), or todod "
                "is busy or stuck"
              : "todod is busy or stuck (todo ping shows its load)";
      return Error::internal("no answer from todod at " + endpoint_ + " within " +
                             std::to_string(timeout_.count()) + " ms: " + cause +
                             "; a larger --timeout waits longer");
    }
    // POLLOUT while requests wait for the connection (immediate).
    const short events = ZMQ_POLLIN | (sent < commands.size() ? ZMQ_POLLOUT : 0);
    std::vector<zmq::pollitem_t> items = {{socket_->handle(), 0, events, 0}};
    if (monitor_) items.push_back({monitor_->handle(), 0, ZMQ_POLLIN, 0});
    zmq::poll(items, std::min(remaining, std::chrono::milliseconds(100)));
    if (auto failure = handshake_failure()) {
      sent = 0;  // refused before todod read any of it
      return *failure;
    }
    zmq::message_t message;
    while (socket_->recv(message, zmq::recv_flags::dontwait)) {
      // A big read's reply comes in two frames (docs/protocol.md); a message's
      // frames arrive together, so reading the rest does not wait.
      std::string joined;
      std::string_view bytes = message.to_string_view();
      if (message.more()) {
        joined.assign(bytes);
        zmq::message_t part;
        do {
          if (!socket_->recv(part, zmq::recv_flags::none)) break;
          joined.append(part.to_string_view());
        } while (part.more());
        bytes = joined;
      }
      auto reply = decode_reply(bytes);
      if (!reply)
        return Error::internal("todod sent a reply todo cannot read: " + reply.error().message);
      const std::uint64_t id = reply.value().request_id;
      if (id == 0 || id > commands.size() || is_answered[id - 1]) {
        if (reply.value().status != StatusCode::ok) {
          return Error::internal("todod refused a request: " + reply.value().message);
        }
        continue;  // not ours: a stale reply cannot be matched to a command
      }
      is_answered[id - 1] = true;
      ++answered;
      last_progress = std::chrono::steady_clock::now();
      on_reply(id - 1, std::move(reply).value());
    }
  }
  return {};
}

}  // namespace todo
