// todo::AccessTokens on a real data directory: a secret is said once and kept
// only as its hash; a token is refused once revoked; tokens, and when they
// were last used, survive a reopen; a damaged file is refused, not guessed
// at; the rules of names and list patterns.
#include "daemon/access_tokens.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "temp_dir.hpp"

namespace todo::testing {
namespace {

std::unique_ptr<AccessTokens> open_tokens(const TempDir& dir) {
  auto tokens = AccessTokens::open(dir.path());
  if (!tokens) FAIL(tokens.error().message);
  return std::move(tokens).value();
}

std::string add_token(AccessTokens& tokens, TokenGrant grant) {
  auto secret = tokens.add(std::move(grant));
  if (!secret) FAIL(secret.error().message);
  return secret.value().secret;
}

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The first token's object in a file of write_access_token_file's.
std::string token_in(const std::string& file) {
  const std::size_t start = file.find("[{") + 1;
  return file.substr(start, file.find("}]") + 1 - start);
}

}  // namespace

TEST_CASE("A token's secret authenticates as its grant and no other secret does") {
  TempDir dir;
  auto tokens = open_tokens(dir);
  const std::string phone = add_token(*tokens, {"phone", {"alice/*"}, true});
  const std::string laptop = add_token(*tokens, {"laptop", {}, false});
  CHECK(phone.size() == 69);
  CHECK(phone.starts_with("todo_"));
  CHECK(phone != laptop);

  const auto grant = tokens->authenticate(phone);
  REQUIRE(grant.has_value());
  CHECK(*grant == TokenGrant{"phone", {"alice/*"}, true});
  CHECK(tokens->authenticate(laptop)->name == "laptop");

  std::string wrong = phone;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  CHECK_FALSE(tokens->authenticate(wrong).has_value());
  CHECK_FALSE(tokens->authenticate("").has_value());
  CHECK_FALSE(tokens->authenticate(phone.substr(0, 68)).has_value());
  CHECK_FALSE(tokens->authenticate(phone + "0").has_value());
}

TEST_CASE("The file keeps hashes and never a secret and is readable by its owner alone") {
  TempDir dir;
  auto tokens = open_tokens(dir);
  const std::string secret = add_token(*tokens, {"phone", {}, false});
  const std::filesystem::path file = access_token_file_path(dir.path());
  const std::string text = file_text(file);
  CHECK(text.find(secret) == std::string::npos);
  CHECK(text.find(secret.substr(5)) == std::string::npos);
  CHECK(text.find("\"sha256\"") != std::string::npos);
  struct stat status {};
  REQUIRE(::stat(file.c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0600);
}

TEST_CASE("A revoked token is refused from then on and its name may be used again") {
  TempDir dir;
  auto tokens = open_tokens(dir);
  const std::string old_secret = add_token(*tokens, {"phone", {}, false});
  REQUIRE(tokens->authenticate(old_secret).has_value());
  REQUIRE(tokens->revoke("phone"));
  CHECK_FALSE(tokens->authenticate(old_secret).has_value());
  CHECK(tokens->list().empty());
  const auto missing = tokens->revoke("phone");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "no token named 'phone' (see todo token list)");

  const std::string new_secret = add_token(*tokens, {"phone", {}, false});
  CHECK(tokens->authenticate(new_secret).has_value());
  CHECK_FALSE(tokens->authenticate(old_secret).has_value());
  // And it stays revoked after a reopen.
  tokens.reset();
  tokens = open_tokens(dir);
  CHECK_FALSE(tokens->authenticate(old_secret).has_value());
  CHECK(tokens->authenticate(new_secret).has_value());
}

TEST_CASE("Tokens and their last use survive a reopen") {
  TempDir dir;
  std::string secret;
  {
    auto tokens = open_tokens(dir);
    secret = add_token(*tokens, {"phone", {"alice", "bob/*"}, true});
    add_token(*tokens, {"a-first", {}, false});
    CHECK(tokens->list()[1].last_used_unix == 0);
    REQUIRE(tokens->authenticate(secret));
    REQUIRE(tokens->save_last_use());
  }
  auto tokens = open_tokens(dir);
  const std::vector<TokenInfo> listed = tokens->list();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].grant.name == "a-first");
  CHECK(listed[0].last_used_unix == 0);
  CHECK(listed[1].grant == TokenGrant{"phone", {"alice", "bob/*"}, true});
  CHECK(listed[1].created_unix > 1'700'000'000);
  CHECK(listed[1].last_used_unix >= listed[1].created_unix);
  CHECK(tokens->authenticate(secret).has_value());
}

