#include "common/list_name.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <string_view>

#include "rejection.hpp"

namespace todo {
namespace {

using testing::rejection;

// The UTF-8 of one code point. REQUIRES: a scalar value (no surrogate).
std::string utf8(char32_t code_point) {
  std::string out;
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
  return out;
}

// The canonical form, or the rejection when there is none.
std::string canonical(std::string_view name) {
  auto result = canonical_list_name(name);
  return result ? result.value() : rejection(result);
}

const std::string kCafeNfc = "caf\xC3\xA9";    // U+00E9
const std::string kCafeNfd = "cafe\xCC\x81";   // e, U+0301 COMBINING ACUTE ACCENT
const std::string kZeroWidthSpace = "\u200B";  // U+200B
const std::string kRightToLeftOverride = "\u202E";

TEST_CASE("the names of the issue that look like others are refused or normalized") {
  CHECK(canonical(kCafeNfd) == kCafeNfc);
  CHECK(canonical(kCafeNfc) == kCafeNfc);
  CHECK(canonical("bob" + kZeroWidthSpace) ==
        "invalid argument: list name contains invisible character U+200B at byte 3");
  CHECK(canonical(kRightToLeftOverride + "evil") ==
        "invalid argument: list name contains bidirectional control U+202E at byte 0");
  CHECK(canonical("a\u2028b") ==
        "invalid argument: list name contains line separator U+2028 at byte 1");
  CHECK(canonical("bob\uFEFF") ==
        "invalid argument: list name contains invisible character U+FEFF at byte 3");
}

TEST_CASE("a refused character is named with the byte it starts at") {
  CHECK(canonical("\u00E4" + kZeroWidthSpace) ==
        "invalid argument: list name contains invisible character U+200B at byte 2");
  CHECK(canonical("\U0001F6D2x\u200D") ==
        "invalid argument: list name contains invisible character U+200D at byte 5");
  SECTION("the first of several") {
    CHECK(canonical("a\u200C\u200B") ==
          "invalid argument: list name contains invisible character U+200C at byte 1");
  }
}

TEST_CASE("what each kind of refused character is called") {
  const auto refusal = [](char32_t code_point) { return canonical("x" + utf8(code_point)); };
  SECTION("bidirectional controls") {
    for (char32_t code_point : {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                                0x2066, 0x2067, 0x2068, 0x2069}) {
      CHECK_THAT(refusal(code_point), Catch::StartsWith("invalid argument: list name contains "
                                                        "bidirectional control U+"));
    }
  }
  SECTION("default ignorable code points") {
    CHECK(refusal(0x200B) ==
          "invalid argument: list name contains invisible character U+200B at byte 1");
    CHECK(refusal(0x200C) ==
          "invalid argument: list name contains invisible character U+200C at byte 1");
    CHECK(refusal(0x200D) ==
          "invalid argument: list name contains invisible character U+200D at byte 1");
    CHECK(refusal(0xFEFF) ==
          "invalid argument: list name contains invisible character U+FEFF at byte 1");
    CHECK(refusal(0x00AD) ==  // SOFT HYPHEN
          "invalid argument: list name contains invisible character U+00AD at byte 1");
    CHECK(refusal(0x034F) ==  // COMBINING GRAPHEME JOINER, a mark, not a format character
          "invalid argument: list name contains invisible character U+034F at byte 1");
    CHECK(refusal(0x180E) ==  // MONGOLIAN VOWEL SEPARATOR
          "invalid argument: list name contains invisible character U+180E at byte 1");
    CHECK(refusal(0x2060) ==  // WORD JOINER
          "invalid argument: list name contains invisible character U+2060 at byte 1");
    CHECK(refusal(0x3164) ==  // HANGUL FILLER, a letter that draws as nothing
          "invalid argument: list name contains invisible character U+3164 at byte 1");
    CHECK(refusal(0xFE0F) ==  // VARIATION SELECTOR-16
          "invalid argument: list name contains invisible character U+FE0F at byte 1");
    CHECK(refusal(0xE0041) ==  // TAG LATIN CAPITAL LETTER A
          "invalid argument: list name contains invisible character U+E0041 at byte 1");
  }
  SECTION("line and paragraph separators") {
    CHECK(refusal(0x2028) ==
          "invalid argument: list name contains line separator U+2028 at byte 1");
    CHECK(refusal(0x2029) ==
          "invalid argument: list name contains paragraph separator U+2029 at byte 1");
  }
  SECTION("format characters that are not default ignorable") {
    CHECK(refusal(0x0600) ==  // ARABIC NUMBER SIGN
          "invalid argument: list name contains format character U+0600 at byte 1");
    CHECK(refusal(0xFFF9) ==  // INTERLINEAR ANNOTATION ANCHOR
          "invalid argument: list name contains format character U+FFF9 at byte 1");
    CHECK(refusal(0x110BD) ==  // KAITHI NUMBER SIGN
          "invalid argument: list name contains format character U+110BD at byte 1");
  }
  SECTION("unassigned code points and noncharacters") {
    CHECK(refusal(0x0378) ==
          "invalid argument: list name contains unassigned code point U+0378 at byte 1");
    CHECK(refusal(0xE0000) ==  // default ignorable, but unassigned
          "invalid argument: list name contains unassigned code point U+E0000 at byte 1");
    CHECK(refusal(0x40000) ==
          "invalid argument: list name contains unassigned code point U+40000 at byte 1");
    CHECK(refusal(0xFDD0) == "invalid argument: list name contains noncharacter U+FDD0 at byte 1");
    CHECK(refusal(0xFFFE) == "invalid argument: list name contains noncharacter U+FFFE at byte 1");
    CHECK(refusal(0x10FFFF) ==
          "invalid argument: list name contains noncharacter U+10FFFF at byte 1");
  }
}

// Default_Ignorable_Code_Point, from Unicode 15.0's DerivedCoreProperties.txt,
// so that the rule is checked against Unicode's list rather than against the
// utf8proc property it is built on.
struct CodePointRange {
  char32_t first;
  char32_t last;
};
constexpr CodePointRange kDefaultIgnorable[] = {
    {0x00AD, 0x00AD},   {0x034F, 0x034F},   {0x061C, 0x061C}, {0x115F, 0x1160}, {0x17B4, 0x17B5},
    {0x180B, 0x180F},   {0x200B, 0x200F},   {0x202A, 0x202E}, {0x2060, 0x206F}, {0x3164, 0x3164},
    {0xFE00, 0xFE0F},   {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3},
    {0x1D173, 0x1D17A}, {0xE0000, 0xE0FFF},
};

TEST_CASE("every default ignorable code point of Unicode 15 is refused") {
  std::size_t refused = 0;
  std::size_t count = 0;
  for (const CodePointRange& range : kDefaultIgnorable) {
    for (char32_t code_point = range.first; code_point <= range.last; ++code_point) {
      ++count;
      const auto result = canonical_list_name("x" + utf8(code_point) + "y");
      if (!result) {
        ++refused;
      } else {
        FAIL_CHECK("U+" << std::hex << static_cast<unsigned>(code_point) << " was accepted");
      }
    }
  }
  CHECK(count == 4174);
  CHECK(refused == count);
}

TEST_CASE("names that differ only in normalization have one canonical form") {
  SECTION("precomposed and decomposed letters") {
    CHECK(canonical(kCafeNfd) == canonical(kCafeNfc));
    CHECK(canonical("Einka\xCC\x88ufe") == "Eink\xC3\xA4ufe");  // a, U+0308 -> U+00E4
  }
  SECTION("the order of combining marks of different classes") {
    // a with U+0323 DOT BELOW and U+0307 DOT ABOVE, in both orders.
    CHECK(canonical("a\u0323\u0307") == canonical("a\u0307\u0323"));
    CHECK(canonical("a\u0307\u0323") == "\u1EA1\u0307");
  }
  SECTION("Hangul syllables from their jamo") {
    CHECK(canonical("\u1112\u1161\u11AB") == "\uD55C");
  }
  SECTION("singletons: OHM SIGN is GREEK CAPITAL LETTER OMEGA") {
    CHECK(canonical("\u2126") == "\u03A9");
  }
  SECTION("NFC, not NFKC: compatibility characters stay as they are") {
    CHECK(canonical("\uFB01le") == "\uFB01le");  // LATIN SMALL LIGATURE FI
    CHECK(canonical("\uFF21") == "\uFF21");      // FULLWIDTH LATIN CAPITAL LETTER A
  }
}

TEST_CASE("ordinary names are their own canonical form") {
  for (const std::string name :
       {"groceries", "Bob's list", "work/2024", "a b", " leading and trailing ", "Eink\u00E4ufe",
        "\u8CB7\u3044\u7269", "\U0001F6D2", "\U0001F6D2 Einkauf",
        "Zahn\u00E4rztin \u2713 \U0001F9B7", "\u0391\u03B8\u03AE\u03BD\u03B1",
        "\u05E7\u05E0\u05D9\u05D5\u05EA", "\u00A0nbsp",
        "\U0010FFFD"}) {  // the last: a private use character, which is assigned
    CHECK(canonical(name) == name);
  }
}

TEST_CASE("the rules of validate_list_name still apply, with their messages") {
  CHECK(canonical("") == "invalid argument: list name is empty");
  CHECK(canonical(std::string(256, 'a')) ==
        "invalid argument: list name is 256 bytes, more than 255");
  CHECK(canonical("a\tb") ==
        "invalid argument: list name contains control character U+0009 at byte 1");
  CHECK(canonical("\xC3\xA4\xC2\x85") ==
        "invalid argument: list name contains control character U+0085 at byte 2");
  CHECK(canonical("ab\xBF") == "invalid argument: list name is not valid UTF-8 at byte 2");
  CHECK(canonical(std::string(255, 'a')) == std::string(255, 'a'));
}

TEST_CASE("the 255-byte limit applies to the name in NFC") {
  // U+0958 DEVANAGARI LETTER QA is 3 bytes; in NFC it is U+0915 U+093C, 6 bytes.
  std::string qa;
  for (int i = 0; i < 42; ++i) qa += "\u0958";
  CHECK(canonical(qa + "abc").size() == 42 * 6 + 3);
  CHECK(canonical(qa + "abcd") == "invalid argument: list name is 256 bytes in NFC, more than 255");
  std::string qa_255;
  for (int i = 0; i < 85; ++i) qa_255 += "\u0958";
  CHECK(canonical(qa_255) == "invalid argument: list name is 510 bytes in NFC, more than 255");
}

TEST_CASE("a canonical form is canonical: NFC brings in no refused character") {
  // Every code point, alone after a letter and before a combining mark, so
  // that NFC both decomposes and composes around it.
  std::size_t accepted = 0;
  for (char32_t code_point = 0x20; code_point <= 0x10FFFF; ++code_point) {
    if (code_point >= 0xD800 && code_point <= 0xDFFF) continue;
    const std::string name = "a" + utf8(code_point) + "\u0301";
    const auto result = canonical_list_name(name);
    if (!result) continue;
    ++accepted;
    const auto again = canonical_list_name(result.value());
    if (!again || again.value() != result.value()) {
      FAIL_CHECK("U+" << std::hex << static_cast<unsigned>(code_point)
                      << ": the canonical form is not canonical: " << rejection(again));
    }
  }
  // Unicode 15 assigns about 290,000 code points, 137,000 of them private use.
  CHECK(accepted > 280'000);
}

}  // namespace
}  // namespace todo
