// Who may connect to todod over CURVE: ZeroMQ's ZAP handler (RFC 27) for the
// Listener's context. libzmq asks it about every CURVE handshake, with the
// client's public key; it answers 200 when a file in the authorized keys
// directory holds that key, 400 otherwise, and the connection is dropped. An
// ipc:// connection (the NULL mechanism, which no tcp:// endpoint accepts) is
// let in: its socket's directory already decided who could connect.
//
// The keys are read again whenever the directory changes (a file added,
// removed or renamed: its mtime moves), and at most a second after the last
// reading otherwise, so a key added is let in and a key removed is refused
// from the next connection on, without a restart; connections already made
// stay until they close. A handshake between readings costs a stat, whoever
// sends it. The directory must be one nobody but todod's user and root could
// change (socket_trust.hpp); a file in it counts only when it is a regular
// file, not a symbolic link, owned by todod's user or root and writable by
// nobody else, and holds a public key.
//
// Thread safety: one thread, the Listener's, which polls socket_handle().
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace todo {

class CurveAuthenticator {
 public:
  // Binds the handler in the context, before any CURVE endpoint is bound.
  // Refuses a directory that is missing, or that others could add keys to.
  static Result<std::unique_ptr<CurveAuthenticator>> start(
      zmq::context_t& context, const std::filesystem::path& authorized_keys);

  CurveAuthenticator(const CurveAuthenticator&) = delete;
  CurveAuthenticator& operator=(const CurveAuthenticator&) = delete;
  ~CurveAuthenticator();

  void* socket_handle() const;
  // Answers every request waiting on the socket; never blocks.
  void answer_requests();

  std::uint64_t refusal_count() const { return refusal_count_; }

 private:
  CurveAuthenticator(std::unique_ptr<zmq::socket_t> socket, std::filesystem::path authorized_keys);

  // The name of the file that authorizes the key (Z85), if any.
  std::optional<std::string> authorized_name(const std::string& key);
  // Reads the keys again when the directory changed or the last reading is
  // over a second old.
  void refresh_keys();
  // Logs a refusal, at most once a second, counting those not logged.
  void log_refusal(const std::string& address, const std::string& why);

  std::unique_ptr<zmq::socket_t> socket_;
  std::filesystem::path authorized_keys_;
  std::map<std::string, std::string> name_of_key_;  // Z85 key -> file name
  std::optional<std::timespec> keys_read_at_mtime_;
  std::chrono::steady_clock::time_point keys_read_at_{};
  std::string last_ignored_;  // files not counted at the last reading, logged once
  std::uint64_t refusal_count_ = 0;
  std::uint64_t refusals_not_logged_ = 0;
  std::chrono::steady_clock::time_point last_refusal_logged_{};
};

}  // namespace todo
