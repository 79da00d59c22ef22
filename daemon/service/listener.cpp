#include "daemon/service/listener.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <zmq.hpp>

#include "common/endpoint.hpp"
#include "common/ipc_probe.hpp"
#include "common/protocol.hpp"
#include "common/socket_trust.hpp"
#include "daemon/runtime/log.hpp"
#include "daemon/service/connection_limit.hpp"
#include "daemon/service/curve_authenticator.hpp"
#include "daemon/service/request_handler.hpp"

namespace todo {
namespace {

// Requests read per loop round before replies get their turn.
constexpr int kMaxReadsPerRound = 256;
// What ZeroMQ holds for one client, each way; the daemon's memory for a client
// that sends without reading is these times the size of a message. Replies:
// room for a client that keeps up to 4,096 requests in flight (todo batch
// keeps 1,024) to read them late, past which its replies are dropped. Requests:
// a full pipe stops the client's sends, which is the push back a flood should
// get; ZeroMQ's own default, since a deeper one only holds the flood here
// instead of in the client.
constexpr int kReplyHighWaterMark = 4'096;
constexpr int kRequestHighWaterMark = 1'000;
constexpr int kHandshakeTimeoutMs = 5'000;
// Frames of a reply this big are handed to ZeroMQ without a copy and, for a
// read, counted in ReplyMemory; below it the copy costs less than either.
constexpr std::size_t kHeldFrameBytes = kSeparateFrameBytes;

// The socket's directory is made (0700) when missing and verified either way:
// whoever else could write to it could bind an impostor in todod's place.
Result<void> prepare_ipc_path(const std::string& endpoint, const std::string& path) {
  if (path.starts_with('@')) {
    return Error::invalid("endpoint " + endpoint +
                          " is an abstract socket, which has no owner or permissions: any local "
                          "user could connect to it or take its name. Use a path.");
  }
  std::error_code error;
  const auto directory = std::filesystem::absolute(path, error).parent_path();
  if (error) return Error::internal("cannot resolve " + path + ": " + error.message());
  if (auto made = make_socket_directory(directory); !made) {
    return Error::internal(made.error().message + " (for endpoint " + endpoint + ")");
  }
  if (auto trusted = check_trusted_directory(directory, SocketTrust::for_daemon()); !trusted) {
    return Error::internal("refusing to listen on " + endpoint + ": " + trusted.error().message +
                           ". Remove it if it is not yours, or listen elsewhere (--listen, or "
                           "XDG_RUNTIME_DIR for the default).");
  }
  // ZeroMQ would silently unlink a live socket and take it over.
  if (is_unix_socket_served(path)) {
    return Error::internal("endpoint " + endpoint + " is already served by another process");
  }
  return {};
}

// Whether options secure a tcp:// endpoint; the refusal says what would.
Result<void> check_tcp_security(const std::string& endpoint, const ListenerOptions& options) {
  if (options.curve_server_keys) return {};
  if (options.allows_plaintext_loopback_tcp && is_loopback_tcp(endpoint)) return {};
  if (options.allows_plaintext_loopback_tcp) {
    return Error::invalid("refusing to listen on " + endpoint +
                          " without CURVE: --insecure-tcp allows plaintext only on a loopback "
                          "address (127.0.0.1, ::1)");
  }
  return Error::invalid("refusing to listen on " + endpoint +
                        " without authentication or encryption: give --curve-secret-key and "
                        "--curve-allow (docs/security.md), or --insecure-tcp for a loopback "
                        "address");
}

// The process's open file limit, its soft limit raised to the hard one first.
std::size_t open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    // Refused under a seccomp filter without @resources: the unit's
    // LimitNOFILE= has set the limit then.
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : limit.rlim_cur;
}

}  // namespace

