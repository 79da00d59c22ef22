#include "daemon/access_tokens.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>

#include "common/validation.hpp"

namespace todo {
namespace {

constexpr std::string_view kSecretPrefix = "todo_";
constexpr std::size_t kSecretRandomBytes = 32;
constexpr std::size_t kSecretSize = kSecretPrefix.size() + 2 * kSecretRandomBytes;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TokenHash sha256(std::string_view text) {
  TokenHash hash{};
  // SHA-256 of a short string cannot fail but for a broken OpenSSL, whose
  // all-zero hash then matches no secret's.
  // Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up again on
  // every digest, which cost more than the digest of a secret itself.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_Digest(text.data(), text.size(), hash.data(), nullptr, kSha256, nullptr);
  return hash;
}

Result<std::string> new_secret() {
  unsigned char random[kSecretRandomBytes];
  if (RAND_bytes(random, sizeof random) != 1) {
    return Error::internal("cannot make a token: OpenSSL's random generator failed");
  }
  std::string secret = std::string(kSecretPrefix) + hex_digits(random);
  OPENSSL_cleanse(random, sizeof random);
  return secret;
}

bool by_name(const StoredAccessToken& a, const StoredAccessToken& b) {
  return a.info.grant.name < b.info.grant.name;
}

}  // namespace

Result<std::unique_ptr<AccessTokens>> AccessTokens::open(const std::filesystem::path& data_dir) {
  const std::filesystem::path file = access_token_file_path(data_dir);
  auto tokens = read_access_token_file(file);
  if (!tokens) return std::move(tokens).error();
  if (tokens.value().size() > kMaxTokens) {
    return Error::internal(file.string() + " holds " + std::to_string(tokens.value().size()) +
                           " access tokens, more than the " + std::to_string(kMaxTokens) +
                           " todod keeps");
  }
  std::sort(tokens.value().begin(), tokens.value().end(), by_name);
  return std::unique_ptr<AccessTokens>(new AccessTokens(file, std::move(tokens).value()));
}

AccessTokens::AccessTokens(std::filesystem::path file, std::vector<StoredAccessToken> tokens)
    : file_(std::move(file)), tokens_(std::move(tokens)) {}

std::optional<TokenGrant> AccessTokens::authenticate(std::string_view secret) {
  // The form of a secret is no secret: refusing other forms early says nothing.
  if (secret.size() != kSecretSize || !secret.starts_with(kSecretPrefix)) return std::nullopt;
  const TokenHash hash = sha256(secret);
  MutexLock lock(mutex_);
  StoredAccessToken* found = nullptr;
  for (StoredAccessToken& token : tokens_) {
    if (CRYPTO_memcmp(token.secret_hash.data(), hash.data(), hash.size()) == 0) found = &token;
  }
  if (found == nullptr) return std::nullopt;
  const std::int64_t now = unix_now();
  if (found->info.last_used_unix != now) {
    found->info.last_used_unix = now;
    has_unsaved_use_ = true;
  }
  return found->info.grant;
}

template <class Change>
Result<void> AccessTokens::write_change(Change change) {
  MutexLock writing(write_mutex_);
  std::vector<StoredAccessToken> next;
  {
    MutexLock lock(mutex_);
    next = tokens_;
  }
  if (auto changed = change(next); !changed) return changed;
  {
    // Cleared before the write: a use noted during it is noted again.
    MutexLock lock(mutex_);
    has_unsaved_use_ = false;
  }
  if (auto written = write_access_token_file(file_, next); !written) {
    MutexLock lock(mutex_);
    has_unsaved_use_ = true;
    return written;
  }
  MutexLock lock(mutex_);
  // Uses noted while the file was written stay noted, for the next write.
  for (StoredAccessToken& token : next) {
    for (const StoredAccessToken& live : tokens_) {
      if (live.info.grant.name == token.info.grant.name &&
          live.info.last_used_unix > token.info.last_used_unix) {
        token.info.last_used_unix = live.info.last_used_unix;
      }
    }
  }
  tokens_ = std::move(next);
  return {};
}

Result<TokenSecret> AccessTokens::add(TokenGrant grant) {
  auto canonical = canonical_token_grant(std::move(grant));
  if (!canonical) return canonical.error();
  auto secret = new_secret();
  if (!secret) return secret.error();
  StoredAccessToken token{{std::move(canonical).value(), unix_now(), 0}, sha256(secret.value())};
  auto added = write_change([&token](std::vector<StoredAccessToken>& tokens) -> Result<void> {
    const auto place = std::lower_bound(tokens.begin(), tokens.end(), token, by_name);
    if (place != tokens.end() && place->info.grant.name == token.info.grant.name) {
      return Error::invalid("there is a token named '" + token.info.grant.name +
                            "' already: revoke it first, or choose another name");
    }
    if (tokens.size() >= kMaxTokens) {
      return Error::invalid("todod keeps at most " + std::to_string(kMaxTokens) +
                            " tokens: revoke one first");
    }
    tokens.insert(place, token);
    return {};
  });
  if (!added) return added.error();
  return TokenSecret{std::move(secret).value()};
}

Result<void> AccessTokens::revoke(std::string_view name) {
  return write_change([name](std::vector<StoredAccessToken>& tokens) -> Result<void> {
    const auto found = std::find_if(tokens.begin(), tokens.end(), [name](const auto& token) {
      return token.info.grant.name == name;
    });
    if (found == tokens.end()) {
      return Error::not_found("no token named " + quoted_for_message(name) +
                              " (see todo token list)");
    }
    tokens.erase(found);
    return {};
  });
}

std::vector<TokenInfo> AccessTokens::list() const {
  MutexLock lock(mutex_);
  std::vector<TokenInfo> infos;
  infos.reserve(tokens_.size());
  for (const StoredAccessToken& token : tokens_) infos.push_back(token.info);
  return infos;
}

Result<void> AccessTokens::save_last_use() {
  {
    MutexLock lock(mutex_);
    if (!has_unsaved_use_) return {};
  }
  return write_change([](std::vector<StoredAccessToken>&) -> Result<void> { return {}; });
}

}  // namespace todo
