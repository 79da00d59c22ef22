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

TEST_CASE("only a loopback address counts as loopback tcp") {
  for (const char* endpoint : {"tcp://127.0.0.1:5454", "tcp://127.3.2.1:*", "tcp://[::1]:5454",
                               "tcp://10.0.0.1;127.0.0.1:5454"}) {
    INFO(endpoint);
    CHECK(is_loopback_tcp(endpoint));
  }
  for (const char* endpoint :
       {"tcp://0.0.0.0:5454", "tcp://*:5454", "tcp://eth0:5454", "tcp://[::]:5454",
        "tcp://128.0.0.1:5454", "tcp://[::ffff:127.0.0.1]:5454", "tcp://127.0.0.1",
        "tcp://localhost:5454", "tcp://localhost.example.com:5454", "ipc:///tmp/127.0.0.1:5",
        "tcp://127.0.0.1;10.0.0.1:5"}) {
    INFO(endpoint);
    CHECK_FALSE(is_loopback_tcp(endpoint));
  }
}

}  // namespace
}  // namespace todo
