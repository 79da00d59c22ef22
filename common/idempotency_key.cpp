#include "common/idempotency_key.hpp"

#include <cstdio>
#include <random>
#include <string_view>
#include <type_traits>

namespace todo {
namespace {

class Fnv1a {
 public:
  void add(std::uint64_t value) {
    for (int i = 0; i < 8; ++i) add_byte(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void add(std::string_view text) {
    add(text.size());
    for (char c : text) add_byte(static_cast<std::uint8_t>(c));
  }
  std::uint64_t digest() const { return hash_; }

 private:
  void add_byte(std::uint8_t byte) {
    hash_ ^= byte;
    hash_ *= 0x100000001b3ULL;
  }
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

std::uint64_t as_bits(Date date) {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(date.days_since_epoch()));
}

void add_tags(Fnv1a& hash, const Tags& tags) {
  hash.add(tags.size());
  for (const std::string& tag : tags) hash.add(tag);
}

}  // namespace

IdempotencyKeySource::IdempotencyKeySource() {
  // libstdc++'s random_device reads the kernel's source (getentropy), not a
  // seeded generator: two processes started at once still differ.
  std::random_device source;
  const auto word = [&] {
    return (static_cast<std::uint64_t>(source()) << 32) | static_cast<std::uint64_t>(source());
  };
  next_.high = word();
  next_.low = word();
}

IdempotencyKey IdempotencyKeySource::next() {
  const IdempotencyKey key = next_;
  if (++next_.low == 0) ++next_.high;
  return key;
}

std::string describe(const IdempotencyKey& key) {
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(key.high),
                static_cast<unsigned long long>(key.low));
  return text;
}

std::uint64_t change_fingerprint(const ListOperation& operation) {
  Fnv1a hash;
  // The variant's index names the kind: the order of ListOperation's
  // alternatives is part of what is stored, like a wire tag.
  hash.add(operation.index());
  std::visit(
      [&](const auto& op) {
        using Op = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<Op, AddEntry>) {
          hash.add(as_bits(op.date));
          hash.add(op.title);
          // Only when there are tags, so that a change remembered before
          // tags existed keeps its fingerprint.
          if (!op.tags.empty()) add_tags(hash, op.tags);
        } else if constexpr (std::is_same_v<Op, UpdateEntry>) {
          hash.add(op.id);
          // A field left out differs from any value given for it.
          hash.add(op.change.date ? 1 + as_bits(*op.change.date) : 0);
          hash.add(op.change.title ? 1 : 0);
          if (op.change.title) hash.add(*op.change.title);
          hash.add(op.change.done ? 1 + static_cast<std::uint64_t>(*op.change.done) : 0);
          if (const TagChange* tags = op.change.tags.get()) {
            hash.add(tags->replacement ? 1 : 0);
            if (tags->replacement) add_tags(hash, *tags->replacement);
            add_tags(hash, tags->added);
            add_tags(hash, tags->removed);
          }
        } else if constexpr (std::is_same_v<Op, DeleteEntry>) {
          hash.add(op.id);
        } else if constexpr (std::is_same_v<Op, RenameList>) {
          hash.add(op.new_name);
        } else if constexpr (std::is_same_v<Op, MoveEntry>) {
          hash.add(op.id);
          hash.add(op.destination);
        }
        // GetEntries is no change; DropList and UndoChange have no fields.
      },
      operation);
  return hash.digest();
}

}  // namespace todo
