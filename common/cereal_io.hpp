// The hardened cereal layer under every encoding todo reads from outside
// (stored values, wire messages): encode a value with cereal's portable binary
// archive, and decode bytes that may be truncated, corrupt or hostile without
// crashing, without an exception escaping and without allocating more than
// the input justifies.
//
// A type T takes part by having non-member save(Archive&, const T&) and
// load(Archive&, T&) found by argument-dependent lookup; cereal calls them
// with its PortableBinaryOutputArchive / PortableBinaryInputArchive, which the
// helpers below take. The load side reads text and sequences only through
// load_string() and load_count(), never through cereal's stock std::string /
// std::vector / std::optional loaders, which trust a length prefix and resize
// to it before reading a byte. A load function refuses what it reads by
// throwing cereal::Exception with a reason; decode_portable() turns it into an
// Error.
//
// Thread safety: pure functions; MemoryInputBuffer and StringOutputBuffer are
// plain objects used by one thread at a time.
#pragma once

// cereal keeps UserDataAdapter behind this switch.
#ifndef CEREAL_FUTURE_EXPERIMENTAL
#define CEREAL_FUTURE_EXPERIMENTAL
#endif

#include <cassert>
#include <cereal/archives/adapters.hpp>
#include <cereal/archives/portable_binary.hpp>
#include <cereal/cereal.hpp>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <istream>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>

#include "common/error.hpp"
#include "common/result.hpp"

namespace todo::detail {

// A read-only std::streambuf over bytes owned by someone else, so that
// decoding reads the input in place instead of copying it into a stream.
//
// REQUIRES: the bytes outlive the buffer.
class MemoryInputBuffer : public std::streambuf {
 public:
  explicit MemoryInputBuffer(std::string_view bytes) {
    // The get area is declared char* but is never written through: only a
    // pbackfail() override could write, and there is none.
    char* begin = const_cast<char*>(bytes.data());
    setg(begin, begin, begin + bytes.size());
  }

  // Bytes not yet read: the most any length prefix can honestly claim.
  std::size_t remaining() const { return static_cast<std::size_t>(egptr() - gptr()); }
};

// What decode_portable() reads with: the portable input archive, carrying the
// MemoryInputBuffer under it so that the loaders below can ask what remains.
using DecodingArchive =
    cereal::UserDataAdapter<MemoryInputBuffer, cereal::PortableBinaryInputArchive>;

// The first byte of every portable binary archive todo writes: cereal's marker
// for little-endian data.
inline constexpr char kLittleEndianMarker = 1;

// A write-only std::streambuf appending to a string it hands over at the end:
// encoding writes straight into the string it returns, reserved once, where a
// std::ostringstream would grow its buffer from empty, doubling, per message.
class StringOutputBuffer : public std::streambuf {
 public:
  explicit StringOutputBuffer(std::size_t expected_bytes) { bytes_.reserve(expected_bytes); }
  std::string take() { return std::move(bytes_); }

 protected:
  std::streamsize xsputn(const char* data, std::streamsize count) override {
    bytes_.append(data, static_cast<std::size_t>(count));
    return count;
  }
  int_type overflow(int_type byte) override {
    if (!traits_type::eq_int_type(byte, traits_type::eof())) {
      bytes_.push_back(traits_type::to_char_type(byte));
    }
    return traits_type::not_eof(byte);
  }

