// The canonical form of a list name: the one spelling todod keeps a list
// under, so that two names a person cannot tell apart are never two lists.
// A name is canonical when it passes validate_list_name, is in Unicode
// Normalization Form C (so "café" typed with U+00E9 and "café" typed as e and
// U+0301 are one name), and holds no character that shows as nothing or
// changes how the text around it is shown:
//
//   - bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE, U+2066..U+2069,
//     U+200E, ...), which reorder the rest of the name on screen;
//   - default ignorable code points (U+200B ZERO WIDTH SPACE, U+200D, U+FEFF,
//     U+00AD SOFT HYPHEN, variation selectors, Hangul fillers, ...), which a
//     terminal draws as nothing;
//   - the other format characters (general category Cf);
//   - line and paragraph separators (U+2028, U+2029), which break the line;
//   - unassigned code points and noncharacters, which a later Unicode version
//     or a font could draw as anything.
//
// todod applies this to every name a request carries, whichever front door it
// came through (daemon/list_name_resolution.hpp). The client sends names as
// typed: only todod knows whether a name that is not canonical belongs to a
// list stored before the rule, which keeps its name.
//
// The Unicode data is utf8proc's (Unicode 15.0 in Debian 12's utf8proc 2.8).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace todo {

// The name in NFC. Fails, saying which rule, when the name breaks
// validate_list_name, holds a character listed above (named as U+XXXX, with
// the byte it starts at, counted from 0), or is over kMaxListNameBytes once
// in NFC.
Result<std::string> canonical_list_name(std::string_view name);

// Whether the name is its own canonical form. A name of printable ASCII
// (nearly every name) is decided without a copy: todod asks this of every
// request.
bool is_canonical_list_name(std::string_view name);

// Whether a canonical name may not hold the character (the list above): what
// quoted_for_message shows as U+XXXX rather than letting a terminal draw it.
bool is_refused_in_list_names(char32_t code_point);

}  // namespace todo
