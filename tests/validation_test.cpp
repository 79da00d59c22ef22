#include "common/validation.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <string_view>

#include "rejection.hpp"

namespace todo {
namespace {

using testing::rejection;

std::string bytes(std::string_view text) { return std::string(text); }

TEST_CASE("list names are 1 to 255 bytes") {
  CHECK(rejection(validate_list_name("")) == "invalid argument: list name is empty");
  CHECK(rejection(validate_list_name("b")) == "accepted");
  CHECK(rejection(validate_list_name(std::string(255, 'a'))) == "accepted");
  CHECK(rejection(validate_list_name(std::string(256, 'a'))) ==
        "invalid argument: list name is 256 bytes, more than 255");
  CHECK(rejection(validate_list_name(std::string(300, 'a'))) ==
        "invalid argument: list name is 300 bytes, more than 255");
}

TEST_CASE("list name length counts bytes, not characters") {
  std::string two_byte_characters;
  for (int i = 0; i < 127; ++i) two_byte_characters += "ä";
  CHECK(rejection(validate_list_name(two_byte_characters + "a")) == "accepted");
  CHECK(rejection(validate_list_name(two_byte_characters + "ä")) ==
        "invalid argument: list name is 256 bytes, more than 255");
}

TEST_CASE("titles are 1 to 4096 bytes") {
  CHECK(rejection(validate_title("")) == "invalid argument: title is empty");
  CHECK(rejection(validate_title("x")) == "accepted");
  CHECK(rejection(validate_title(std::string(4096, 'a'))) == "accepted");
  CHECK(rejection(validate_title(std::string(4097, 'a'))) ==
        "invalid argument: title is 4097 bytes, more than 4096");
}

TEST_CASE("titles may hold a tab, list names may not") {
  CHECK(rejection(validate_title("a\tb")) == "accepted");
  CHECK(rejection(validate_title("\t")) == "accepted");
  CHECK(rejection(validate_list_name("a\tb")) ==
        "invalid argument: list name contains control character U+0009 at byte 1");
}

TEST_CASE("control characters are refused, naming the character and its byte") {
  CHECK(rejection(validate_title("Hello\nworld")) ==
        "invalid argument: title contains control character U+000A at byte 5");
  CHECK(rejection(validate_list_name("Hello\nworld")) ==
        "invalid argument: list name contains control character U+000A at byte 5");
  CHECK(rejection(validate_title("a\rb")) ==
        "invalid argument: title contains control character U+000D at byte 1");
  CHECK(rejection(validate_title(bytes({"ab\0c", 4}))) ==
        "invalid argument: title contains control character U+0000 at byte 2");
  CHECK(rejection(validate_list_name(bytes({"\0", 1}))) ==
        "invalid argument: list name contains control character U+0000 at byte 0");
  CHECK(rejection(validate_title("x\x1f")) ==
        "invalid argument: title contains control character U+001F at byte 1");
  CHECK(rejection(validate_title("x\x1b[31m")) ==
        "invalid argument: title contains control character U+001B at byte 1");
  CHECK(rejection(validate_title("x\x7f")) ==
        "invalid argument: title contains control character U+007F at byte 1");
  CHECK(rejection(validate_list_name("x\x7f")) ==
        "invalid argument: list name contains control character U+007F at byte 1");

  SECTION("C1 controls, which are two bytes in UTF-8") {
    CHECK(rejection(validate_title("a\xC2\x85")) ==
          "invalid argument: title contains control character U+0085 at byte 1");
    CHECK(rejection(validate_list_name("a\xC2\x80")) ==
          "invalid argument: list name contains control character U+0080 at byte 1");
    CHECK(rejection(validate_title("\xC2\x9F")) ==
          "invalid argument: title contains control character U+009F at byte 0");
  }
  SECTION("the byte counts multibyte characters before it") {
    CHECK(rejection(validate_title("ä\n")) ==
          "invalid argument: title contains control character U+000A at byte 2");
  }
  SECTION("the neighbours of the control ranges are allowed") {
    CHECK(rejection(validate_title(" ~")) == "accepted");                // U+0020, U+007E
    CHECK(rejection(validate_list_name("\xC2\xA0")) == "accepted");      // U+00A0
    CHECK(rejection(validate_title("\xC2\xA0\xC3\xBF")) == "accepted");  // U+00A0, U+00FF
  }
}

TEST_CASE("text must be valid UTF-8, and the error gives the byte where it stops being") {
  SECTION("overlong forms") {
    CHECK(rejection(validate_title("ab\xC0\xAF")) ==
          "invalid argument: title is not valid UTF-8 at byte 2");
    CHECK(rejection(validate_list_name("\xC0\xAF")) ==
          "invalid argument: list name is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xC1\xBF")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xE0\x80\xAF")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xE0\x9F\xBF")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xF0\x80\x80\xAF")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xF0\x8F\xBF\xBF")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
  }
  SECTION("surrogates") {
    CHECK(rejection(validate_title("a\xED\xA0\x80")) ==
          "invalid argument: title is not valid UTF-8 at byte 1");
    CHECK(rejection(validate_list_name("\xED\xBF\xBF")) ==
          "invalid argument: list name is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xED\x9F\xBF")) == "accepted");  // U+D7FF
    CHECK(rejection(validate_title("\xEE\x80\x80")) == "accepted");  // U+E000
  }
  SECTION("beyond U+10FFFF") {
    CHECK(rejection(validate_title("\xF4\x90\x80\x80")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xF5\x80\x80\x80")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xFF")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xF4\x8F\xBF\xBF")) == "accepted");  // U+10FFFF
  }
  SECTION("truncated sequences") {
    CHECK(rejection(validate_title("abc\xE2\x82")) ==
          "invalid argument: title is not valid UTF-8 at byte 3");
    CHECK(rejection(validate_list_name("\xE2\x82x")) ==
          "invalid argument: list name is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("\xF0\x9F\xA6")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_title("x\xC3")) ==
          "invalid argument: title is not valid UTF-8 at byte 1");
  }
  SECTION("a sequence cut by the end of the text, though the bytes after it would finish it") {
    const std::string_view euro_sign_cut = std::string_view("abc\xE2\x82\xAC").substr(0, 5);
    CHECK(rejection(validate_title(euro_sign_cut)) ==
          "invalid argument: title is not valid UTF-8 at byte 3");
    CHECK(quoted_for_message(euro_sign_cut) == "'abc\\xE2\\x82'");
  }
  SECTION("stray continuation bytes") {
    CHECK(rejection(validate_title("\x80")) ==
          "invalid argument: title is not valid UTF-8 at byte 0");
    CHECK(rejection(validate_list_name("ab\xBF")) ==
          "invalid argument: list name is not valid UTF-8 at byte 2");
    CHECK(rejection(validate_title("\xC3\xA4\xA4")) ==
          "invalid argument: title is not valid UTF-8 at byte 2");
  }
  SECTION("valid multibyte text, including the smallest of each length") {
    CHECK(rejection(validate_title("Zahnärztin ✓ 🦷")) == "accepted");
    CHECK(rejection(validate_list_name("Zahnärztin ✓ 🦷")) == "accepted");
    CHECK(rejection(validate_title("\xE0\xA0\x80")) == "accepted");      // U+0800
    CHECK(rejection(validate_title("\xF0\x90\x80\x80")) == "accepted");  // U+10000
  }
}

