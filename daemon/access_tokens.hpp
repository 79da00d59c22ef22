// TEMPORARY stand-in until the tokens branch merges.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>
namespace todo {
struct TokenGrant {
  std::string name;
  std::vector<std::string> list_patterns;
  bool is_read_only = false;
  bool allows(std::string_view list_name) const {
    if (list_patterns.empty()) return true;
    for (const auto& p : list_patterns) if (p == list_name) return true;
    return false;
  }
};
class AccessTokens {
 public:
  std::optional<TokenGrant> authenticate(std::string_view secret) {
    if (secret == "test-secret") return TokenGrant{"test", {}, false};
    if (secret == "alice-secret") return TokenGrant{"alice", {"alice"}, false};
    if (secret == "reader-secret") return TokenGrant{"reader", {}, true};
    return std::nullopt;
  }
};
}
