// The file in the data directory that keeps the HTTP front door's access
// tokens (AccessTokens): each token's name, lists, flags, times, and the
// SHA-256 of its secret, never the secret. JSON (Boost.JSON), so that an
// owner can read what it holds; written whole with write_durably (mode 0600),
// so a crash leaves the old file or the new one.
//
//   {"format": 1, "tokens": [{"name": "phone", "sha256": "<64 hex digits>",
//     "lists": ["alice/*"], "read_only": false, "created": 1764740000,
//     "last_used": 0}]}
//
// Thread safety: functions; one writer at a time (AccessTokens serializes).
#pragma once

#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "common/access_token.hpp"
#include "common/result.hpp"

namespace todo {

using TokenHash = std::array<unsigned char, 32>;  // SHA-256

struct StoredAccessToken {
  TokenInfo info;
  TokenHash secret_hash{};
};

// Lowercase hex, two digits a byte: how the file spells a hash, and how a
// secret's random bytes are written.
std::string hex_digits(std::span<const unsigned char> bytes);

// DATA_DIR/access-tokens.
std::filesystem::path access_token_file_path(const std::filesystem::path& data_dir);

// No file is no token. A file that does not parse, or holds a token that
// breaks the rules of common/access_token.hpp, is an error naming the file:
// todod does not start on a guess at who may reach it.
Result<std::vector<StoredAccessToken>> read_access_token_file(const std::filesystem::path& file);
Result<void> write_access_token_file(const std::filesystem::path& file,
                                     const std::vector<StoredAccessToken>& tokens);

}  // namespace todo
