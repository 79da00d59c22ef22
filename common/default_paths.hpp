// Where todod listens and keeps its data when nobody says otherwise. The
// client uses the same defaults, so `todod &` followed by `todo ping` works.
//
// Thread safety: reads the environment; call before starting threads that
// change it (none of ours do).
#pragma once

#include <filesystem>
#include <string>

namespace todo {

// ipc://$XDG_RUNTIME_DIR/todo/todod.sock, or ipc:///tmp/todo-$UID/todod.sock
// when XDG_RUNTIME_DIR is unset.
std::string default_endpoint();

// $XDG_DATA_HOME/todo, else $HOME/.local/share/todo.
std::filesystem::path default_data_dir();

// todo's options file: $XDG_CONFIG_HOME/todo/config, else
// $HOME/.config/todo/config. Read when it exists.
std::filesystem::path default_config_file();

}  // namespace todo
