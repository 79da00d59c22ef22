// The wire protocol between todo (or any client) and todod: one ZeroMQ message
// per request and per reply, each encoded with cereal's portable binary
// archive. Every message starts with the protocol version and the request id
// the client chose, which the reply echoes, so one DEALER socket can keep many
// requests in flight. docs/protocol.md gives the byte layout.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/access_token.hpp"
#include "common/idempotency_key.hpp"
#include "common/list_operation.hpp"
#include "common/result.hpp"

namespace todo {

// Version 2 adds, to what version 1 says: a reply may come as several frames,
// whose bytes, joined, are the reply (a big read's entries go as a frame of
// their own, shared by every reply that reads them); and ping reports whether
// the database is degraded. todod answers a version 1 request as version 1
// did: in one frame, without the ping field.
//
// Version 3 adds tags: an entry's after its done flag, a filter's after its
// search text, an add's after its title, and an update's tag changes. todod
// answers a version 2 request without them, and its entries in one frame.
inline constexpr std::uint32_t kProtocolVersion = 3;
// Entries of at least this many bytes go, in a version 3 reply, as a frame of
// their own: sending them from the bytes the list's actor encoded saves a copy
// per reply, which past a few pages costs more than the frame.
inline constexpr std::size_t kSeparateFrameBytes = 16 * 1024;
// The largest request todod accepts; larger ones get an error reply.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;

// An operation on one list, named by the request. A change may carry an
// idempotency key (idempotency_key.hpp), so that sending it again answers the
// first answer instead of applying it twice; a read may not.
struct ListCommand {
  std::string list;
  ListOperation operation;
  std::optional<IdempotencyKey> key;
};

// Names of the lists that hold entries, sorted, one page at a time: at most
// limit names, each after `after` (bytewise); a page of fewer than limit is
// the last. No reply holds every name of a big store at once.
struct ListNames {
  static constexpr std::uint32_t kDefaultLimit = 1000;
  static constexpr std::uint32_t kMaxLimit = 1000;  // 263 KB of names at most

  std::string after;
  std::uint32_t limit = kDefaultLimit;

  friend bool operator==(const ListNames&, const ListNames&) = default;
};

// Liveness and counters.
struct Ping {};

// The access tokens of the HTTP front door (common/access_token.hpp). They
// are managed over the socket alone: whoever may reach it owns todod.
// AddToken is answered with the secret (TokenSecret), once.
struct AddToken {
  TokenGrant grant;
};
// Answered with every token's TokenInfo, sorted by name.
struct ListTokens {};
// Refused from the next request that shows the token on.
struct RevokeToken {
  std::string name;
};

// A consistent backup of the data, made while todod serves, into a directory
// on todod's machine (daemon/storage/backup_directory.hpp); keep > 0 deletes
// all but the newest keep backups there. Answered with BackupMade.
struct MakeBackup {
  static constexpr std::size_t kMaxDirectoryBytes = 4096;  // PATH_MAX

  std::string directory;  // absolute
  std::uint32_t keep = 0;

  friend bool operator==(const MakeBackup&, const MakeBackup&) = default;
};

// Reverts the newest change of any list (daemon/latest_undo.hpp), answered
// with UndoneIn. With a key, sent again it answers the first answer: the list
// it reverted remembers the key, as for an undo of that list.
struct UndoLatest {
  std::optional<IdempotencyKey> key;

  friend bool operator==(const UndoLatest&, const UndoLatest&) = default;
};

using Command = std::variant<ListCommand, ListNames, Ping, AddToken, ListTokens, RevokeToken,
                             MakeBackup, UndoLatest>;

struct Request {
  std::uint64_t id = 0;
  Command command;
  // What the client speaks: its replies are encoded in the same version.
  std::uint32_t protocol_version = kProtocolVersion;
};

// What todod reports about itself. Counters run from its start.
struct PingInfo {
  std::string version;
  std::uint64_t uptime_ms = 0;
  std::uint64_t lists_in_memory = 0;
  std::uint64_t requests_served = 0;
  std::uint64_t errors = 0;  // answers other than ok, busy ones included
  std::uint64_t busy_refusals = 0;
  std::uint64_t database_batches = 0;  // group commits
  std::uint64_t database_writes = 0;   // list writes they carried
  std::uint64_t actor_restarts = 0;
  std::uint64_t lists_expired = 0;
  // Receipt to answer, within 1/8; 0 until 100 requests are answered.
  std::uint64_t p99_latency_us = 0;
  std::uint64_t resident_bytes = 0;
  // Empty while the database takes reads and writes; otherwise what is wrong
  // with it, naming the file when one is damaged (version 2 and later).
  std::string degraded;