Result<void> Listener::check(const ListenerOptions& options) {
  if (options.endpoints.empty()) return Error::invalid("no endpoint to listen on");
  for (const std::string& endpoint : options.endpoints) {
    if (ipc_path_of(endpoint)) continue;
    if (!is_tcp(endpoint)) {
      // Any other transport libzmq knows (tipc://, ...) has neither
      // permissions nor CURVE checked here.
      return Error::invalid("cannot listen on " + endpoint +
                            ": todod serves ipc://PATH and tcp://ADDRESS:PORT only");
    }
    if (auto secured = check_tcp_security(endpoint, options); !secured) return secured.error();
  }
  return {};
}

Result<std::unique_ptr<Listener>> Listener::bind(const ListenerOptions& options,
                                                 RequestHandler& handler) {
  if (auto checked = check(options); !checked) return checked.error();
  std::vector<std::string> ipc_endpoints;
  std::vector<std::string> tcp_endpoints;
  for (const std::string& endpoint : options.endpoints) {
    // check() let only ipc:// and tcp:// through.
    (is_tcp(endpoint) ? tcp_endpoints : ipc_endpoints).push_back(endpoint);
  }
  auto context = std::make_unique<zmq::context_t>(1);
  std::unique_ptr<CurveAuthenticator> authenticator;
  if (options.curve_server_keys && !tcp_endpoints.empty()) {
    auto started = CurveAuthenticator::start(*context, options.authorized_keys);
    if (!started) return started.error();
    authenticator = std::move(started).value();
  }
  auto socket = std::make_unique<zmq::socket_t>(*context, zmq::socket_type::router);
  socket->set(zmq::sockopt::maxmsgsize, kMaxReceiveBytes);
  socket->set(zmq::sockopt::sndhwm, kReplyHighWaterMark);
  socket->set(zmq::sockopt::rcvhwm, kRequestHighWaterMark);
  socket->set(zmq::sockopt::linger, 0);
  // Made before anything is bound: should a later endpoint fail, destroying it
  // removes the socket files already made.
  const ReplyMemory::Bounds reply_bounds{options.max_reply_bytes, options.max_reply_bytes / 4};
  std::unique_ptr<Listener> listener(new Listener(handler, reply_bounds, std::move(context),
                                                  std::move(authenticator), std::move(socket)));
  if (options.curve_server_keys)
    listener->curve_secret_key_ = options.curve_server_keys->secret_key;
  auto limit = ConnectionLimit::watch(
      *listener->context_, *listener->socket_,
      ConnectionLimit::limit_for(options.max_connections, open_file_limit()));
  if (!limit) return limit.error();
  listener->connection_limit_ = std::move(limit).value();
  for (const std::string& endpoint : ipc_endpoints) {
    const std::string path = ipc_path_of(endpoint).value_or(std::string());
    if (auto prepared = prepare_ipc_path(endpoint, path); !prepared) return prepared.error();
    auto bound = listener->bind_endpoint(endpoint);
    if (!bound) return bound.error();
    listener->bound_endpoints_.push_back(bound.value());
  }
  for (const std::string& endpoint : tcp_endpoints) {
    auto bound = listener->bind_endpoint(endpoint);
    if (!bound) return bound.error();
    listener->bound_endpoints_.push_back(bound.value() + (listener->curve_secret_key_
                                                              ? " (CURVE)"
                                                              : " (plaintext, no authentication)"));
  }
  return listener;
}

