// The idempotency key a client may put on a change (add, update, delete,
// drop): an id of its choosing, 16 random bytes, that lets it send the change
// again when it does not know whether the first one was applied. The list
// remembers the key with its first answer (RememberedChanges, in the daemon),
// and a change that comes again with the same key is answered that answer and
// not applied twice. docs/protocol.md gives the wire form, docs/architecture.md
// how long a key is remembered.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "common/list_operation.hpp"

namespace todo {

struct IdempotencyKey {
  std::uint64_t high = 0;
  std::uint64_t low = 0;

  friend bool operator==(const IdempotencyKey&, const IdempotencyKey&) = default;
};

// The keys of one client: 128 random bits from the kernel once, then each key
// the one before plus one. Two clients' keys meet only if their random starts
// fall within a batch's length of each other (for batches of a million, a
// chance of 2^-108), and a batch of 100,000 changes reads the random source
// once, not 100,000 times (which doubled todo's CPU per change).
//
// Thread safety: one thread.
class IdempotencyKeySource {
 public:
  IdempotencyKeySource();
  IdempotencyKey next();

 private:
  IdempotencyKey next_;
};

// The key in messages: 32 hex digits.
std::string describe(const IdempotencyKey& key);

// A digest of what a change asks for (its kind and every field it carries),
// so that a key sent again with another change is refused rather than
// answered with the first change's answer. FNV-1a: stable across builds,
// since it is stored with the key.
std::uint64_t change_fingerprint(const ListOperation& operation);

// What a list remembers of a keyed change that succeeded: the key, the digest
// of the change, the answer it was given (an id, an entry, done, or nothing
// to drop; never entries read), and when, for the window. sequence orders the
// list's remembered changes, oldest first, when they are read back.
struct RememberedChange {
  IdempotencyKey key;
  std::uint64_t sequence = 0;
  std::int64_t unix_ms = 0;
  std::uint64_t fingerprint = 0;
  ListAnswer answer;
};

}  // namespace todo
