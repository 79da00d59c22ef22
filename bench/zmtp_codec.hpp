// ZMTP 3.0 (RFC 23, NULL mechanism) as bytes, for todo-bench's
// ZmtpConnection: the greeting and READY command that a DEALER sends, the
// checks on what a peer sends in the handshake, and a decoder that takes the
// bytes a socket delivers, in pieces of any size, and gives back whole frames
// and messages. Nothing here touches a socket: the connection does the I/O,
// and a test can drive all of this with bytes.
//
// Errors: a greeting or first command that this end does not accept is named
// by the check that refuses it, as a string ("" when accepted). Bytes no peer
// may send (reserved flag bits, a frame over kMaxZmtpFrameBytes, a command
// too short for what it says it holds) throw ZmtpProtocolError, whose message
// says which; what was fed after them cannot be read.
//
// Thread safety: the functions are pure. A ZmtpDecoder is one thread's at a
// time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace todo::bench {

// A greeting is 64 bytes; its first 11 (signature and major version) tell a
// ZMTP 3 peer from an older one, which would wait for a shorter greeting.
inline constexpr std::size_t kZmtpGreetingBytes = 64;
inline constexpr std::size_t kZmtpGreetingVersionBytes = 11;

// A frame's first byte: these flags, the other bits reserved (zero).
inline constexpr unsigned char kZmtpMoreFlag = 0x01;
inline constexpr unsigned char kZmtpLongFlag = 0x02;
inline constexpr unsigned char kZmtpCommandFlag = 0x04;

// Far over any reply to todo-bench's requests (an id, or a list of 100 short
// entries), so only a broken peer reaches it.
inline constexpr std::uint64_t kMaxZmtpFrameBytes = 64u << 20;

class ZmtpProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// This end's greeting: signature, version 3.0, mechanism NULL, as-server 0.
std::string zmtp_greeting();

// What is wrong with a peer's greeting, or "" when this end accepts it.
// REQUIRES: first_bytes holds at least kZmtpGreetingVersionBytes.
std::string check_zmtp_signature(std::string_view first_bytes);
// REQUIRES: greeting holds at least kZmtpGreetingBytes.
std::string check_zmtp_mechanism(std::string_view greeting);

// Appends one frame: flags, a one-byte size up to 255 bytes or, with the
// long flag (set here when the body needs it), an 8-byte big-endian one, then
// the body.
void append_zmtp_frame(std::string& out, unsigned char flags, std::string_view body);

// The NULL mechanism's READY command as a whole frame, saying this end is a
// socket of `socket_type` ("DEALER").
std::string zmtp_ready_command(std::string_view socket_type);

struct ZmtpFrame {
  unsigned char flags = 0;
  std::string_view body;

  bool is_command() const { return (flags & kZmtpCommandFlag) != 0; }
  bool has_more() const { return (flags & kZmtpMoreFlag) != 0; }
};

// A command's name, from the start of its body. Throws ZmtpProtocolError
// for a body too short for the name.
std::string_view zmtp_command_name(std::string_view command);

// The Socket-Type property of a READY command's body, or "" when it has
// none. Throws ZmtpProtocolError for a property cut off.
std::string_view zmtp_socket_type(std::string_view ready);

// What is wrong with a peer's first frame, or "" when it is the READY of a
// socket of `socket_type`. Throws ZmtpProtocolError as the two above do.
std::string check_zmtp_ready(const ZmtpFrame& frame, std::string_view socket_type);

// The bytes a peer sent, and the frames and messages in them. What is fed
// is kept until a whole frame is there; nothing is parsed twice.
class ZmtpDecoder {
 public:
  // capacity: bytes held before the first growth.
  explicit ZmtpDecoder(std::size_t capacity = 0) : bytes_(capacity) {}
  ZmtpDecoder(const ZmtpDecoder&) = delete;
  ZmtpDecoder& operator=(const ZmtpDecoder&) = delete;

  // At least `min_bytes` of room after what was fed, for a socket to read
  // into; added(count) then takes the first `count` bytes of it. Makes the
  // room by moving what is unread to the front, or by growing.
  std::span<char> room(std::size_t min_bytes);
  // REQUIRES: count no more than the last room() gave.
  void added(std::size_t count) { end_ += count; }
  // room() and added() for bytes that are somewhere else already.
  void feed(std::string_view bytes);

  // What was fed and not yet taken. The greeting, which is not a frame, is
  // read from here and passed over with skip().
  std::string_view unread() const {
    return std::string_view(bytes_.data() + parsed_, end_ - parsed_);
  }
  // REQUIRES: count <= unread().size().
  void skip(std::size_t count) { parsed_ += count; }

  // The next whole frame, taken; false when none has come whole yet. Its
  // body is valid until room() or feed() is called.
  bool next_frame(ZmtpFrame& frame);

  // The next whole message, its frames' bodies joined, taken; false when
  // none has come whole yet. Commands are passed over and counted: libzmq
  // sends them after READY only for heartbeats, which change nothing about
  // the messages. The view is valid until the next call of next_message(),
  // room() or feed().
  bool next_message(std::string_view& message);
  std::size_t skipped_commands() const { return skipped_commands_; }

 private:
  std::vector<char> bytes_;
  std::size_t parsed_ = 0;  // bytes_[parsed_, end_) is not parsed yet
  std::size_t end_ = 0;
  // The frames so far of a message of several; once its last has come, the
  // message next_message() gave, until it is called again.
  std::string joined_;
  bool is_joined_given_ = false;
  std::size_t skipped_commands_ = 0;
};

}  // namespace todo::bench
