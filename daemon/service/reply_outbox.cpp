#include "daemon/service/reply_outbox.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace todo {

ReplyOutbox::ReplyOutbox() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

ReplyOutbox::~ReplyOutbox() { ::close(wake_fd_); }

void ReplyOutbox::push(OutgoingReply reply) {
  bool was_empty = false;
  {
    MutexLock lock(mutex_);
    was_empty = replies_.empty();
    replies_.push_back(std::move(reply));
  }
  if (was_empty) {
    const std::uint64_t one = 1;
    // Cannot fail short of a counter overflow, which take_all()'s read prevents.
    [[maybe_unused]] const ssize_t written = ::write(wake_fd_, &one, sizeof one);
  }
}

void ReplyOutbox::take_all(std::vector<OutgoingReply>& taken) {
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t read_bytes = ::read(wake_fd_, &count, sizeof count);
  taken.clear();
  MutexLock lock(mutex_);
  taken.swap(replies_);
}

}  // namespace todo
