#include "daemon/service/spare_descriptor.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace todo {

SpareDescriptor::SpareDescriptor() { reclaim(); }

SpareDescriptor::~SpareDescriptor() { release(); }

void SpareDescriptor::release() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
}

void SpareDescriptor::reclaim() {
  if (fd_ < 0) fd_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

}  // namespace todo
