// ZeroMQ endpoints as todod, todo and todo-bench read them: for an ipc://
// endpoint, the path of its socket, which todod prepares and cleans up, todo
// probes before connecting, and todo-bench connects to itself.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace todo {

inline constexpr std::string_view kIpcScheme = "ipc://";

// What an ipc:// endpoint names after its scheme, as written (to libzmq, a
// name that starts with '@' is an abstract socket's, not a file's); nullopt
// for an endpoint of any other transport.
std::optional<std::string> ipc_path_of(std::string_view endpoint);

}  // namespace todo
