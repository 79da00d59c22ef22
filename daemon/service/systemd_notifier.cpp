#include "daemon/service/systemd_notifier.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace todo {

SystemdNotifier::SystemdNotifier() {
  std::uint64_t watchdog_usec = 0;
  if (sd_watchdog_enabled(0, &watchdog_usec) > 0 && watchdog_usec > 0) {
    is_watchdog_enabled_ = true;
    heartbeat_interval_ =
        std::max(std::chrono::milliseconds(1), std::chrono::milliseconds(watchdog_usec / 2000));
  }
}

void SystemdNotifier::ready(std::string_view status) const {
  const std::string message = "READY=1\nSTATUS=" + std::string(status);
  sd_notify(0, message.c_str());
}

void SystemdNotifier::stopping() const { sd_notify(0, "STOPPING=1"); }

void SystemdNotifier::heartbeat() const {
  if (is_watchdog_enabled_) sd_notify(0, "WATCHDOG=1");
}

}  // namespace todo
