// The JSON form of what todod answers, one function per value, shared by the
// CLI's --json output and the HTTP API (docs/http.md), so that a script sees
// the same fields whichever way it asked.
//
// Thread safety: pure functions.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "common/entry.hpp"
#include "common/protocol.hpp"

namespace todo {

// {"id": 1, "date": "2026-12-02", "title": "Dentist", "done": false,
// "tags": ["health"]}, its
// memory from storage (a page's monotonic_resource, say).
boost::json::object entry_json(const Entry& entry);
boost::json::object entry_json(const EntryView& entry, boost::json::storage_ptr storage = {});
// Every PingInfo field under its own name: {"version": ..., "uptime_ms": ...}.
boost::json::object ping_json(const PingInfo& ping);

}  // namespace todo
