#include "common/default_paths.hpp"

#include <unistd.h>

#include <cstdlib>

namespace todo {
namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

std::string default_endpoint() {
  const std::string runtime_dir = environment("XDG_RUNTIME_DIR");
  if (!runtime_dir.empty()) return "ipc://" + runtime_dir + "/todo/todod.sock";
  return "ipc:///tmp/todo-" + std::to_string(::getuid()) + "/todod.sock";
}

std::filesystem::path default_data_dir() {
  const std::string data_home = environment("XDG_DATA_HOME");
  if (!data_home.empty()) return std::filesystem::path(data_home) / "todo";
  const std::string home = environment("HOME");
  if (!home.empty()) return std::filesystem::path(home) / ".local" / "share" / "todo";
  return std::filesystem::path("/var/lib/todo");
}

std::filesystem::path default_config_file() {
  const std::string config_home = environment("XDG_CONFIG_HOME");
  if (!config_home.empty()) return std::filesystem::path(config_home) / "todo" / "config";
  const std::string home = environment("HOME");
  if (!home.empty()) return std::filesystem::path(home) / ".config" / "todo" / "config";
  return {};
}

}  // namespace todo
