// Replies on their way from the actors to the ROUTER socket. ZeroMQ sockets
// belong to one thread, so actors (on pool threads) do not send; they push the
// encoded reply here and the Listener's I/O thread sends it. An eventfd wakes
// the I/O thread, written only when the outbox goes from empty to not empty:
// under load, one wake-up (one system call) carries many replies.
//
// Thread safety: push() from any thread; take_all() and wake_fd() belong to
// the I/O thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/protocol.hpp"
#include "daemon/runtime/mutex.hpp"

namespace todo {

struct OutgoingReply {
  std::string routing_id;  // the ROUTER's identity frame of the client
  ReplyFrames frames;      // the encoded Reply
  // What a busy answer in its place needs; whether one may take its place (a
  // read's answer: nothing is lost but the bytes, which a retry reads again).
  std::uint64_t request_id = 0;
  std::uint32_t protocol_version = kProtocolVersion;
  bool may_be_withheld = false;
};

class ReplyOutbox {
 public:
  ReplyOutbox();
  ReplyOutbox(const ReplyOutbox&) = delete;
  ReplyOutbox& operator=(const ReplyOutbox&) = delete;
  ~ReplyOutbox();

  void push(OutgoingReply reply);
  // Clears the wake-up and swaps everything pushed so far, oldest first, into
  // `taken` (emptied first). Handing the same vector back each round keeps
  // both vectors' capacity, where a fresh one per round would grow by doubling.
  void take_all(std::vector<OutgoingReply>& taken);
  // Readable while replies are waiting; poll it with the socket.
  int wake_fd() const { return wake_fd_; }

 private:
  int wake_fd_ = -1;
  Mutex mutex_;
  std::vector<OutgoingReply> replies_ GUARDED_BY(mutex_);
};

}  // namespace todo