TEST_CASE("quoted_for_message quotes plain text as it is") {
  CHECK(quoted_for_message("bob") == "'bob'");
  CHECK(quoted_for_message("") == "''");
  CHECK(quoted_for_message("Zahnärztin ✓ 🦷") == "'Zahnärztin ✓ 🦷'");
}

TEST_CASE("quoted_for_message names what a terminal would hide or reorder") {
  CHECK(quoted_for_message("\u202Eevil") == "'<U+202E>evil'");
  CHECK(quoted_for_message("bob\u200B") == "'bob<U+200B>'");
  CHECK(quoted_for_message("a\u2028b") == "'a<U+2028>b'");
  CHECK(quoted_for_message("x\uFEFF") == "'x<U+FEFF>'");
  CHECK(quoted_for_message("cafe\u0301") == "'cafe\u0301'");  // shown: a combining accent
}

TEST_CASE("quoted_for_message shows control and invalid bytes as \\xNN") {
  CHECK(quoted_for_message("a\nb") == "'a\\x0Ab'");
  CHECK(quoted_for_message("a\tb") == "'a\\x09b'");
  CHECK(quoted_for_message(bytes({"a\0b", 3})) == "'a\\x00b'");
  CHECK(quoted_for_message("\x7f") == "'\\x7F'");
  CHECK(quoted_for_message("\x1b[31mred") == "'\\x1B[31mred'");
  CHECK(quoted_for_message("\xC2\x85") == "'\\xC2\\x85'");
  CHECK(quoted_for_message("a\xFF") == "'a\\xFF'");
  CHECK(quoted_for_message("\xC0\xAF") == "'\\xC0\\xAF'");
  CHECK(quoted_for_message("\xED\xA0\x80") == "'\\xED\\xA0\\x80'");
  CHECK(quoted_for_message("\xE2\x82") == "'\\xE2\\x82'");
  CHECK(quoted_for_message("\xE2\x82x") == "'\\xE2\\x82x'");
  CHECK(quoted_for_message("\x80ä") == "'\\x80ä'");
}

