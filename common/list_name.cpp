#include "common/list_name.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "common/validation.hpp"

namespace todo {
namespace {

// Unicode's Bidi_Control property, which utf8proc does not carry. Every one of
// them is also default ignorable, but "bidirectional control" tells a person
// more about what it does to the name.
bool is_bidirectional_control(utf8proc_int32_t code_point) {
  return code_point == 0x061C || code_point == 0x200E || code_point == 0x200F ||
         (code_point >= 0x202A && code_point <= 0x202E) ||
         (code_point >= 0x2066 && code_point <= 0x2069);
}

// U+FDD0..U+FDEF and the last two code points of every plane. Their general
// category is Cn, so they would be refused as unassigned; the message says
// what they are.
bool is_noncharacter(utf8proc_int32_t code_point) {
  return (code_point >= 0xFDD0 && code_point <= 0xFDEF) || (code_point & 0xFFFE) == 0xFFFE;
}

// What the character would do to a list name, or nullopt when it may be in one.
std::optional<std::string_view> refusal_reason(utf8proc_int32_t code_point) {
  if (is_bidirectional_control(code_point)) return "bidirectional control";
  const utf8proc_property_t* property = utf8proc_get_property(code_point);
  if (property->category == UTF8PROC_CATEGORY_ZL) return "line separator";
  if (property->category == UTF8PROC_CATEGORY_ZP) return "paragraph separator";
  // utf8proc's ignorable is Unicode's Default_Ignorable_Code_Point for every
  // assigned code point; the unassigned ones of that set are refused as
  // unassigned below.
  if (property->ignorable) return "invisible character";
  if (property->category == UTF8PROC_CATEGORY_CF) return "format character";
  if (is_noncharacter(code_point)) return "noncharacter";
  if (property->category == UTF8PROC_CATEGORY_CN) return "unassigned code point";
  return std::nullopt;
}

std::string code_point_label(utf8proc_int32_t code_point) {
  char label[16];
  std::snprintf(label, sizeof label, "U+%04X", static_cast<unsigned>(code_point));
  return label;
}

// Printable ASCII is its own NFC and holds no character refused here: most
// names take this path, which spares them utf8proc's two passes and its
// allocation on todod's I/O thread.
bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// REQUIRES: name is valid UTF-8 (validate_list_name succeeded).
Result<void> refuse_invisible(std::string_view name) {
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(name.data());
  const auto size = static_cast<utf8proc_ssize_t>(name.size());
  for (utf8proc_ssize_t pos = 0; pos < size;) {
    utf8proc_int32_t code_point = 0;
    const utf8proc_ssize_t length = utf8proc_iterate(bytes + pos, size - pos, &code_point);
    if (length <= 0) return Error::internal("utf8proc cannot decode a validated list name");
    if (const auto reason = refusal_reason(code_point)) {
      return Error::invalid("list name contains " + std::string(*reason) + " " +
                            code_point_label(code_point) + " at byte " + std::to_string(pos));
    }
    pos += length;
  }
  return {};
}

// REQUIRES: name is valid UTF-8.
Result<std::string> nfc(std::string_view name) {
  utf8proc_uint8_t* mapped = nullptr;
  // STABLE | COMPOSE is NFC (utf8proc_NFC, which needs a NUL-terminated string).
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
                   static_cast<utf8proc_ssize_t>(name.size()), &mapped,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
  if (length < 0) {
    return Error::internal(std::string("cannot normalize a list name: ") + utf8proc_errmsg(length));
  }
  return std::string(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length));
}

}  // namespace

bool is_refused_in_list_names(char32_t code_point) {
  return refusal_reason(static_cast<utf8proc_int32_t>(code_point)).has_value();
}

bool is_canonical_list_name(std::string_view name) {
  if (!validate_list_name(name)) return false;
  if (is_ascii(name)) return true;
  const auto canonical = canonical_list_name(name);
  return canonical && canonical.value() == name;
}

Result<std::string> canonical_list_name(std::string_view name) {
  if (auto valid = validate_list_name(name); !valid) return valid.error();
  if (is_ascii(name)) return std::string(name);
  // The characters are checked as they were sent, so that the byte in the
  // message is one the sender can find. NFC brings in none of them: it only
  // composes and decomposes assigned characters, none of which is refused
  // here (tests/list_name_test.cpp checks every code point).
  if (auto visible = refuse_invisible(name); !visible) return visible.error();
  auto normalized = nfc(name);
  if (!normalized) return normalized;
  // A few characters grow in NFC: U+0958 DEVANAGARI QA, 3 bytes, is 6 bytes in NFC.
  if (normalized.value().size() > kMaxListNameBytes) {
    return Error::invalid("list name is " + std::to_string(normalized.value().size()) +
                          " bytes in NFC, more than " + std::to_string(kMaxListNameBytes));
  }
  return normalized;
}

}  // namespace todo
