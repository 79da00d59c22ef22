// The benchmarks run, in a tiny configuration, and check their own replies:
// this proves they work; it says nothing about speed.
#include <catch2/catch.hpp>

#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::ChildProcess;
using testing::DaemonPlace;
using testing::Output;

std::uint64_t json_number(const std::string& json, const std::string& key) {
  const auto at = json.find("\"" + key + "\": ");
  REQUIRE(at != std::string::npos);
  return std::stoull(json.substr(at + key.size() + 4));
}

TEST_CASE("todo-bench drives todod with every workload and gets right answers", "[bench]") {
  DaemonPlace place;
  testing::RunningDaemon daemon(place.data_dir(), place.endpoint(), {"--no-sync"});
  for (const char* workload : {"add", "read", "mixed"}) {
    ChildProcess bench(TODO_BENCH_PATH,
                       {"--endpoint", place.endpoint(), "--workload", workload, "-c", "4", "-w",
                        "4", "--duration", "1", "--warmup", "0.2", "--json"});
    Output output = bench.collect(std::chrono::seconds(120));
    INFO(workload << ": " << output.out << output.err);
    CHECK(output.exit_code == 0);
    CHECK(json_number(output.out, "completed") > 0);
    CHECK(json_number(output.out, "wrong") == 0);
  }
  // The adds landed in the 10,000 add lists and the reads found their lists.
  const std::string lists = testing::run_todo(place.endpoint(), {"lists"}).out;
  CHECK_THAT(lists, Catch::Contains("add-"));
  CHECK_THAT(lists, Catch::Contains("read-999\n"));
}

TEST_CASE("todo-bench --echo measures a bare ZeroMQ echo", "[bench]") {
  DaemonPlace place;
  ChildProcess bench(TODO_BENCH_PATH,
                     {"--endpoint", place.endpoint(), "--echo", "--workload", "mixed", "-c", "2",
                      "-w", "2", "--duration", "0.5", "--warmup", "0.1", "--json"});
  Output output = bench.collect(std::chrono::seconds(60));
  INFO(output.out << output.err);
  CHECK(output.exit_code == 0);
  CHECK_THAT(output.out, Catch::Contains("\"target\": \"echo\""));
  CHECK(json_number(output.out, "completed") > 0);
  CHECK(json_number(output.out, "wrong") == 0);
}

TEST_CASE("todo-bench names the endpoint when nothing serves it", "[bench]") {
  DaemonPlace place;
  ChildProcess bench(TODO_BENCH_PATH, {"--endpoint", place.endpoint(), "--duration", "1"});
  Output output = bench.collect(std::chrono::seconds(30));
  CHECK(output.exit_code == 1);
  CHECK_THAT(output.err, Catch::Contains(place.endpoint()) && Catch::Contains("No such file"));
}

TEST_CASE("todo-bench refuses an unknown workload", "[bench]") {
  ChildProcess bench(TODO_BENCH_PATH, {"--workload", "sideways"});
  Output output = bench.collect(std::chrono::seconds(30));
  CHECK(output.exit_code == 2);
  CHECK_THAT(output.err, Catch::Contains("sideways"));
}

TEST_CASE("the in-process benchmarks run", "[bench]") {
  ChildProcess loadtest(TODO_LOADTEST_PATH, {"--lists", "2000", "--json"});
  Output load = loadtest.collect(std::chrono::seconds(60));
  INFO(load.err);
  CHECK(load.exit_code == 0);
  CHECK(json_number(load.out, "lists") == 2000);

  ChildProcess add_cost(TODO_ADD_COST_PATH, {"--samples", "5", "--large", "50", "--json"});
  Output cost = add_cost.collect(std::chrono::seconds(60));
  INFO(cost.err);
  CHECK(cost.exit_code == 0);
  CHECK_THAT(cost.out, Catch::Contains("\"durability\": \"sync\""));
  CHECK_THAT(cost.out, Catch::Contains("\"durability\": \"no-sync\""));
}

}  // namespace
}  // namespace todo
