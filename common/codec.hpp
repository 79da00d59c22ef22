// Encoding of stored data with cereal's portable binary archive.
//
// Every encoded value starts with a format version (kFormatVersion) so that a
// later version of todo can read what this one wrote; decoders accept every
// version up to their own and refuse newer ones by name. tests/upgrade_test.cpp
// serves a data directory written by todod 0.1.0 (format 1) to hold them to it.
//
// Decoding is hardened against truncated, corrupt and hostile bytes: it never
// crashes or hangs, never allocates more than the input can justify (a length
// prefix larger than the bytes that remain is refused before any allocation),
// refuses trailing bytes, and validates what it reads (dates, titles). Every
// failure is an Error with a message, never an exception.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/entry.hpp"
#include "common/idempotency_key.hpp"
#include "common/result.hpp"

namespace todo {

// Version 2 adds an entry's tags after its done flag; a version 1 entry has
// none. Each value is written in the oldest version that holds it: an entry
// without tags, and everything else, as version 1.
inline constexpr std::uint32_t kFormatVersion = 2;

// What a list keeps besides its entries: the next id to hand out (so ids are
// never reused after a delete) and how many entries it holds.
struct ListMeta {
  EntryId next_id = 1;
  std::uint64_t entry_count = 0;

  friend bool operator==(const ListMeta&, const ListMeta&) = default;
};

std::string encode_entry(const Entry& entry);
Result<Entry> decode_entry(std::string_view bytes);

std::string encode_list_meta(const ListMeta& meta);
Result<ListMeta> decode_list_meta(std::string_view bytes);

// A remembered change without its key, which the storage key holds.
// REQUIRES (encode): change.answer is done, an id, an entry or nothing to drop.
std::string encode_remembered_change(const RememberedChange& change);
// The key of the result is zero: the caller sets it from the storage key.
Result<RememberedChange> decode_remembered_change(std::string_view bytes);

}  // namespace todo
