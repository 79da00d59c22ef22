#include "daemon/storage/access_token_file.hpp"

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "daemon/storage/durable_file.hpp"

namespace todo {
namespace {

namespace json = boost::json;

constexpr std::int64_t kFormat = 1;

bool parse_hex(std::string_view hex, TokenHash& hash) {
  if (hex.size() != hash.size() * 2) return false;
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < hash.size(); ++i) {
    const int high = digit(hex[2 * i]);
    const int low = digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    hash[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return true;
}

// One token of the file; throws std::exception (Boost.JSON's accessors, or
// ours with a message) when it is not what write_access_token_file writes.
StoredAccessToken token_of(const json::value& value) {
  const json::object& object = value.as_object();
  StoredAccessToken token;
  TokenGrant& grant = token.info.grant;
  grant.name = json::value_to<std::string>(object.at("name"));
  for (const json::value& pattern : object.at("lists").as_array()) {
    grant.list_patterns.push_back(json::value_to<std::string>(pattern));
  }
  grant.is_read_only = object.at("read_only").as_bool();
  token.info.created_unix = object.at("created").to_number<std::int64_t>();
  token.info.last_used_unix = object.at("last_used").to_number<std::int64_t>();
  if (!parse_hex(object.at("sha256").as_string(), token.secret_hash)) {
    throw std::runtime_error("token '" + grant.name + "': sha256 is not 64 hex digits");
  }
  auto canonical = canonical_token_grant(grant);
  if (!canonical) throw std::runtime_error(canonical.error().message);
  if (canonical.value() != grant) {
    throw std::runtime_error("token '" + grant.name + "': a list pattern is not canonical");
  }
  return token;
}

}  // namespace

std::string hex_digits(std::span<const unsigned char> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (const unsigned char byte : bytes) {
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0xf];
  }
  return hex;
}

std::filesystem::path access_token_file_path(const std::filesystem::path& data_dir) {
  return data_dir / "access-tokens";
}

Result<std::vector<StoredAccessToken>> read_access_token_file(const std::filesystem::path& file) {
  std::error_code exists_error;
  if (!std::filesystem::exists(file, exists_error) && !exists_error) {
    return std::vector<StoredAccessToken>{};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::internal("cannot read " + file.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  const std::string what = "the access tokens in " + file.string();
  boost::system::error_code parse_error;
  const json::value document = json::parse(text.str(), parse_error);
  if (parse_error) {
    return Error::internal(what + " are damaged (" + parse_error.message() +
                           "): restore the file, or move it away to start with no token");
  }
  std::vector<StoredAccessToken> tokens;
  try {
    const json::object& object = document.as_object();
    if (object.at("format").to_number<std::int64_t>() != kFormat) {
      return Error::internal(what + " are in format " + json::serialize(object.at("format")) +
                             ", which this todod does not read");
    }
    for (const json::value& token : object.at("tokens").as_array()) {
      tokens.push_back(token_of(token));
      // Two of one name could not both be revoked; two of one hash would be
      // one secret with two grants.
      for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
        if (tokens[i].info.grant.name == tokens.back().info.grant.name ||
            tokens[i].secret_hash == tokens.back().secret_hash) {
          throw std::runtime_error("two tokens named '" + tokens[i].info.grant.name + "' and '" +
                                   tokens.back().info.grant.name + "' share a name or a secret");
        }
      }
    }
  } catch (const std::exception& e) {
    return Error::internal(what + " are damaged (" + e.what() +
                           "): restore the file, or move it away to start with no token");
  }
  return tokens;
}

Result<void> write_access_token_file(const std::filesystem::path& file,
                                     const std::vector<StoredAccessToken>& tokens) {
  json::array array;
  for (const StoredAccessToken& token : tokens) {
    const TokenGrant& grant = token.info.grant;
    json::array lists;
    for (const std::string& pattern : grant.list_patterns) lists.emplace_back(pattern);
    array.push_back(json::object{{"name", grant.name},
                                 {"sha256", hex_digits(token.secret_hash)},
                                 {"lists", std::move(lists)},
                                 {"read_only", grant.is_read_only},
                                 {"created", token.info.created_unix},
                                 {"last_used", token.info.last_used_unix}});
  }
  const std::string text =
      json::serialize(json::object{{"format", kFormat}, {"tokens", std::move(array)}}) + "\n";
  return write_durably(file, text);
}

}  // namespace todo
