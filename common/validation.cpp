#include "common/validation.hpp"

#include <cstdio>
#include <optional>

#include "common/list_name.hpp"

namespace todo {
namespace {

// Enough to recognise the text in a message without letting a hostile name
// flood a log line.
constexpr std::size_t kMaxQuotedCharacters = 64;

struct Character {
  char32_t code_point;
  std::size_t length;  // in bytes
};

// The character that starts at byte pos, or nullopt when the bytes there are
// not valid UTF-8.
std::optional<Character> decode_at(std::string_view text, std::size_t pos) {
  const auto byte_at = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte_at(pos);
  if (lead < 0x80) return Character{lead, 1};

  // The narrowed ranges for the second byte are those of RFC 3629's table:
  // they are what excludes overlong forms, surrogates and anything above
  // U+10FFFF. Leads C0, C1 and F5..FF can only start such forms.
  std::size_t length = 0;
  char32_t code_point = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0F;
    if (lead == 0xE0) second_min = 0xA0;
    if (lead == 0xED) second_max = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07;
    if (lead == 0xF0) second_min = 0x90;
    if (lead == 0xF4) second_max = 0x8F;
  } else {
    return std::nullopt;
  }
  if (text.size() - pos < length) return std::nullopt;
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned char byte = byte_at(pos + i);
    const unsigned char min = i == 1 ? second_min : 0x80;
    const unsigned char max = i == 1 ? second_max : 0xBF;
    if (byte < min || byte > max) return std::nullopt;
    code_point = (code_point << 6) | (byte & 0x3F);
  }
  return Character{code_point, length};
}

// C0, DEL and C1.
bool is_control(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
}

constexpr char kHexDigits[] = "0123456789ABCDEF";

std::string hex_byte(unsigned char byte) {
  return {kHexDigits[byte >> 4], kHexDigits[byte & 0x0F]};
}

Result<void> validate_text(std::string_view text, std::string_view what, std::size_t max_bytes,
                           bool allows_tab) {
  const std::string subject(what);
  if (text.empty()) return Error::invalid(subject + " is empty");
  if (text.size() > max_bytes) {
    return Error::invalid(subject + " is " + std::to_string(text.size()) + " bytes, more than " +
                          std::to_string(max_bytes));
  }
  // Byte positions in messages count from 0.
  for (std::size_t pos = 0; pos < text.size();) {
    const std::optional<Character> character = decode_at(text, pos);
    if (!character) {
      return Error::invalid(subject + " is not valid UTF-8 at byte " + std::to_string(pos));
    }
    const bool is_allowed_tab = allows_tab && character->code_point == U'\t';
    if (is_control(character->code_point) && !is_allowed_tab) {
      // Every control character is below U+0100, so four digits always suffice.
      return Error::invalid(subject + " contains control character U+00" +
                            hex_byte(static_cast<unsigned char>(character->code_point)) +
                            " at byte " + std::to_string(pos));
    }
    pos += character->length;
  }
  return {};
}

}  // namespace

Result<void> validate_list_name(std::string_view name) {
  return validate_text(name, "list name", kMaxListNameBytes, /*allows_tab=*/false);
}

Result<void> validate_title(std::string_view title) {
  return validate_text(title, "title", kMaxTitleBytes, /*allows_tab=*/true);
}

Result<void> validate_tag(std::string_view tag) {
  if (auto valid = validate_text(tag, "tag", kMaxTagBytes, /*allows_tab=*/false); !valid) {
    return valid;
  }
  if (const std::size_t at = tag.find_first_of(" ,"); at != std::string_view::npos) {
    return Error::invalid(std::string("tag ") + quoted_for_message(tag) + " contains " +
                          (tag[at] == ' ' ? "a space" : "a comma") + " at byte " +
                          std::to_string(at) + ": a tag is one word");
  }
  if (tag.front() == '+' || tag.front() == '-') {
    return Error::invalid("tag " + quoted_for_message(tag) + " starts with '" + tag.front() +
                          "': write the word without it");
  }
  return {};
}

std::string quoted_for_message(std::string_view text) {
  std::string quoted = "'";
  std::size_t shown = 0;
  for (std::size_t pos = 0; pos < text.size(); ++shown) {
    if (shown == kMaxQuotedCharacters) {
      quoted += "...";
      break;
    }
    const std::optional<Character> character = decode_at(text, pos);
    // An invalid byte is escaped alone, so that decoding resumes at the next one.
    const std::size_t length = character ? character->length : 1;
    const bool is_hidden = character && character->code_point >= 0x80 &&
                           is_refused_in_list_names(character->code_point);
    if (character && !is_control(character->code_point) && !is_hidden) {
      quoted.append(text.substr(pos, length));
    } else if (is_hidden) {
      char label[16];
      std::snprintf(label, sizeof label, "<U+%04X>", static_cast<unsigned>(character->code_point));
      quoted += label;
    } else {
      for (std::size_t i = pos; i < pos + length; ++i) {
        quoted += "\\x" + hex_byte(static_cast<unsigned char>(text[i]));
      }
    }
    pos += length;
  }
  quoted += '\'';
  return quoted;
}

}  // namespace todo