Result<std::string> Listener::bind_endpoint(const std::string& endpoint) {
  // libzmq copies a socket's options into an endpoint when it is bound, so
  // each endpoint gets its transport's here: ipc:// ones stay as they are
  // (their directory is their security), tcp:// ones speak CURVE only.
  const bool is_curve = is_tcp(endpoint) && curve_secret_key_;
  try {
    if (is_curve) {
      socket_->set(zmq::sockopt::curve_secretkey, *curve_secret_key_);
      socket_->set(zmq::sockopt::curve_server, 1);
      socket_->set(zmq::sockopt::zap_domain, "todo");
    } else {
      // The NULL mechanism again. The ZAP domain cannot be unset: ZAP is
      // asked about ipc:// connections bound after a tcp:// one, and lets
      // NULL in (CurveAuthenticator).
      socket_->set(zmq::sockopt::curve_server, 0);
    }
    // A peer that opens a connection and never finishes the handshake holds
    // a file descriptor for this long (ZeroMQ's default is 30 s).
    socket_->set(zmq::sockopt::handshake_ivl, kHandshakeTimeoutMs);
    socket_->bind(endpoint);
  } catch (const zmq::error_t& e) {
    return Error::internal("cannot listen on " + endpoint + ": " + e.what());
  }
  const std::string address = socket_->get(zmq::sockopt::last_endpoint);
  if (const auto path = ipc_path_of(endpoint)) {
    struct stat file {};
    if (::stat(path->c_str(), &file) != 0) {
      return Error::internal("endpoint " + endpoint + " was bound but " + *path +
                             " cannot be found: " + std::strerror(errno));
    }
    ipc_files_.push_back(
        {*path, static_cast<std::uint64_t>(file.st_dev), static_cast<std::uint64_t>(file.st_ino)});
  } else {
    // Without it, a flood would run the process out of descriptors.
    auto found = TcpListeningSocket::find(address);
    if (!found)
      return Error::internal("cannot listen on " + endpoint + ": " + found.error().message);
    tcp_sockets_.push_back(std::move(found).value());
  }
  return address;
}

std::size_t Listener::connection_limit() const { return connection_limit_->limit(); }

namespace {

// What a frame handed to ZeroMQ without a copy keeps alive until ZeroMQ frees
// it, on its I/O thread once the frame is written, or when it is dropped.
struct SentFrame {
  std::string owned;
  std::shared_ptr<const std::string> shared;
  std::size_t shared_offset = 0;
  ReplyMemory* memory = nullptr;  // set while claim is held
  ReplyMemory::Claim claim;
  // Set before the frame goes to ZeroMQ and read when it is freed: ZeroMQ's
  // own hand-off between threads is invisible to ThreadSanitizer, this one
  // shows that whatever the Listener did before happened before the free.
  std::atomic<bool> is_handed_over{false};

  SentFrame() = default;
  SentFrame(const SentFrame&) = delete;
  SentFrame& operator=(const SentFrame&) = delete;
  ~SentFrame() {
    if (memory != nullptr) memory->release(claim);
  }

  std::string_view bytes() const {
    return shared ? std::string_view(*shared).substr(shared_offset) : std::string_view(owned);
  }
};

void free_sent_frame(void* /*data*/, void* hint) {
  auto* frame = static_cast<SentFrame*>(hint);
  (void)frame->is_handed_over.load(std::memory_order_acquire);
  delete frame;
}

// The message sends frame's bytes in place; it owns frame from here on.
zmq::message_t zero_copy(std::unique_ptr<SentFrame>& frame) {
  const std::string_view bytes = frame->bytes();
  frame->is_handed_over.store(true, std::memory_order_release);
  // ZeroMQ only reads the bytes; its interface takes them as void*.
  zmq::message_t message(const_cast<char*>(bytes.data()), bytes.size(), free_sent_frame,
                         frame.get());
  frame.release();
  return message;
}

std::string describe_refusal(const ReplyMemory::Refusal& refusal, std::size_t reply_bytes) {
  const std::string held = std::to_string(refusal.held);
  const std::string bound = std::to_string(refusal.bound);
  return (refusal.is_per_connection
              ? "replies of " + held + " bytes are waiting for this client to read them, and " +
                    std::to_string(reply_bytes) + " more would pass its limit of " + bound +
                    " (a quarter of --max-reply-memory)"
              : "replies of " + held + " bytes are waiting for their clients, and " +
                    std::to_string(reply_bytes) + " more would pass --max-reply-memory (" + bound +
                    ")") +
         ": read the replies first, or read fewer entries at a time (todo entries LIST --limit N)";
}

// Where a socket file waits while its endpoint accepts no connections: beside
// it, in the same directory nobody else may write to.
std::string paused_path(const std::string& path) { return path + ".paused"; }

bool is_file(const std::string& path, std::uint64_t device, std::uint64_t inode) {
  struct stat now {};
  return ::lstat(path.c_str(), &now) == 0 && static_cast<std::uint64_t>(now.st_dev) == device &&
         static_cast<std::uint64_t>(now.st_ino) == inode;
}

}  // namespace

