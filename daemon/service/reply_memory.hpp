// The memory held by replies that todod has encoded and ZeroMQ has not yet
// written to their clients, bounded in bytes per connection and in total: a
// client that asks for big reads faster than it reads the answers, or many
// clients that do, cannot run the daemon out of memory (ZeroMQ's own bound
// counts messages, 4,096 a connection, whatever their size).
//
// A buffer several replies share (a list's encoded entries, sent to every
// reader of the list while it is unchanged) is counted once per connection
// and once in total, since that is what it costs. A reply that would pass a
// bound is refused (the Listener answers busy instead of sending it), unless
// nothing at all is held for its connection, or in total for the total
// bound: a single reply bigger than a bound can still be read, alone.
//
// What is counted is what ZeroMQ holds for sending, until it frees the
// message: over ipc:// and plaintext tcp:// that is after the last byte went
// to the kernel. A CURVE engine frees each message once it has encrypted it,
// so a slow CURVE client can hold one encrypted reply more than its count
// says. And a reply is counted once encoded: one made and then refused (a read
// after a change, or any read of a version 1 client, which gets a copy of its
// own) costs its bytes until the refusal, on the Listener's thread, frees it.
//
// Thread safety: every member may be called from any thread: the Listener's
// thread holds, ZeroMQ's I/O thread releases when it frees a sent message.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

#include "daemon/runtime/mutex.hpp"

namespace todo {

class ReplyMemory {
 public:
  struct Bounds {
    std::size_t total = 0;
    std::size_t per_connection = 0;
  };

  // One buffer of one reply to one connection (its ROUTER routing id).
  struct Claim {
    std::string connection;
    const void* buffer = nullptr;  // identifies the bytes while they are held
    std::size_t bytes = 0;
  };

  // Why a claim was refused, for the busy reply.
  struct Refusal {
    bool is_per_connection = false;
    std::size_t held = 0;   // by the connection, or in total
    std::size_t bound = 0;  // the bound it would have passed
  };

  explicit ReplyMemory(Bounds bounds) : bounds_(bounds) {}
  ReplyMemory(const ReplyMemory&) = delete;
  ReplyMemory& operator=(const ReplyMemory&) = delete;

  const Bounds& bounds() const { return bounds_; }

  // Holds the claim's bytes unless that would pass a bound; every claim held
  // must be released once.
  std::optional<Refusal> try_hold(const Claim& claim) EXCLUDES(mutex_);
  void release(const Claim& claim) EXCLUDES(mutex_);

  std::size_t total_bytes() const EXCLUDES(mutex_);
  std::size_t connection_bytes(const std::string& connection) const EXCLUDES(mutex_);

 private:
  struct Connection {
    std::size_t bytes = 0;
    std::unordered_map<const void*, std::size_t> claims;  // per buffer
  };
  struct Buffer {
    std::size_t claims = 0;
    std::size_t bytes = 0;
  };

  const Bounds bounds_;
  mutable Mutex mutex_;
  std::unordered_map<std::string, Connection> connections_ GUARDED_BY(mutex_);
  std::unordered_map<const void*, Buffer> buffers_ GUARDED_BY(mutex_);
  std::size_t total_bytes_ GUARDED_BY(mutex_) = 0;
};

}  // namespace todo
