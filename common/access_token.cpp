#include "common/access_token.hpp"

#include "common/list_name.hpp"
#include "common/validation.hpp"

namespace todo {

bool TokenGrant::allows(std::string_view list_name) const {
  if (list_patterns.empty()) return true;
  for (const std::string& pattern : list_patterns) {
    if (matches_list_pattern(pattern, list_name)) return true;
  }
  return false;
}

bool matches_list_pattern(std::string_view pattern, std::string_view list_name) {
  if (pattern.ends_with('*')) return list_name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == list_name;
}

Result<void> check_token_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTokenNameBytes) {
    return Error::invalid("a token name is 1 to " + std::to_string(kMaxTokenNameBytes) +
                          " characters, not " + std::to_string(name.size()));
  }
  for (const char c : name) {
    const bool is_allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!is_allowed) {
      return Error::invalid("token name " + quoted_for_message(name) +
                            " may hold only letters, digits, '.', '_' and '-'");
    }
  }
  if (name.front() == '-') {
    return Error::invalid("token name " + quoted_for_message(name) + " may not start with '-'");
  }
  return {};
}

Result<std::string> canonical_list_pattern(std::string_view pattern) {
  const bool is_prefix = pattern.ends_with('*');
  const std::string_view name = is_prefix ? pattern.substr(0, pattern.size() - 1) : pattern;
  if (name.find('*') != std::string_view::npos) {
    return Error::invalid("list pattern " + quoted_for_message(pattern) +
                          " may hold '*' only at its end");
  }
  if (is_prefix && name.empty()) return std::string(pattern);
  auto canonical = canonical_list_name(name);
  if (!canonical) {
    return Error::invalid("list pattern " + quoted_for_message(pattern) + ": " +
                          canonical.error().message);
  }
  return std::move(canonical).value() + (is_prefix ? "*" : "");
}

Result<TokenGrant> canonical_token_grant(TokenGrant grant) {
  if (auto checked = check_token_name(grant.name); !checked) return checked.error();
  if (grant.list_patterns.size() > kMaxListPatternsPerToken) {
    return Error::invalid("a token takes at most " + std::to_string(kMaxListPatternsPerToken) +
                          " list patterns, not " + std::to_string(grant.list_patterns.size()));
  }
  for (std::string& pattern : grant.list_patterns) {
    auto canonical = canonical_list_pattern(pattern);
    if (!canonical) return canonical.error();
    pattern = std::move(canonical).value();
  }
  return grant;
}

}  // namespace todo