TEST_CASE("quoted_for_message cuts long text after 64 characters") {
  CHECK(quoted_for_message(std::string(64, 'a')) == "'" + std::string(64, 'a') + "'");
  CHECK(quoted_for_message(std::string(65, 'a')) == "'" + std::string(64, 'a') + "...'");
  CHECK(quoted_for_message(std::string(4097, 'a')) == "'" + std::string(64, 'a') + "...'");

  std::string checks;
  for (int i = 0; i < 64; ++i) checks += "✓";
  CHECK(quoted_for_message(checks) == "'" + checks + "'");
  CHECK(quoted_for_message(checks + "✓✓") == "'" + checks + "...'");

  std::string escaped;
  for (int i = 0; i < 64; ++i) escaped += "\\x0A";
  CHECK(quoted_for_message(std::string(100, '\n')) == "'" + escaped + "...'");
}

// The widest character shown is a C1 control: two bytes, each escaped as \xNN.
constexpr std::size_t kLongestQuoted = 2 + 64 * 8 + 3;

// What a message may carry: quoted, valid UTF-8 without control characters,
// and short whatever the input.
void check_safe_for_message(std::string_view text) {
  const std::string quoted = quoted_for_message(text);
  INFO("quoted: " << quoted);
  REQUIRE(quoted.size() >= 2);
  CHECK(quoted.front() == '\'');
  CHECK(quoted.back() == '\'');
  CHECK(rejection(validate_title(quoted)) == "accepted");
  CHECK(quoted.find('\t') == std::string::npos);  // the one control a title allows
  CHECK(quoted.size() <= kLongestQuoted);
}

TEST_CASE("quoted_for_message is safe on any bytes") {
  SECTION("every one- and two-byte string") {
    for (int first = 0; first < 256; ++first) {
      check_safe_for_message(std::string(1, static_cast<char>(first)));
      for (int second = 0; second < 256; ++second) {
        const char pair[] = {static_cast<char>(first), static_cast<char>(second)};
        check_safe_for_message(std::string_view(pair, 2));
      }
    }
  }
  SECTION("random strings, mostly high bytes") {
    std::mt19937 random(20181219);
    std::uniform_int_distribution<int> length(0, 300);
    std::uniform_int_distribution<int> byte(0x70, 0xFF);
    for (int i = 0; i < 2000; ++i) {
      std::string text(static_cast<std::size_t>(length(random)), '\0');
      for (char& c : text) c = static_cast<char>(byte(random));
      check_safe_for_message(text);
    }
  }
  SECTION("the longest output: C1 controls") {
    std::string text;
    for (int i = 0; i < 100; ++i) text += "\xC2\x85";
    check_safe_for_message(text);
    CHECK(quoted_for_message(text).size() == kLongestQuoted);
  }
}

}  // namespace
}  // namespace todo
