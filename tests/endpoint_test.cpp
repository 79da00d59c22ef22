#include "common/endpoint.hpp"

#include <catch2/catch.hpp>
#include <optional>
#include <string>

namespace todo {
namespace {

TEST_CASE("an ipc:// endpoint's path is what follows the scheme, as written") {
  CHECK(ipc_path_of("ipc:///run/user/1000/todo/todod.sock") == "/run/user/1000/todo/todod.sock");
  CHECK(ipc_path_of("ipc://relative.sock") == "relative.sock");
  CHECK(ipc_path_of("ipc://@abstract") == "@abstract");
  CHECK(ipc_path_of("ipc://") == "");
}

TEST_CASE("an endpoint of another transport has no ipc path") {
  CHECK(ipc_path_of("tcp://127.0.0.1:5555") == std::nullopt);
  CHECK(ipc_path_of("inproc://bench") == std::nullopt);
  CHECK(ipc_path_of("ipc:/one-slash") == std::nullopt);
  CHECK(ipc_path_of("IPC:///upper") == std::nullopt);
  CHECK(ipc_path_of("") == std::nullopt);
}

}  // namespace
}  // namespace todo
