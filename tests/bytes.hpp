// Builds encodings byte by byte from the documented layout (docs/protocol.md,
// common/codec.cpp), independently of the encoder, so that tests can pin the
// layout and write what the encoder never would.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace todo::testing {

class Bytes {
 public:
  Bytes& u8(std::uint8_t value) { return little_endian(value, 1); }
  Bytes& u32(std::uint32_t value) { return little_endian(value, 4); }
  Bytes& i32(std::int32_t value) { return little_endian(static_cast<std::uint32_t>(value), 4); }
  Bytes& u64(std::uint64_t value) { return little_endian(value, 8); }
  Bytes& text(std::string_view value) {
    u64(value.size());
    bytes_ += value;
    return *this;
  }
  const std::string& str() const { return bytes_; }

 private:
  Bytes& little_endian(std::uint64_t value, int width) {
    for (int i = 0; i < width; ++i) bytes_ += static_cast<char>((value >> (8 * i)) & 0xFF);
    return *this;
  }
  std::string bytes_;
};

inline constexpr std::uint8_t kMarker = 1;

}  // namespace todo::testing
