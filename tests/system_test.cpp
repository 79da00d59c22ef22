// System: how it sizes what it starts when the options leave it open.
#include "daemon/system.hpp"

#include <catch2/catch.hpp>
#include <thread>

#include "temp_dir.hpp"

namespace todo {

TEST_CASE("the pool leaves one core to the I/O and database threads, keeping at least one",
          "[system]") {
  CHECK(System::default_thread_count(0) == 1);  // unknown
  CHECK(System::default_thread_count(1) == 1);
  CHECK(System::default_thread_count(2) == 1);
  CHECK(System::default_thread_count(8) == 7);
  testing::TempDir dir;
  auto system = System::start({.database = {.data_dir = dir.path()}});
  REQUIRE(system);
  CHECK(system.value()->thread_count() ==
        System::default_thread_count(std::thread::hardware_concurrency()));
}

}  // namespace todo
