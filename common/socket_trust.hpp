// Whether an ipc:// socket path can be trusted: whether anyone but its owner
// (and root) could put another socket in its place. todod checks the socket's
// directory before it binds; todo checks the directory and the socket before
// it sends anything. Neither talks through a path another local user controls:
// a pre-made /tmp/todo-UID, a symbolic link, a socket swapped for an impostor's.
//
// A socket directory is trusted when it is a real directory (not a symbolic
// link), owned by a trusted uid, and writable by neither its group nor others.
// Every directory above it must be owned by root or a trusted uid and be
// writable by group or others only when sticky (as /tmp is), so that nobody
// else can rename it away; a symbolic link on the way must be owned by root or
// a trusted uid, so that nobody else can point it elsewhere. A path with a '.'
// or '..' component is refused: the directories it passes through would go
// unchecked. In a user namespace, a directory above the socket's owned by the
// overflow uid (root's, or anyone's outside the namespace: they cannot be told
// apart there) is trusted, or nothing could be.
//
// Thread safety: pure functions of the file system and the user database.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace todo {

// The system service's user and group (systemd/todo.sysusers).
inline constexpr const char* kServiceAccount = "todo";

struct SocketTrust {
  // Who may own the socket, its directory, and the directories above it
  // (root always may: root can read everything anyway).
  std::vector<uid_t> owners;

  // todod trusts only its own uid.
  static SocketTrust for_daemon();
  // todo also trusts the system service's user, whose socket is
  // /run/todo/todod.sock.
  static SocketTrust for_client();
};

// Creates what is missing of the directory, each level mode 0700.
Result<void> make_socket_directory(const std::filesystem::path& directory);

// Whether nobody untrusted could replace what is in the directory, by the rule
// above: a socket's directory, or todod's authorized CURVE keys. Fails with a
// message naming the path, its owner and mode, and what is wrong.
Result<void> check_trusted_directory(const std::filesystem::path& directory,
                                     const SocketTrust& trust);

// Whether the socket file is a socket owned by a trusted uid; not_found when
// there is no file at the path.
Result<void> check_socket_file(const std::filesystem::path& socket, const SocketTrust& trust);

}  // namespace todo
