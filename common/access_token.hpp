// What an access token for the HTTP front door may do, as todod keeps it and
// `todo token` shows it: its name, the lists it may reach, whether it may
// change them. The secret itself is never part of these values: todod keeps
// only its SHA-256 (AccessTokens), and says the secret once, when it is made.
//
// A list pattern is a list name, matched as it is, or a prefix followed by
// one '*' at its end, matching every list whose name starts with the prefix:
// "alice" is that list alone, "alice/*" every list under "alice/", "*" all of
// them. A token with no pattern reaches every list.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace todo {

inline constexpr std::size_t kMaxTokenNameBytes = 64;
inline constexpr std::size_t kMaxListPatternsPerToken = 64;

struct TokenGrant {
  std::string name;
  std::vector<std::string> list_patterns;
  bool is_read_only = false;

  // Whether the token may reach the list of this (canonical) name.
  bool allows(std::string_view list_name) const;

  friend bool operator==(const TokenGrant&, const TokenGrant&) = default;
};

// A token as `todo token list` shows it.
struct TokenInfo {
  TokenGrant grant;
  std::int64_t created_unix = 0;    // seconds since 1970
  std::int64_t last_used_unix = 0;  // 0: never used

  friend bool operator==(const TokenInfo&, const TokenInfo&) = default;
};

// The secret of a token just made, in the reply to `todo token add`.
struct TokenSecret {
  std::string secret;

  friend bool operator==(const TokenSecret&, const TokenSecret&) = default;
};

bool matches_list_pattern(std::string_view pattern, std::string_view list_name);

// 1 to 64 of the letters, digits and "._-": a name that reads the same in a
// log line, a shell and a file.
Result<void> check_token_name(std::string_view name);
// The pattern with its name part in canonical form (list_name.hpp), as lists
// are kept: fails when that part is not a list name, or '*' is not last.
Result<std::string> canonical_list_pattern(std::string_view pattern);
// The grant with its name checked and its patterns canonical, at most
// kMaxListPatternsPerToken of them.
Result<TokenGrant> canonical_token_grant(TokenGrant grant);

}  // namespace todo
