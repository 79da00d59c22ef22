// The ceiling todo-bench compares todod with: a bare ZeroMQ ROUTER that
// answers every request at once, on its own thread, with a reply of the size
// todod would send (Workload::echo_reply) carrying the request's id. It
// decodes nothing beyond the few header bytes that say whether a request
// reads, so what it measures is the transport itself.
//
// Thread safety: construct and destroy on one thread; it serves on its own.
#pragma once

#include <atomic>
#include <string>
#include <thread>

namespace todo::bench {

class EchoServer {
 public:
  explicit EchoServer(std::string endpoint);
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;
  ~EchoServer();

 private:
  void serve();

  std::string endpoint_;
  std::atomic<bool> is_stopping_{false};
  std::atomic<bool> is_bound_{false};
  std::thread thread_;
};

}  // namespace todo::bench
