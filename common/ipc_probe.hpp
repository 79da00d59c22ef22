// Whether a process accepts connections on a unix socket path. todod asks it
// before binding an ipc:// endpoint (ZeroMQ would silently take over a live
// socket); todo asks it to report a daemon that is not running at once rather
// than after its timeout. Never blocks: a listener whose backlog is full
// counts as served.
//
// Thread safety: a pure function of the file system.
#pragma once

#include <string>

namespace todo {

bool is_unix_socket_served(const std::string& path);

}  // namespace todo
