// The listening socket libzmq opened for one tcp:// endpoint, and a way to
// stop it accepting connections without closing it.
//
// Why not zmq_unbind: it closes every connection the endpoint accepted (in
// libzmq they belong to the listener). Why not leave it accepting: once
// accept() fails for want of descriptors, libzmq's I/O thread retries at once,
// forever, at 100% CPU, while every other open in the process fails too.
//
// How: pause() attaches a classic BPF filter that drops every packet to the
// listening socket. Linux runs a listener's filter on each SYN that reaches
// it (tcp_v4_rcv / tcp_v6_rcv, before listen processing), so no connection is
// made and no descriptor is used: a client's
// TCP retransmits its SYN and sees a slow connect, as with a full backlog.
// Connections accepted before stay as they are (a socket takes its listener's
// filter only when it is made). Connections already waiting in the backlog
// are still accepted by libzmq (at most ZMQ_BACKLOG + 1, ConnectionLimit's
// headroom covers them), unless drop_waiting() takes them first. resume()
// takes the filter off.
//
// How the socket is found: libzmq opens it during zmq_bind on the calling
// thread, so find() looks among the process's descriptors for the one TCP
// socket listening on the address ZMQ_LAST_ENDPOINT names. Two listening
// sockets cannot share an address without SO_REUSEPORT, which libzmq does not
// set. The other way, making the socket here and handing it over with
// ZMQ_USE_FD, would mean resolving endpoints as libzmq does (interface names,
// "*", ZMQ_IPV6) and setting its socket options, and differing from it where
// that went wrong.
//
// Thread safety: the descriptor is libzmq's, which closes it with the ZeroMQ
// socket; pause(), resume() and drop_waiting() act on it in the kernel only
// and may run on any thread while libzmq's I/O thread accepts on it. A
// TcpListeningSocket must not be used after its ZeroMQ socket is closed.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.hpp"

namespace todo {

class TcpListeningSocket {
 public:
  // The socket listening on endpoint, as ZMQ_LAST_ENDPOINT gives it
  // (tcp://ADDRESS:PORT, numeric, an IPv6 address in brackets).
  static Result<TcpListeningSocket> find(const std::string& endpoint);

  // New connections wait in the client's TCP (SYN retransmits) until resume().
  Result<void> pause();
  Result<void> resume();

  // Accepts every connection waiting in the backlog and closes it at once: for
  // when libzmq cannot accept them for want of descriptors and retries in a
  // loop. Needs one free descriptor. The number dropped.
  std::size_t drop_waiting();

  const std::string& endpoint() const { return endpoint_; }

 private:
  TcpListeningSocket(int fd, std::string endpoint) : fd_(fd), endpoint_(std::move(endpoint)) {}

  int fd_;  // libzmq's: not closed here
  std::string endpoint_;
};

}  // namespace todo