TEST_CASE("A change that is refused keeps the uses noted before it for the next write") {
  TempDir dir;
  std::string secret;
  {
    auto tokens = open_tokens(dir);
    secret = add_token(*tokens, {"phone", {}, false});
    REQUIRE(tokens->authenticate(secret));
    REQUIRE_FALSE(tokens->add({"phone", {}, false}));
    REQUIRE_FALSE(tokens->revoke("nobody"));
    REQUIRE(tokens->save_last_use());
  }
  CHECK(open_tokens(dir)->list()[0].last_used_unix > 0);
}

TEST_CASE("A second token of one name and names or patterns outside the rules are refused") {
  TempDir dir;
  auto tokens = open_tokens(dir);
  add_token(*tokens, {"phone", {}, false});
  const auto again = tokens->add({"phone", {}, false});
  REQUIRE_FALSE(again);
  CHECK(again.error().message.find("there is a token named 'phone' already") == 0);
  for (const std::string& name :
       std::vector<std::string>{"", "has space", "-dash", "sl/ash", std::string(65, 'a')}) {
    INFO("name " << name);
    CHECK_FALSE(tokens->add({name, {}, false}));
  }
  CHECK(tokens->add({std::string(64, 'a'), {}, false}));
  for (const std::string& pattern : std::vector<std::string>{"", "a*b", "**", "bad\x01name"}) {
    INFO("pattern " << pattern);
    CHECK_FALSE(tokens->add({"p", {pattern}, false}));
  }
  CHECK_FALSE(tokens->add({"many", std::vector<std::string>(65, "alice"), false}));
  CHECK(tokens->list().size() == 2);
}

TEST_CASE("List patterns are stored in the canonical form list names take") {
  TempDir dir;
  auto tokens = open_tokens(dir);
  // "cafe" with U+0301 COMBINING ACUTE ACCENT, then a prefix of it.
  const std::string secret = add_token(*tokens, {"p", {"cafe\xCC\x81", "cafe\xCC\x81/*"}, false});
  const auto grant = tokens->authenticate(secret);
  REQUIRE(grant);
  CHECK(grant->list_patterns == std::vector<std::string>{"caf\xC3\xA9", "caf\xC3\xA9/*"});
  CHECK(grant->allows("caf\xC3\xA9"));
  CHECK(grant->allows("caf\xC3\xA9/home"));
  CHECK_FALSE(grant->allows("caf\xC3\xA9s"));
}

TEST_CASE("A pattern matches its list exactly or as a prefix before its star") {
  CHECK(matches_list_pattern("alice", "alice"));
  CHECK_FALSE(matches_list_pattern("alice", "alice/home"));
  CHECK_FALSE(matches_list_pattern("alice", "alic"));
  CHECK(matches_list_pattern("alice/*", "alice/home"));
  CHECK(matches_list_pattern("alice/*", "alice/"));
  CHECK_FALSE(matches_list_pattern("alice/*", "alice"));
  CHECK_FALSE(matches_list_pattern("alice/*", "bob/alice/x"));
  CHECK(matches_list_pattern("*", "anything"));
  CHECK(TokenGrant{"all", {}, false}.allows("anything"));
  CHECK_FALSE(TokenGrant{"two", {"a", "b/*"}, false}.allows("c"));
  CHECK(TokenGrant{"two", {"a", "b/*"}, false}.allows("b/c"));
}

TEST_CASE("A damaged token file stops the open with a message naming it") {
  TempDir dir;
  const std::filesystem::path file = access_token_file_path(dir.path());
  {
    auto tokens = open_tokens(dir);
    add_token(*tokens, {"phone", {}, false});
  }
  const std::string good = file_text(file);
  for (const std::string& damaged : std::vector<std::string>{
           good.substr(0, good.size() / 2), std::string("{\"format\": 2, \"tokens\": []}"),
           std::string("{\"format\": 1}"), std::string("[]"),
           std::string(R"({"format":1,"tokens":[{"name":"x","sha256":"zz","lists":[],)"
                       R"("read_only":false,"created":0,"last_used":0}]})"),
           std::string(R"({"format":1,"tokens":[{"name":"bad name","sha256":")") +
               std::string(64, '0') +
               R"(","lists":[],"read_only":false,"created":0,"last_used":0}]})",
           // The good file's token twice: one name, one hash.
           "{\"format\":1,\"tokens\":[" + token_in(good) + "," + token_in(good) + "]}"}) {
    INFO("file: " << damaged);
    std::ofstream(file, std::ios::trunc) << damaged;
    const auto opened = AccessTokens::open(dir.path());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().message.find(file.string()) != std::string::npos);
  }
  std::ofstream(file, std::ios::trunc) << good;
  CHECK(open_tokens(dir)->list().size() == 1);
}

}  // namespace todo::testing
