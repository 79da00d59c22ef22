// Who may use the HTTP front door: the access tokens, each a secret that
// todod made and said once, kept here as its SHA-256 beside what the token may
// do (TokenGrant), in DATA_DIR/access-tokens (access_token_file.hpp).
// Tokens are made and revoked over the ZeroMQ socket (`todo token`); every
// HTTP request shows one (`Authorization: Bearer SECRET`).
//
// A secret is "todo_" and 64 hex digits: 256 bits from OpenSSL's RAND_bytes,
// so a hash without salt or stretching is enough: nothing smaller than the
// secret itself can be guessed. authenticate() hashes what it is shown and
// compares it with every stored hash in constant time (CRYPTO_memcmp), so the
// time it takes says nothing about how close a guess came.
//
// A change is durable in the file before it is acknowledged, and takes effect
// from the next authenticate(): a revoked token is refused from the request
// after the revocation's answer on. When a token was last used is kept in
// memory and written with the next change and at shutdown (save_last_use()):
// a crash may lose it, never a token.
//
// Thread safety: every member may be called from any thread at once. A change
// writes the file (an fsync) holding a lock of its own, not the one
// authenticate() takes, so HTTP requests are not held up by it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/access_token.hpp"
#include "common/result.hpp"
#include "daemon/runtime/mutex.hpp"
#include "daemon/storage/access_token_file.hpp"

namespace todo {

class AccessTokens {
 public:
  // Bounds the memory they take and the time authenticate() takes.
  static constexpr std::size_t kMaxTokens = 1000;

  // Reads DATA_DIR/access-tokens; none there is no token.
  static Result<std::unique_ptr<AccessTokens>> open(const std::filesystem::path& data_dir);

  AccessTokens(const AccessTokens&) = delete;
  AccessTokens& operator=(const AccessTokens&) = delete;

  // What the token of this secret may do, when it is one; notes its use.
  std::optional<TokenGrant> authenticate(std::string_view secret) EXCLUDES(mutex_);
  // A new token; its secret. Refused when the grant breaks the rules of
  // common/access_token.hpp, a token of that name exists, or there are
  // kMaxTokens. A file of more, or of two tokens with one name or secret, is
  // refused at open() as damaged.
  Result<TokenSecret> add(TokenGrant grant) EXCLUDES(mutex_);
  Result<void> revoke(std::string_view name) EXCLUDES(mutex_);
  // Sorted by name.
  std::vector<TokenInfo> list() const EXCLUDES(mutex_);
  // Writes when each token was last used, if any was since the last write.
  Result<void> save_last_use() EXCLUDES(mutex_);

 private:
  AccessTokens(std::filesystem::path file, std::vector<StoredAccessToken> tokens);

  // Writes tokens_ as change() leaves them, then makes that the live set.
  // change returns false, with an error, to write nothing.
  template <class Change>
  Result<void> write_change(Change change) EXCLUDES(mutex_);

  const std::filesystem::path file_;
  Mutex write_mutex_;  // one writer of the file at a time; taken before mutex_
  mutable Mutex mutex_;
  std::vector<StoredAccessToken> tokens_ GUARDED_BY(mutex_);  // sorted by name
  bool has_unsaved_use_ GUARDED_BY(mutex_) = false;
};

}  // namespace todo