std::string Listener::pausable_endpoints() const {
  std::string names;
  for (const IpcSocketFile& file : ipc_files_) {
    names += (names.empty() ? "ipc://" : ", ipc://") + file.path;
  }
  for (const TcpListeningSocket& socket : tcp_sockets_) {
    names += (names.empty() ? "" : ", ") + socket.endpoint();
  }
  return names;
}

void Listener::stop_accepting() {
  // An ipc:// socket file is moved aside: a connect to the path then fails at
  // once. A tcp:// listening socket drops the SYNs that come in. Either way
  // the listener and the connections it accepted stay as they are.
  // (zmq_unbind would close every connection the endpoint accepted.)
  for (const IpcSocketFile& file : ipc_files_) {
    if (!is_file(file.path, file.device, file.inode) ||
        ::rename(file.path.c_str(), paused_path(file.path).c_str()) != 0) {
      log_event("cannot stop accepting on " + file.path + ": " + std::strerror(errno));
    }
  }
  for (TcpListeningSocket& socket : tcp_sockets_) {
    if (auto paused = socket.pause(); !paused) log_event(paused.error().message);
  }
  connections_dropped_ = 0;
  log_event("not accepting connections on " + pausable_endpoints() + ": " +
            std::to_string(connection_limit_->connection_count()) + " are open, the limit is " +
            std::to_string(connection_limit_->limit()) +
            " (--max-connections, and the open file limit); serving the clients connected");
}

void Listener::drop_waiting_connections() {
  spare_descriptor_.release();
  for (TcpListeningSocket& socket : tcp_sockets_) connections_dropped_ += socket.drop_waiting();
  spare_descriptor_.reclaim();
}

void Listener::accept_again() {
  for (const IpcSocketFile& file : ipc_files_) {
    if (!is_file(paused_path(file.path), file.device, file.inode)) continue;
    // A todod started since may serve the path now; it keeps it.
    struct stat taken {};
    if (::lstat(file.path.c_str(), &taken) == 0) {
      log_event("not accepting on " + file.path + " again: something else is there now");
      continue;
    }
    if (::rename(paused_path(file.path).c_str(), file.path.c_str()) != 0) {
      log_event("cannot accept on " + file.path + " again: " + std::strerror(errno));
    }
  }
  for (TcpListeningSocket& socket : tcp_sockets_) {
    if (auto resumed = socket.resume(); !resumed) log_event(resumed.error().message);
  }
  // Out of descriptors, the spare may have gone to libzmq.
  spare_descriptor_.reclaim();
  const std::string dropped =
      connections_dropped_ == 0
          ? std::string()
          : " (" + std::to_string(connections_dropped_) +
                " that waited to be accepted were closed for want of file descriptors)";
  log_event("accepting connections again on " + pausable_endpoints() + ": " +
            std::to_string(connection_limit_->connection_count()) + " are open" + dropped);
}

Listener::Listener(RequestHandler& handler, ReplyMemory::Bounds reply_bounds,
                   std::unique_ptr<zmq::context_t> context,
                   std::unique_ptr<CurveAuthenticator> authenticator,
                   std::unique_ptr<zmq::socket_t> socket)
    : handler_(handler),
      reply_memory_(reply_bounds),
      context_(std::move(context)),
      authenticator_(std::move(authenticator)),
      socket_(std::move(socket)) {}

