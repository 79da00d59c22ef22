// libFuzzer target for the decoders of stored values (common/codec.hpp):
// decode_entry, decode_list_meta, decode_remembered_change and decode_undo_step, which todod
// runs on whatever it finds in its RocksDB data directory, including bytes a disk or another
// program corrupted.
//
// Every input goes to every decoder, rather than a leading byte choosing one,
// so that the corpus holds stored values exactly as RocksDB keeps them, and
// because an entry and a list's metadata share their first 13 bytes (marker,
// version, id or next id): what one decoder is fed may well be the other's.
//
// Beyond "no crash, leak, hang or undefined behaviour", every input checks:
//  - a value that decodes is exactly what the encoder writes for it (one
//    encoding per value: a corrupt byte that slipped through shows up as a
//    difference), and holds what Database::load_list() then relies on: an
//    entry has an id and a valid title; metadata counts fewer entries than
//    ids handed out, and no more than a list may hold;
//  - a refused value is refused as invalid_argument "corrupt <what>: ...".
//
// scripts/fuzz.sh runs it; the seed corpus is tests/fuzz/corpus/stored_data.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/codec.hpp"
#include "common/list.hpp"
#include "common/validation.hpp"
#include "require.hpp"

namespace todo::fuzz {
namespace {

void check_entry(std::string_view bytes) {
  const Result<Entry> entry = decode_entry(bytes);
  if (!entry) {
    require_refused_as_corrupt(entry, "corrupt entry: ");
    return;
  }
  require(encode_entry(entry.value()) == bytes, "a decoded entry re-encodes to its bytes");
  require(entry.value().id != 0, "a decoded entry has an id");
  require(validate_title(entry.value().title).ok(), "a decoded entry has a valid title");
}

void check_list_meta(std::string_view bytes) {
  const Result<ListMeta> meta = decode_list_meta(bytes);
  if (!meta) {
    require_refused_as_corrupt(meta, "corrupt list metadata: ");
    return;
  }
  require(encode_list_meta(meta.value()) == bytes, "decoded list metadata re-encodes to its bytes");
  require(meta.value().entry_count < meta.value().next_id,
          "decoded list metadata counts fewer entries than ids handed out");
  require(meta.value().entry_count <= List::kMaxEntries,
          "decoded list metadata counts no more entries than a list holds");
}

void check_remembered_change(std::string_view bytes) {
  const Result<RememberedChange> change = decode_remembered_change(bytes);
  if (!change) {
    require_refused_as_corrupt(change, "corrupt remembered change: ");
    return;
  }
  require(encode_remembered_change(change.value()) == bytes,
          "a decoded remembered change re-encodes to its bytes");
  require(!std::holds_alternative<EncodedEntries>(change.value().answer),
          "a decoded remembered change answers a change, not a read");
}

void check_undo_step(std::string_view bytes) {
  const Result<UndoStep> step = decode_undo_step(bytes);
  if (!step) {
    require_refused_as_corrupt(step, "corrupt undo step: ");
    return;
  }
  require(encode_undo_step(step.value()) == bytes, "a decoded undo step re-encodes to its bytes");
  // What Server::undo() relies on before it puts entries back.
  for (const Entry& entry : step.value().replaced) {
    require(entry.id != 0, "an undo step's entry has an id");
    require(validate_title(entry.title).ok(), "an undo step's entry has a valid title");
  }
}

}  // namespace
}  // namespace todo::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  todo::fuzz::check_entry(bytes);
  todo::fuzz::check_list_meta(bytes);
  todo::fuzz::check_remembered_change(bytes);
  todo::fuzz::check_undo_step(bytes);
  return 0;
}
