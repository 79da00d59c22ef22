// How many connections todod's front door holds at once. It counts them from
// the ROUTER socket's monitor (each accepted connection, each one gone) and
// says when to stop accepting: at the limit, or at once when an accept failed
// for want of file descriptors; and when to accept again: once the count is
// back under nine tenths of the limit.
//
// Why a limit at all: every connection is a file descriptor, and libzmq
// aborts the whole process when accept() on an ipc:// listener fails with
// EMFILE (on a tcp:// one it retries at once, spinning, for as long as a
// connection waits in the backlog). So the limit stays well under the
// process's open file limit: half of it is kept for RocksDB's files, the
// daemon's own, the connections libzmq's I/O thread accepts between reaching
// the limit and this thread hearing of it (under 200 in the floods
// tests/descriptor_exhaustion_test.cpp makes), and, on each tcp:// endpoint,
// those already in its listen backlog when it pauses (ZMQ_BACKLOG + 1: 101).
// A flood that outruns half the open file limit still ends the process on
// ipc://, so the units raise that limit; on tcp:// the Listener then closes
// what waits in the backlog, which ends the spin. Clients already connected
// are served throughout. An accept that fails for want of descriptors below
// the limit lowers the limit to the connections open then.
//
// Thread safety: one thread, the Listener's, which polls socket_handle().
#pragma once

#include <cstddef>
#include <memory>

#include "common/result.hpp"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace todo {

class ConnectionLimit {
 public:
  static constexpr std::size_t kReservedDescriptors = 64;

  // What the count asks of the Listener.
  enum class Change { none, stop_accepting, accept_again };

  // The limit for a process whose open file limit is open_files: asked,
  // or less when the descriptors would not allow it. At least 1.
  static std::size_t limit_for(std::size_t asked, std::size_t open_files);

  // Starts counting the router's connections. REQUIRES: nothing is bound yet,
  // so that every connection is counted.
  static Result<std::unique_ptr<ConnectionLimit>> watch(zmq::context_t& context,
                                                        zmq::socket_t& router, std::size_t limit);

  ConnectionLimit(const ConnectionLimit&) = delete;
  ConnectionLimit& operator=(const ConnectionLimit&) = delete;
  ~ConnectionLimit();

  void* socket_handle() const;
  // Reads the events waiting; never blocks.
  Change read_events();

  std::size_t connection_count() const { return connections_; }
  std::size_t limit() const { return limit_; }
  bool is_accepting() const { return is_accepting_; }
  // Whether the events read last include an accept that failed for want of
  // descriptors: on a tcp:// endpoint, libzmq is retrying it in a loop now.
  bool ran_out_of_descriptors() const { return ran_out_of_descriptors_; }

 private:
  ConnectionLimit(std::unique_ptr<zmq::socket_t> monitor, std::size_t limit);

  std::unique_ptr<zmq::socket_t> monitor_;
  std::size_t limit_;
  std::size_t connections_ = 0;
  bool is_accepting_ = true;
  bool ran_out_of_descriptors_ = false;
};

}  // namespace todo