Listener::~Listener() {
  // A tcp:// listening socket's filter goes with the socket. Before the socket
  // closes: while it is bound, its inode cannot be freed and
  // given to a newer daemon's socket file, and a newer daemon finds the path
  // served and does not bind it.
  for (const IpcSocketFile& file : ipc_files_) {
    for (const std::string& path : {file.path, paused_path(file.path)}) {
      if (is_file(path, file.device, file.inode)) ::unlink(path.c_str());
    }
  }
  socket_->close();
}

void Listener::serve(int stop_fd, std::chrono::milliseconds drain_timeout,
                     std::chrono::milliseconds tick_interval, const std::function<void()>& on_tick,
                     const std::function<void()>& on_stopping) {
  bool is_stopping = false;
  std::chrono::steady_clock::time_point drain_deadline;
  auto next_tick = std::chrono::steady_clock::now();
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      on_tick();
      next_tick = now + tick_interval;
    }
    if (is_stopping && (replies_sent_ == requests_received_ || now >= drain_deadline)) return;

    std::vector<zmq::pollitem_t> items = {
        {nullptr, outbox_.wake_fd(), ZMQ_POLLIN, 0},
        // Once stopping, the signal stays pending: polling it would spin.
        {nullptr, stop_fd, static_cast<short>(is_stopping ? 0 : ZMQ_POLLIN), 0},
        {socket_->handle(), 0, static_cast<short>(is_stopping ? 0 : ZMQ_POLLIN), 0},
    };
    items.push_back({connection_limit_->socket_handle(), 0, ZMQ_POLLIN, 0});
    if (authenticator_) items.push_back({authenticator_->socket_handle(), 0, ZMQ_POLLIN, 0});
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - now);
    zmq::poll(items, std::max(wait, std::chrono::milliseconds(1)));
    if ((items[1].revents & ZMQ_POLLIN) != 0 && !is_stopping) {
      is_stopping = true;
      on_stopping();
      drain_deadline = std::chrono::steady_clock::now() + drain_timeout;
    }
    if ((items[2].revents & ZMQ_POLLIN) != 0) read_requests();
    if ((items[0].revents & ZMQ_POLLIN) != 0) send_replies();
    if ((items[3].revents & ZMQ_POLLIN) != 0) {
      const ConnectionLimit::Change change = connection_limit_->read_events();
      if (change == ConnectionLimit::Change::stop_accepting) stop_accepting();
      // Paused first, so that nothing more joins the backlog being emptied.
      if (connection_limit_->ran_out_of_descriptors()) drop_waiting_connections();
      if (change == ConnectionLimit::Change::accept_again && !is_stopping) accept_again();
    }
    if (authenticator_ && (items[4].revents & ZMQ_POLLIN) != 0) authenticator_->answer_requests();
  }
}

void Listener::read_requests() {
  for (int i = 0; i < kMaxReadsPerRound; ++i) {
    zmq::message_t routing_id;
    if (!socket_->recv(routing_id, zmq::recv_flags::dontwait)) return;
    // A well-formed request is one frame after the routing id; read every frame
    // of the message either way, keeping the first.
    zmq::message_t payload;
    std::size_t frame_count = 0;
    bool has_more = routing_id.more();
    while (has_more) {
      zmq::message_t frame;
      if (!socket_->recv(frame, zmq::recv_flags::none)) break;
      has_more = frame.more();
      if (frame_count++ == 0) payload = std::move(frame);
    }
    ++requests_received_;
    std::string id(routing_id.data<char>(), routing_id.size());
    if (frame_count != 1) {
      const Error error =
          Error::invalid("a request is one frame, this message had " + std::to_string(frame_count));
      outbox_.push(
          {std::move(id), encode_reply_frames(handler_.refuse(0, error),
                                              reply_version_for(std::string_view(
                                                  payload.data<char>(), payload.size())))});
      continue;
    }
    handle_message(std::move(id), std::string_view(payload.data<char>(), payload.size()));
  }
}

