// ZeroMQ endpoints as todod, todo and todo-bench read them: for an ipc://
// endpoint, the path of its socket, which todod prepares and cleans up, todo
// probes before connecting, and todo-bench connects to itself; for a tcp://
// endpoint, whether it stays on this machine.
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace todo {

inline constexpr std::string_view kIpcScheme = "ipc://";
inline constexpr std::string_view kTcpScheme = "tcp://";

// What an ipc:// endpoint names after its scheme, as written (to libzmq, a
// name that starts with '@' is an abstract socket's, not a file's); nullopt
// for an endpoint of any other transport.
std::optional<std::string> ipc_path_of(std::string_view endpoint);

bool is_tcp(std::string_view endpoint);

// The host a tcp:// endpoint names, brackets taken off an IPv6 address;
// nullopt for another transport or an endpoint without ":PORT".
std::optional<std::string> tcp_host_of(std::string_view endpoint);

// Whether a tcp:// endpoint names a loopback address (127.0.0.0/8, ::1), where
// only this machine's users can reach it. Interface names, wildcards, other
// addresses and host names are not: a name is only as local as the resolver
// that answers for it.
bool is_loopback_tcp(std::string_view endpoint);

}  // namespace todo
