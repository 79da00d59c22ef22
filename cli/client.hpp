// todo's connection to todod: one DEALER socket, requests pipelined up to a
// window, replies matched to requests by id (they may come back in any order
// across lists).
//
// A daemon that is not there is reported at once for ipc:// endpoints (nobody
// accepts on the socket) and after the timeout otherwise, with a message that
// names the endpoint and says how to start todod. Nothing is sent to an ipc://
// socket that someone other than this user, root or the system service could
// have put there (socket_trust.hpp), nor over tcp:// without CURVE unless
// plaintext to a loopback address was asked for. A CURVE key todod does not
// know is reported as such, not as a timeout. Replies still owed when the
// client gives up are discarded with the socket (linger 0): nothing is left
// half sent.
//
// Thread safety: one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/curve_key_file.hpp"
#include "common/protocol.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace todo {

// How todo secures a tcp:// connection: CURVE, with this client's key pair and
// todod's public key; or plaintext, only when asked for and only to a loopback
// address. ipc:// needs none of it (socket_trust.hpp).
struct TcpCredentials {
  std::optional<CurveKeyPair> client_keys;
  std::string server_key;  // Z85; with client_keys
  bool allows_plaintext_loopback = false;
};

class Client {
 public:
  // How many requests are sent ahead of their replies.
  static constexpr std::size_t kWindow = 1024;
  // With keyed changes to send again (set_window_from_oldest_unanswered):
  // how many requests may be sent past the oldest one not answered. A list
  // remembers its last 1,024 keyed changes (RememberedChanges), so a change
  // sent again after at most 511 more of this client's still finds its key,
  // with room for 512 of other clients' meanwhile.
  static constexpr std::size_t kRetryableWindow = 512;

  Client(std::string endpoint, std::chrono::milliseconds timeout, TcpCredentials credentials = {});
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  // Sends every command and reports each reply as on_reply(index, reply), in
  // arrival order. Fails (unreachable, no reply within the timeout) with a
  // message for the user; replies reported before that stand.
  Result<void> exchange(const std::vector<Command>& commands,
                        const std::function<void(std::size_t, Reply)>& on_reply);
  // After an exchange that failed: whether the command at index was handed to
  // ZeroMQ and no reply came for it. todod may or may not have applied it;
  // false for one never sent, or refused in the CURVE handshake.
  bool is_outcome_unknown(std::size_t index) const { return index < sent_ && !is_answered_[index]; }
  // Counts the window from the oldest request not answered, up to
  // kRetryableWindow, rather than by how many are unanswered: a request whose
  // answer was lost holds the rest back until the timeout, instead of letting
  // the batch run on past the point where its key would still be remembered.
  void set_window_from_oldest_unanswered() { is_window_from_oldest_ = true; }

 private:
  // The checks before anything is sent, and the connect: once per client.
  Result<void> connect();
  Error unreachable(const std::string& why) const;
  // An ipc:// socket this user may talk to; unreachable when there is none.
  Result<void> check_ipc_path(const std::string& path) const;
  // Sets CURVE up on the socket, or refuses a tcp:// endpoint it cannot secure.
  Result<void> secure_tcp();
  // A tcp:// handshake that failed, as the monitor reports it; nothing when
  // there is no such report waiting.
  std::optional<Error> handshake_failure();

  std::string endpoint_;
  std::chrono::milliseconds timeout_;
  TcpCredentials credentials_;
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<zmq::socket_t> socket_;
  std::unique_ptr<zmq::socket_t> monitor_;  // handshake failures, tcp:// only
  bool is_connected_ = false;
  bool is_window_from_oldest_ = false;
  // The last exchange's commands handed to ZeroMQ, and those answered.
  std::size_t sent_ = 0;
  std::vector<bool> is_answered_;
};

}  // namespace todo