namespace {

// Whether a busy answer may replace the reply: a read's, which leaves nothing
// changed. (Only reads answer with many bytes.)
bool is_read_answer(const Reply& reply) {
  return reply.status == StatusCode::ok &&
         (std::holds_alternative<EncodedEntries>(reply.payload) ||
          std::holds_alternative<std::vector<Entry>>(reply.payload) ||
          std::holds_alternative<std::vector<std::string>>(reply.payload));
}

}  // namespace

void Listener::handle_message(std::string routing_id, std::string_view bytes) {
  if (bytes.size() > kMaxRequestBytes) {
    const Error error =
        Error::invalid("request of " + std::to_string(bytes.size()) +
                       " bytes is larger than the limit of " + std::to_string(kMaxRequestBytes));
    outbox_.push({std::move(routing_id),
                  encode_reply_frames(handler_.refuse(peek_request_id(bytes).value_or(0), error),
                                      reply_version_for(bytes))});
    return;
  }
  auto request = decode_request(bytes);
  if (!request) {
    outbox_.push(
        {std::move(routing_id),
         encode_reply_frames(handler_.refuse(peek_request_id(bytes).value_or(0), request.error()),
                             reply_version_for(bytes))});
    return;
  }
  const std::uint32_t version = request.value().protocol_version;
  handler_.handle(
      std::move(request).value(), [this, routing_id = std::move(routing_id), version](Reply reply) {
        const bool is_read = is_read_answer(reply);
        outbox_.push(
            {routing_id, encode_reply_frames(reply, version), reply.request_id, version, is_read});
      });
}

void Listener::send_replies() {
  outbox_.take_all(replies_to_send_);
  for (OutgoingReply& reply : replies_to_send_) {
    send_reply(reply);
    ++replies_sent_;
  }
  replies_to_send_.clear();
}

void Listener::send_reply(OutgoingReply& reply) {
  ReplyFrames& frames = reply.frames;
  const std::size_t reply_bytes = frames.size();
  std::unique_ptr<SentFrame> head;  // null: the head is copied
  std::unique_ptr<SentFrame> body;
  if (frames.head.size() >= kHeldFrameBytes) {
    head = std::make_unique<SentFrame>();
    head->owned = std::move(frames.head);
  }
  if (frames.shared) {
    body = std::make_unique<SentFrame>();
    body->shared = std::move(frames.shared);
    body->shared_offset = frames.shared_offset;
  }
  if (reply.may_be_withheld) {
    for (SentFrame* frame : {head.get(), body.get()}) {
      if (frame == nullptr) continue;
      const std::string_view bytes = frame->bytes();
      ReplyMemory::Claim claim{reply.routing_id, bytes.data(), bytes.size()};
      if (auto refusal = reply_memory_.try_hold(claim)) {
        const Error error = Error::busy(describe_refusal(*refusal, reply_bytes));
        head.reset();  // releases what the other frame held
        body.reset();
        frames =
            encode_reply_frames(handler_.withhold(reply.request_id, error), reply.protocol_version);
        break;
      }
      frame->memory = &reply_memory_;
      frame->claim = std::move(claim);
    }
  }
  try {
    // A client that vanished or stopped reading loses its reply; the change it
    // asked for stands (it was durable before the reply was written).
    if (!socket_->send(zmq::buffer(reply.routing_id),
                       zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return;
    }
    const zmq::send_flags head_flags =
        body ? zmq::send_flags::sndmore | zmq::send_flags::dontwait : zmq::send_flags::dontwait;
    if (head) {
      zmq::message_t message = zero_copy(head);
      socket_->send(message, head_flags);
    } else {
      socket_->send(zmq::buffer(frames.head), head_flags);
    }
    if (body) {
      zmq::message_t message = zero_copy(body);
      socket_->send(message, zmq::send_flags::dontwait);
    }
  } catch (const zmq::error_t& e) {
    log_event(std::string("could not send a reply: ") + e.what());
  }
}

}  // namespace todo
