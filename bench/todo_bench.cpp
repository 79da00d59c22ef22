// todo-bench: a load generator that speaks todod's wire protocol. C
// connections (DEALER) each keep W requests in flight over the workload's
// lists, for a duration; prints ops/s and latency p50 / p99 / p99.9. With
// --echo it starts a bare ZeroMQ ROUTER echo (same reply sizes) on the
// endpoint instead and measures that: the transport's ceiling on this machine.
// Exits 1 when any reply was wrong or a connection failed.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>

#include "bench/echo_server.hpp"
#include "bench/load_generator.hpp"
#include "common/default_paths.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Load generator for todod (or, with --echo, for a bare ZeroMQ echo)."};
  todo::bench::LoadOptions options;
  options.endpoint = todo::default_endpoint();
  std::string workload_name = "add";
  double duration_s = 10;
  double warmup_s = 1;
  bool is_echo = false;
  bool as_json = false;
  app.add_option("--endpoint", options.endpoint, "todod's endpoint (or where --echo binds)")
      ->envname("TODO_ENDPOINT")
      ->capture_default_str();
  app.add_option("--workload", workload_name, "add, read or mixed")->capture_default_str();
  app.add_option("--connections,-c", options.connections, "connections")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--in-flight,-w", options.in_flight, "requests in flight per connection")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--duration", duration_s, "seconds measured")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--warmup", warmup_s, "seconds run before measuring")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--echo", is_echo, "measure a bare ZeroMQ echo on the endpoint instead of todod");
  app.add_flag("--json", as_json, "print one JSON object");
  CLI11_PARSE(app, argc, argv);
  if (!todo::bench::Workload::parse_kind(workload_name, options.workload)) {
    std::cerr << "todo-bench: --workload must be add, read or mixed, not '" << workload_name
              << "'\n";
    return 2;
  }
  options.duration = std::chrono::milliseconds(static_cast<std::int64_t>(duration_s * 1000));
  options.warmup = std::chrono::milliseconds(static_cast<std::int64_t>(warmup_s * 1000));

  std::unique_ptr<todo::bench::EchoServer> echo;
  if (is_echo) echo = std::make_unique<todo::bench::EchoServer>(options.endpoint);
  todo::bench::LoadGenerator generator(options);
  std::string error;
  if (!is_echo && !generator.prepare(error)) {
    std::cerr << "todo-bench: " << error << "\n";
    return 1;
  }
  const todo::bench::LoadResult result = generator.run();
  if (!result.error.empty()) {
    std::cerr << "todo-bench: " << result.error << "\n";
    return 1;
  }
  const char* target = is_echo ? "echo" : "todod";
  if (as_json) {
    std::printf(
        "{\"target\": \"%s\", \"workload\": \"%s\", \"connections\": %zu, \"in_flight\": %zu, "
        "\"seconds\": %.1f, \"completed\": %llu, \"wrong\": %llu, \"ops_per_second\": %.0f, "
        "\"p50_us\": %.1f, \"p99_us\": %.1f, \"p999_us\": %.1f}\n",
        target, workload_name.c_str(), options.connections, options.in_flight, result.seconds,
        static_cast<unsigned long long>(result.completed),
        static_cast<unsigned long long>(result.wrong), result.ops_per_second, result.p50_us,
        result.p99_us, result.p999_us);
  } else {
    std::printf(
        "%s %s, %zu connections x %zu in flight: %.0f ops/s, p50 %.1f us, p99 %.1f us, p99.9 "
        "%.1f us (%llu replies, %llu wrong)\n",
        target, workload_name.c_str(), options.connections, options.in_flight,
        result.ops_per_second, result.p50_us, result.p99_us, result.p999_us,
        static_cast<unsigned long long>(result.completed),
        static_cast<unsigned long long>(result.wrong));
  }
  return result.wrong == 0 && result.completed > 0 ? 0 : 1;
}
