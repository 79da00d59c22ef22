// What todo-bench asks of todod: `add` (an entry with a random date in one
// year and a 20-40 byte title, to a random list among 10,000), `read` (all
// entries of a random list among 1,000 lists of 100 entries) or `mixed` (each
// request one or the other at random). It makes the requests, checks the
// replies, and makes the reply an echo server sends in their place (same
// size, so the echo measures the transport for the same bytes).
//
// Thread safety: one thread per Workload (it holds a random generator).
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/protocol.hpp"

namespace todo::bench {

class Workload {
 public:
  enum class Kind { add, read, mixed };

  static constexpr std::size_t kAddLists = 10'000;
  static constexpr std::size_t kReadLists = 1'000;
  static constexpr std::size_t kEntriesPerReadList = 100;

  Workload(Kind kind, std::uint64_t seed);

  static bool parse_kind(std::string_view text, Kind& kind);

  // The encoded next request, with the given id; remembers whether it reads.
  std::string next_request(std::uint64_t id, bool& is_read);
  // Whether an encoded reply is the right answer to a request of that kind:
  // status ok and an id for an add; for a read, exactly kEntriesPerReadList
  // well-formed entries (lengths within the message, done 0 or 1) and not a
  // byte more. Builds nothing, so that checking costs little of the CPU the
  // daemon being measured shares.
  static bool is_right_reply(std::string_view bytes, bool is_read);
  // The requests that (re)fill the read lists: for each, a drop, then
  // kEntriesPerReadList adds.
  std::vector<Command> fill_commands();
  // A reply of the size todod would send for a request of that kind.
  static std::string echo_reply(bool is_read);

  static std::string read_list_name(std::size_t index);

 private:
  AddEntry random_add();

  Kind kind_;
  std::mt19937_64 random_;
};

}  // namespace todo::bench