 private:
  std::string bytes_;
};

// Room for the messages todo sends most (an id, an entry, a request to add
// one) without growing; longer ones grow as a string does.
inline constexpr std::size_t kUsualEncodedBytes = 128;

template <class T>
std::string encode_portable(const T& value) {
  StringOutputBuffer buffer(kUsualEncodedBytes);
  std::ostream stream(&buffer);
  {
    // Little-endian whatever the host, so the stored bytes do not depend on
    // the machine that wrote them.
    cereal::PortableBinaryOutputArchive archive(
        stream, cereal::PortableBinaryOutputArchive::Options::LittleEndian());
    archive(value);
  }
  return buffer.take();
}

// Decodes a whole T from bytes. `what` names the value in the error:
// "corrupt <what>: <reason>". Every byte must be consumed.
template <class T>
Result<T> decode_portable(std::string_view bytes, std::string_view what) {
  const auto corrupt = [what](std::string_view reason) {
    return Error::invalid("corrupt " + std::string(what) + ": " + std::string(reason));
  };
  if (bytes.empty()) return corrupt("no bytes");
  // cereal byte-swaps for any other marker value, even 2 or 0xff; a writer
  // of todo never produces one, so it is corruption, not another byte order.
  if (bytes.front() != kLittleEndianMarker) {
    return corrupt("byte order marker " +
                   std::to_string(static_cast<unsigned char>(bytes.front())) + " is not " +
                   std::to_string(kLittleEndianMarker) + " (little-endian)");
  }
  MemoryInputBuffer buffer(bytes);
  std::istream stream(&buffer);
  try {
    DecodingArchive archive(buffer, stream);
    T value{};
    archive(value);
    if (buffer.remaining() != 0) {
      return corrupt(std::to_string(buffer.remaining()) + " trailing bytes");
    }
    return value;
  } catch (const std::exception& failure) {
    return corrupt(failure.what());
  } catch (...) {
    // The daemon must survive anything a load function might throw.
    return corrupt("unknown decoding failure");
  }
}

// What remains of the input under an archive decode_portable() built; throws
// (and so reports corruption) for any other archive.
inline std::size_t remaining_bytes(cereal::PortableBinaryInputArchive& archive) {
  return cereal::get_user_data<MemoryInputBuffer>(archive).remaining();
}

// Reads the version a top-level value starts with. `kind` names it in the
// reason ("format", "protocol"). Returns a version in 1..newest.
inline std::uint32_t load_version(cereal::PortableBinaryInputArchive& archive,
                                  std::string_view kind, std::uint32_t newest) {
  std::uint32_t version = 0;
  archive(version);
  if (version == 0) {
    throw cereal::Exception(std::string(kind) + " version 0 does not exist");
  }
  if (version > newest) {
    throw cereal::Exception(std::string(kind) + " version " + std::to_string(version) +
                            " is newer than this todo understands (" + std::to_string(newest) +
                            ")");
  }
  return version;
}

// One byte, 0 or 1. cereal's own bool load copies the byte into the bool's
// storage, so 2 would become a bool that is neither true nor false.
inline void save_bool(cereal::PortableBinaryOutputArchive& archive, bool value) {
  archive(static_cast<std::uint8_t>(value ? 1 : 0));
}

inline bool load_bool(cereal::PortableBinaryInputArchive& archive, std::string_view what) {
  std::uint8_t byte = 0;
  archive(byte);
  if (byte > 1) {
    throw cereal::Exception(std::string(what) + " byte " + std::to_string(byte) +
                            " is neither 0 nor 1");
  }
  return byte == 1;
}

// A length prefix, then the bytes.
inline void save_string(cereal::PortableBinaryOutputArchive& archive, std::string_view text) {
  archive(cereal::make_size_tag(static_cast<cereal::size_type>(text.size())));
  archive(cereal::binary_data(text.data(), text.size()));
}

// Refuses a length over max_bytes, or over what remains of the input, before
// allocating anything for it.
inline std::string load_string(cereal::PortableBinaryInputArchive& archive, std::size_t max_bytes,
                               std::string_view what) {
  cereal::size_type length = 0;
  archive(cereal::make_size_tag(length));
  if (length > max_bytes) {
    throw cereal::Exception(std::string(what) + " length " + std::to_string(length) +
                            " exceeds the limit of " + std::to_string(max_bytes) + " bytes");
  }
  const std::size_t remaining = remaining_bytes(archive);
  if (length > remaining) {
    throw cereal::Exception(std::string(what) + " length " + std::to_string(length) +
                            " exceeds the " + std::to_string(remaining) + " bytes that remain");
  }
  std::string text(static_cast<std::size_t>(length), '\0');
  archive(cereal::binary_data(text.data(), text.size()));
  return text;
}

// The element count in front of a sequence.
inline void save_count(cereal::PortableBinaryOutputArchive& archive, std::size_t count) {
  archive(cereal::make_size_tag(static_cast<cereal::size_type>(count)));
}

// Refuses a count over max_count, or more elements than the rest of the input
// could hold at min_element_bytes each (the smallest encoding of one
// element), so that reserving the count is safe.
// REQUIRES: min_element_bytes >= 1.
inline std::size_t load_count(cereal::PortableBinaryInputArchive& archive, std::size_t max_count,
                              std::size_t min_element_bytes, std::string_view what) {
  assert(min_element_bytes >= 1);
  cereal::size_type count = 0;
  archive(cereal::make_size_tag(count));
  if (count > max_count) {
    throw cereal::Exception(std::string(what) + " count " + std::to_string(count) +
                            " exceeds the limit of " + std::to_string(max_count));
  }
  const std::size_t remaining = remaining_bytes(archive);
  if (count > remaining / min_element_bytes) {
    throw cereal::Exception(std::string(what) + " count " + std::to_string(count) +
                            " cannot fit in the " + std::to_string(remaining) +
                            " bytes that remain (at least " + std::to_string(min_element_bytes) +
                            " each)");
  }
  return static_cast<std::size_t>(count);
}

}  // namespace todo::detail
