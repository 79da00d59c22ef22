// A full disk under a running todod: the data directory is a small tmpfs of
// its own, filled up with a ballast file while the daemon serves. Changes must
// fail with a message, reads go on, the daemon stays up, and once the ballast
// is gone changes work again without a restart; after one, nothing
// acknowledged is lost.
//
// Mounting needs a mount namespace: CTest runs this test under
// `unshare --user --map-root-user --mount`, so no privilege is needed and the
// mount vanishes with the test.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <thread>

#include "running_daemon.hpp"

namespace todo {
namespace {

using testing::count_of;
using testing::DaemonPlace;
using testing::run_todo;
using testing::run_todo_ok;
using testing::RunningDaemon;

// Writes zeros to path until the file system is full; the bytes written.
std::size_t fill_up(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  const std::string chunk(1 << 16, '\0');
  std::size_t written = 0;
  for (;;) {
    const ssize_t n = ::write(fd, chunk.data(), chunk.size());
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const int error = errno;
  ::close(fd);
  CHECK(error == ENOSPC);
  return written;
}

// Mounts a 24 MB tmpfs of its own on place's data directory.
void mount_small_disk(const DaemonPlace& place) {
  std::filesystem::create_directories(place.data_dir());
  if (::mount("tmpfs", place.data_dir().c_str(), "tmpfs", 0, "size=24m,mode=0700") != 0) {
    FAIL("cannot mount a tmpfs on " << place.data_dir() << " (run under unshare --user "
                                    << "--map-root-user --mount): " << std::strerror(errno));
  }
}

}  // namespace

TEST_CASE("a full disk at start serves reads, refuses changes, and takes them once it has room",
          "[disk_fault]") {
  DaemonPlace place;
  mount_small_disk(place);
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  for (int i = 0; i < 5; ++i) {
    run_todo_ok(daemon.endpoint(), {"add", "kept", "2026-11-27", "before " + std::to_string(i)});
  }
  REQUIRE(daemon.stop() == 0);
  const auto ballast = place.data_dir() / "ballast";
  fill_up(ballast);

  daemon.start();
  CHECK(count_of(run_todo_ok(daemon.endpoint(), {"entries", "kept"}), "\n") == 5);
  const auto refused = run_todo(daemon.endpoint(), {"add", "kept", "2026-11-27", "refused"});
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("No space left on device"));

  // With room again, changes come back by themselves: no request has to
  // trigger the reopen, and none is sent until todod says it happened.
  std::filesystem::remove(ballast);
  CHECK_THAT(daemon.process().read_stderr_until("reopened the database", std::chrono::seconds(20)),
             Catch::Contains("reopened the database"));
  const auto after = run_todo(daemon.endpoint(), {"add", "kept", "2026-11-27", "after"});
  INFO("refusal: " << after.err);
  CHECK(after.exit_code == 0);
  CHECK(after.out == "6\n");
  daemon.stop();
  daemon.start();
  CHECK(count_of(run_todo_ok(daemon.endpoint(), {"entries", "kept"}), "\n") == 6);
  REQUIRE(daemon.stop() == 0);
  ::umount(place.data_dir().c_str());
}

TEST_CASE(
    "a full disk refuses changes and keeps reads; with space again changes come back and "
    "nothing is lost",
    "[disk_fault]") {
  DaemonPlace place;
  mount_small_disk(place);
  RunningDaemon daemon(place.data_dir(), place.endpoint());
  for (int i = 0; i < 5; ++i) {
    run_todo_ok(daemon.endpoint(), {"add", "kept", "2026-11-27", "before " + std::to_string(i)});
  }

  const auto ballast = place.data_dir() / "ballast";
  fill_up(ballast);
  // RocksDB may still have room in its preallocated log, and a reopen after a
  // refused write can free some (the old log, once flushed): add in rounds
  // until a change is refused, as one will be once that room is used up.
  std::size_t acknowledged_during = 0;
  bool was_refused = false;
  for (int round = 0; round < 40 && !was_refused; ++round) {
    std::ostringstream adds;
    for (int i = 0; i < 500; ++i) {
      adds << "add full 2026-11-27 during-" << round << "-" << i << "-" << std::string(200, 'x')
           << "\n";
    }
    const auto during = run_todo(daemon.endpoint(), {"batch"}, adds.str());
    REQUIRE(during.exit_code != -1);
    acknowledged_during += testing::acknowledged_adds(during.out);
    if (during.exit_code == 1) {
      CHECK_THAT(during.out, Catch::Contains("could not"));
      was_refused = true;
    }
  }
  REQUIRE(was_refused);
  // Reads go on, and the daemon is still up.
  CHECK(count_of(run_todo_ok(daemon.endpoint(), {"entries", "kept"}), "\n") == 5);
  run_todo_ok(daemon.endpoint(), {"ping"});

  // Once there is room again, changes work again without a restart: todod
  // reopens RocksDB, at most every half second, after a failed write.
  std::filesystem::remove(ballast);
  auto after = run_todo(daemon.endpoint(), {"add", "kept", "2026-11-27", "after"});
  for (const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       after.exit_code != 0 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    after = run_todo(daemon.endpoint(), {"add", "kept", "2026-11-27", "after"});
  }
  INFO("last refusal: " << after.err);
  REQUIRE(after.exit_code == 0);
  // No id went to a refused add.
  CHECK(after.out == "6\n");
  CHECK(count_of(run_todo_ok(daemon.endpoint(), {"entries", "full"}), "\n") == acknowledged_during);

  // And a restart finds everything acknowledged before, during and after the fault.
  daemon.stop();
  daemon.start();
  CHECK(count_of(run_todo_ok(daemon.endpoint(), {"entries", "kept"}), "\n") == 6);
  CHECK(count_of(run_todo_ok(daemon.endpoint(), {"entries", "full"}), "\n") == acknowledged_during);
  REQUIRE(daemon.stop() == 0);
  ::umount(place.data_dir().c_str());
}

}  // namespace todo
