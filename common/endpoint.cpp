#include "common/endpoint.hpp"

namespace todo {

std::optional<std::string> ipc_path_of(std::string_view endpoint) {
  if (!endpoint.starts_with(kIpcScheme)) return std::nullopt;
  return std::string(endpoint.substr(kIpcScheme.size()));
}

}  // namespace todo
