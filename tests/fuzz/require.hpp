// How a fuzz target reports a broken property: a line on stderr saying which
// property failed, then abort(). libFuzzer takes the abort for a crash and
// keeps the input; the corpus replay in the ordinary build dies with it, and
// so fails its test.
//
// Not assert(): the targets are built with NDEBUG too (RelWithDebInfo), and a
// property check that compiles away finds nothing.
//
// Thread safety: may be called from any thread; fail() does not return.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/error.hpp"
#include "common/result.hpp"

namespace todo::fuzz {

[[noreturn]] inline void fail(std::string_view property, std::string_view detail = {}) {
  std::fprintf(stderr, "fuzz property broken: %.*s\n", static_cast<int>(property.size()),
               property.data());
  if (!detail.empty()) {
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(detail.size()), detail.data());
  }
  std::abort();
}

inline void require(bool holds, std::string_view property) {
  if (!holds) fail(property);
}

// A refused input must be refused the way callers rely on: an invalid_argument
// error (todod answers a bad request with it, and would blame itself with
// "internal") whose message starts with `prefix` ("corrupt request: ").
template <class T>
void require_refused_as_corrupt(const Result<T>& result, std::string_view prefix) {
  const Error& error = result.error();
  if (error.code != StatusCode::invalid_argument) {
    fail("a refusal is an invalid_argument error", error.message);
  }
  if (!error.message.starts_with(prefix)) fail("a refusal names what is corrupt", error.message);
}

}  // namespace todo::fuzz
