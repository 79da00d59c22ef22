// One file descriptor held in reserve for when the process has run out of
// them. libzmq retries an accept() that fails with EMFILE or ENFILE at once,
// in a loop, for as long as a connection waits in the backlog; with the spare
// given back, the Listener can accept those connections itself and close them,
// which ends the loop (TcpListeningSocket::drop_waiting).
//
// Thread safety: one thread, the Listener's. Another thread may take the
// descriptor release() frees before the caller uses it: then it has served
// that thread, and reclaim() holds none until one is free again.
#pragma once

namespace todo {

class SpareDescriptor {
 public:
  SpareDescriptor();  // holds one, if one is free
  SpareDescriptor(const SpareDescriptor&) = delete;
  SpareDescriptor& operator=(const SpareDescriptor&) = delete;
  ~SpareDescriptor();

  // Frees the descriptor held, if any.
  void release();
  // Holds one again, if one is free.
  void reclaim();

 private:
  int fd_ = -1;
};

}  // namespace todo