  friend bool operator==(const PingInfo&, const PingInfo&) = default;
};

// What a backup made: its id in the directory (the first is 1), the bytes and
// files it holds (shared with the directory's other backups, which made the
// copy smaller), and how many backups the directory holds now.
struct BackupMade {
  std::uint32_t id = 0;
  std::uint64_t bytes = 0;
  std::uint32_t files = 0;
  std::uint32_t backups_kept = 0;

  friend bool operator==(const BackupMade&, const BackupMade&) = default;
};

// What an undo without a list reverted, and in which list.
struct UndoneIn {
  std::string list;
  Undone undone;

  friend bool operator==(const UndoneIn&, const UndoneIn&) = default;
};

// The payload of an ok reply: nothing, an id, an entry, entries, list names,
// ping, a new token's secret, the tokens, a backup, an undo, an undo without
// a list. Entries go on the
// wire the same way from either form; decoding gives the vector.
using ReplyPayload = std::variant<std::monostate, EntryId, Entry, std::vector<Entry>,
                                  std::vector<std::string>, PingInfo, EncodedEntries, TokenSecret,
                                  std::vector<TokenInfo>, BackupMade, Undone, UndoneIn>;

// The message of the ok reply to a drop of a list that held nothing: an ok
// reply, so that no older client takes it for an error; todo says it and
// exits 1. 15 bytes, inside std::string's own buffer, no allocation.
inline constexpr std::string_view kNothingToDropMessage = "nothing to drop";

struct Reply {
  std::uint64_t request_id = 0;
  StatusCode status = StatusCode::ok;
  // When not ok: what a person should know. When ok: empty, but for
  // kNothingToDropMessage.
  std::string message;
  ReplyPayload payload;

  static Reply failure(std::uint64_t request_id, const Error& error) {
    return {request_id, error.code, error.message, {}};
  }
};

std::string encode_request(const Request& request);
// Checks structure and ranges (lengths, dates, tags, flags). The meaning of
// the text is checked where a better message can be given: list names by
// RequestHandler, titles by List.
Result<Request> decode_request(std::string_view bytes);

// A reply as the frames it is sent in: head, then, when shared is set, the
// bytes of *shared from shared_offset on. Joined, they are encode_reply().
struct ReplyFrames {
  std::string head;
  std::shared_ptr<const std::string> shared;
  std::size_t shared_offset = 0;

  std::size_t size() const { return head.size() + (shared ? shared->size() - shared_offset : 0); }
};

// In the given version (that of the request answered). Version 3 sends
// EncodedEntries of kSeparateFrameBytes or more as a frame of their own.
ReplyFrames encode_reply_frames(const Reply& reply, std::uint32_t version = kProtocolVersion);
std::string encode_reply(const Reply& reply, std::uint32_t version = kProtocolVersion);
// Any version up to kProtocolVersion; bytes are every frame of it, joined.
Result<Reply> decode_reply(std::string_view bytes);

// The entries of a reply's payload in their wire form, in the order given.
EncodedEntries encode_entries(std::span<const Entry> entries);

// Writes entries into that wire form one at a time, straight from where they
// are kept, so that a page picked out of a list is never copied first: the
// bytes encode_entries() makes of the same entries, written field by field
// (a read of 100 entries spent most of its time in cereal's stream calls).
//
// Thread safety: a plain object, used by one thread at a time.
class EntriesEncoder {
 public:
  EntriesEncoder();
  void add(const Entry& entry);
  EncodedEntries finish() &&;

 private:
  std::string bytes_;
  std::uint64_t count_ = 0;
};
Result<std::vector<Entry>> decode_entries(const EncodedEntries& encoded);

// An entry read in place: its title and tags point into the encoded bytes.
struct EntryView {
  EntryId id = 0;
  Date date;
  std::string_view title;
  bool done = false;
  std::vector<std::string_view> tags;
};
// The entries as decode_entries() gives them, checked as it checks them, but
// with no title copied: one allocation a page, where decoding makes one an
// entry, for a front door that only formats them. The views live as long as
// encoded.bytes.
Result<std::vector<EntryView>> view_entries(const EncodedEntries& encoded);

// The request id of a message that may not decode as a whole, when its header
// is intact: lets the daemon address an error reply to a broken request.
std::optional<std::uint64_t> peek_request_id(std::string_view bytes);
// The version to answer such a message in: its own, when its header is intact
// and names a version this todod speaks, else 1, which every client reads.
std::uint32_t reply_version_for(std::string_view bytes);

}  // namespace todo
