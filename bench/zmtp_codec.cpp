#include "bench/zmtp_codec.hpp"

#include <algorithm>
#include <cstring>

namespace todo::bench {
namespace {

constexpr std::size_t kMaxShortFrameBytes = 255;
constexpr std::size_t kShortHeaderBytes = 2;  // flags, size
constexpr std::size_t kLongHeaderBytes = 9;   // flags, 8-byte size

std::uint32_t big_endian_u32(const char* bytes) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         b[3];
}

}  // namespace

std::string zmtp_greeting() {
  std::string bytes(kZmtpGreetingBytes, '\0');
  bytes[0] = '\xff';
  bytes[9] = '\x7f';
  bytes[10] = 3;
  std::memcpy(&bytes[12], "NULL", 4);
  return bytes;
}

std::string check_zmtp_signature(std::string_view first_bytes) {
  if (static_cast<unsigned char>(first_bytes[0]) != 0xff || first_bytes[9] != 0x7f) {
    return "the peer's greeting is not ZMTP";
  }
  const auto major_version = static_cast<unsigned char>(first_bytes[10]);
  if (major_version < 3) {
    return "the peer speaks ZMTP " + std::to_string(major_version) + ", not 3";
  }
  return "";
}

std::string check_zmtp_mechanism(std::string_view greeting) {
  if (greeting.substr(12, 4) != "NULL" ||
      greeting.substr(16, 16).find_first_not_of('\0') != std::string_view::npos) {
    return "the peer asks for a security mechanism other than NULL";
  }
  return "";
}

void append_zmtp_frame(std::string& out, unsigned char flags, std::string_view body) {
  if (body.size() <= kMaxShortFrameBytes) {
    out += static_cast<char>(flags);
    out += static_cast<char>(body.size());
  } else {
    out += static_cast<char>(flags | kZmtpLongFlag);
    for (int shift = 56; shift >= 0; shift -= 8) {
      out += static_cast<char>((std::uint64_t{body.size()} >> shift) & 0xff);
    }
  }
  out += body;
}

// Properties: a name length byte, the name, a 4-byte big-endian value
// length, the value.
std::string zmtp_ready_command(std::string_view socket_type) {
  std::string body = "\x05READY\x0bSocket-Type";
  for (int shift = 24; shift >= 0; shift -= 8) {
    body += static_cast<char>((std::uint32_t(socket_type.size()) >> shift) & 0xff);
  }
  body += socket_type;
  std::string frame;
  append_zmtp_frame(frame, kZmtpCommandFlag, body);
  return frame;
}

std::string_view zmtp_command_name(std::string_view command) {
  if (command.empty() || command.size() - 1 < static_cast<unsigned char>(command[0])) {
    throw ZmtpProtocolError("a command frame too short for its name");
  }
  return command.substr(1, static_cast<unsigned char>(command[0]));
}

std::string_view zmtp_socket_type(std::string_view ready) {
  std::string_view rest = ready.substr(1 + zmtp_command_name(ready).size());
  while (!rest.empty()) {
    const std::size_t name_length = static_cast<unsigned char>(rest[0]);
    if (rest.size() < 1 + name_length + 4) throw ZmtpProtocolError("a READY property is cut off");
    const std::string_view name = rest.substr(1, name_length);
    const std::uint32_t value_length = big_endian_u32(rest.data() + 1 + name_length);
    rest.remove_prefix(1 + name_length + 4);
    if (rest.size() < value_length) throw ZmtpProtocolError("a READY property is cut off");
    if (name == "Socket-Type") return rest.substr(0, value_length);
    rest.remove_prefix(value_length);
  }
  return "";
}

std::string check_zmtp_ready(const ZmtpFrame& frame, std::string_view socket_type) {
  if (!frame.is_command()) return "a message came before the peer's READY";
  const std::string_view name = zmtp_command_name(frame.body);
  if (name == "ERROR") {
    // ERROR's body after its name: a reason length byte and the reason.
    std::string_view reason = frame.body.substr(1 + name.size());
    if (!reason.empty()) reason = reason.substr(1, static_cast<unsigned char>(reason[0]));
    return "the peer refused: " + std::string(reason);
  }
  if (name != "READY") return "the peer's first command is " + std::string(name) + ", not READY";
  const std::string_view type = zmtp_socket_type(frame.body);
  if (type != socket_type) {
    return "the peer is a " +
           (type.empty() ? std::string("socket of no type") : std::string(type)) + ", not a " +
           std::string(socket_type);
  }
  return "";
}

std::span<char> ZmtpDecoder::room(std::size_t min_bytes) {
  if (parsed_ == end_) {
    parsed_ = end_ = 0;
  } else if (parsed_ > 0 && bytes_.size() - end_ < min_bytes) {
    std::memmove(bytes_.data(), bytes_.data() + parsed_, end_ - parsed_);
    end_ -= parsed_;
    parsed_ = 0;
  }
  // Still short of room: a frame larger than what is held is coming.
  if (bytes_.size() - end_ < min_bytes) {
    bytes_.resize(std::max(2 * bytes_.size(), end_ + min_bytes));
  }
  return std::span<char>(bytes_.data() + end_, bytes_.size() - end_);
}

void ZmtpDecoder::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  const std::span<char> free = room(bytes.size());
  std::memcpy(free.data(), bytes.data(), bytes.size());
  added(bytes.size());
}

bool ZmtpDecoder::next_frame(ZmtpFrame& frame) {
  const std::size_t available = end_ - parsed_;
  if (available < kShortHeaderBytes) return false;
  const auto* header = reinterpret_cast<const unsigned char*>(bytes_.data() + parsed_);
  const unsigned char flags = header[0];
  if ((flags & ~(kZmtpMoreFlag | kZmtpLongFlag | kZmtpCommandFlag)) != 0) {
    throw ZmtpProtocolError("frame flags " + std::to_string(flags) + " set reserved bits");
  }
  std::size_t header_bytes = kShortHeaderBytes;
  std::uint64_t size = header[1];
  if ((flags & kZmtpLongFlag) != 0) {
    header_bytes = kLongHeaderBytes;
    if (available < header_bytes) return false;
    size = 0;
    for (std::size_t i = 1; i < header_bytes; ++i) size = (size << 8) | header[i];
  }
  if (size > kMaxZmtpFrameBytes) {
    throw ZmtpProtocolError("a frame of " + std::to_string(size) + " bytes is over the " +
                            std::to_string(kMaxZmtpFrameBytes) + " this client takes");
  }
  if (available - header_bytes < size) return false;
  frame.flags = flags;
  frame.body =
      std::string_view(bytes_.data() + parsed_ + header_bytes, static_cast<std::size_t>(size));
  parsed_ += header_bytes + static_cast<std::size_t>(size);
  return true;
}

bool ZmtpDecoder::next_message(std::string_view& message) {
  if (is_joined_given_) {
    joined_.clear();
    is_joined_given_ = false;
  }
  ZmtpFrame frame;
  while (next_frame(frame)) {
    if (frame.is_command()) {
      ++skipped_commands_;
    } else if (frame.has_more()) {
      joined_ += frame.body;
    } else if (joined_.empty()) {
      message = frame.body;
      return true;
    } else {
      joined_ += frame.body;
      message = joined_;
      is_joined_given_ = true;
      return true;
    }
  }
  return false;
}

}  // namespace todo::bench
