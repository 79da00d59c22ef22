// Tells systemd how todod is doing, when it runs as a Type=notify service:
// READY=1 once it serves, STOPPING=1 when it begins to stop, and WATCHDOG=1
// heartbeats when the unit sets WatchdogSec=. Outside systemd (no
// NOTIFY_SOCKET) every call does nothing.
//
// Thread safety: call from one thread (the Listener's).
#pragma once

#include <chrono>
#include <string_view>

namespace todo {

class SystemdNotifier {
 public:
  SystemdNotifier();

  void ready(std::string_view status) const;
  void stopping() const;
  void heartbeat() const;
  // How often heartbeat() should run: half the watchdog interval, or a
  // second when there is no watchdog.
  std::chrono::milliseconds heartbeat_interval() const { return heartbeat_interval_; }

 private:
  bool is_watchdog_enabled_ = false;
  std::chrono::milliseconds heartbeat_interval_{1000};
};

}  // namespace todo
