// The JSON form of what todod answers, one function per value, shared by the
// CLI's --json output and the HTTP API (docs/http.md), so that a script sees
// the same fields whichever way it asked.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/value.hpp>

#include "common/entry.hpp"
#include "common/protocol.hpp"

namespace todo {

// {"id": 1, "date": "2026-12-02", "title": "Dentist", "done": false}
boost::json::object entry_json(const Entry& entry);
// Every PingInfo field under its own name: {"version": ..., "uptime_ms": ...}.
boost::json::object ping_json(const PingInfo& ping);

}  // namespace todo
