#include "daemon/service/request_handler.hpp"

#include <type_traits>

#include "common/resident_memory.hpp"
#include "daemon/access_tokens.hpp"
#include "daemon/backup_maker.hpp"
#include "daemon/cache.hpp"
#include "daemon/database.hpp"
#include "daemon/latest_undo.hpp"
#include "daemon/list_name_resolution.hpp"
#include "daemon/list_transfers.hpp"
#include "daemon/name_lister.hpp"
#include "daemon/server.hpp"
#include "daemon/system.hpp"
#include "daemon/system_counters.hpp"

namespace todo {
namespace {

Reply ok_reply(std::uint64_t id, ListAnswer answer) {
  // Said in the message: a new payload tag would be refused by a todo that
  // does not know it (docs/protocol.md).
  if (std::holds_alternative<NothingToDrop>(answer)) {
    return Reply{id, StatusCode::ok, std::string(kNothingToDropMessage), std::monostate{}};
  }
  // (One visit building the whole Reply makes gcc 12 warn of uninitialized
  // variant members, wrongly.)
  ReplyPayload payload = std::visit(
      [](auto&& value) -> ReplyPayload {
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, NothingToDrop>) {
          return std::monostate{};
        } else {
          return std::move(value);
        }
      },
      std::move(answer));
  return Reply{id, StatusCode::ok, {}, std::move(payload)};
}

}  // namespace

RequestHandler::RequestHandler(System& system, std::string version)
    : system_(system), version_(std::move(version)), started_(Clock::now()) {}

void RequestHandler::handle(Request request, Respond respond) {
  const Clock::time_point received = Clock::now();
  const std::uint64_t id = request.id;
  SystemCounters& counters = system_.counters();
  std::visit(
      [&](auto&& command) {
        using Kind = std::decay_t<decltype(command)>;
        if constexpr (std::is_same_v<Kind, ListCommand>) {
          // Admission first: a name that is not canonical costs a read of
          // RocksDB on this thread, which a busy todod does not spend.
          if (!admit(id, received, respond)) return;
          auto list_name = resolve_list_name(system_.database(), std::move(command.list));
          if (!list_name) {
            answer(respond, received, Reply::failure(id, list_name.error()));
            return;
          }
          Server::ReplyFn reply = [this, id, received,
                                   respond = std::move(respond)](ListResult result) {
            if (!result) {
              answer(respond, received, Reply::failure(id, result.error()));
            } else {
              answer(respond, received, ok_reply(id, std::move(result).value()));
            }
          };
          if (is_transfer(command.operation)) {
            std::string& other = *other_list_name(command.operation);
            auto other_name = resolve_list_name(system_.database(), std::move(other));
            if (!other_name) {
              reply(other_name.error());
              return;
            }
            other = std::move(other_name).value();
            system_.cache().transfers().start(std::move(list_name).value(),
                                              std::move(command.operation), command.key,
                                              std::move(reply));
            return;
          }
          system_.cache().send(list_name.value(), std::move(command.operation), command.key,
                               std::move(reply));
        } else if constexpr (std::is_same_v<Kind, ListNames>) {
          if (!admit(id, received, respond)) return;
          NameLister::start(system_.scheduler(), system_.database(), counters, std::move(command),
                            [this, id, received,
                             respond = std::move(respond)](Result<std::vector<std::string>> names) {
                              if (!names) {
                                answer(respond, received, Reply::failure(id, names.error()));
                              } else {
                                answer(respond, received,
                                       Reply{id, StatusCode::ok, {}, std::move(names).value()});
                              }
                            });
        } else if constexpr (std::is_same_v<Kind, MakeBackup>) {
          counters.requests_served.fetch_add(1, std::memory_order_relaxed);
          system_.backups().start(
              std::move(command),
              [this, id, received, respond = std::move(respond)](Result<BackupMade> made) {
                if (!made) {
                  answer(respond, received, Reply::failure(id, made.error()));
                } else {
                  answer(respond, received, Reply{id, StatusCode::ok, {}, made.value()});
                }
              });
        } else if constexpr (std::is_same_v<Kind, UndoLatest>) {
          if (!admit(id, received, respond)) return;
          LatestUndo::start(
              system_.cache(), command.key,
              [this, id, received, respond = std::move(respond)](Result<UndoneIn> undone) {
                if (!undone) {
                  answer(respond, received, Reply::failure(id, undone.error()));
                } else {
                  answer(respond, received,
                         Reply{id, StatusCode::ok, {}, std::move(undone).value()});
                }
              });
        } else if constexpr (std::is_same_v<Kind, Ping>) {
          counters.requests_served.fetch_add(1, std::memory_order_relaxed);
          answer(respond, received, ping(id));
        } else {
          counters.requests_served.fetch_add(1, std::memory_order_relaxed);
          answer(respond, received, token_reply(id, std::move(command)));
        }
      },
      std::move(request.command));
}

bool RequestHandler::admit(std::uint64_t request_id, Clock::time_point received,
                           const Respond& respond) {
  SystemCounters& counters = system_.counters();
  if (counters.requests_in_progress.load(std::memory_order_relaxed) <
      counters.max_requests_in_progress) {
    return true;
  }
  counters.busy_refusals.fetch_add(1, std::memory_order_relaxed);
  answer(respond, received,
         Reply::failure(request_id, Error::busy("todod already has " +
                                                std::to_string(counters.max_requests_in_progress) +
                                                " requests in progress")));
  return false;
}

Reply RequestHandler::refuse(std::uint64_t request_id, Error error) {
  errors_.fetch_add(1, std::memory_order_relaxed);
  return Reply::failure(request_id, std::move(error));
}

Reply RequestHandler::withhold(std::uint64_t request_id, Error error) {
  system_.counters().busy_refusals.fetch_add(1, std::memory_order_relaxed);
  return refuse(request_id, std::move(error));
}

void RequestHandler::answer(const Respond& respond, Clock::time_point received, Reply reply) {
  if (reply.status != StatusCode::ok) errors_.fetch_add(1, std::memory_order_relaxed);
  latency_.record(Clock::now() - received);
  respond(std::move(reply));
}

Reply RequestHandler::token_reply(std::uint64_t request_id, TokenCommand command) {
  AccessTokens& tokens = system_.access_tokens();
  return std::visit(
      [&](auto&& token_command) -> Reply {
        using Kind = std::decay_t<decltype(token_command)>;
        if constexpr (std::is_same_v<Kind, AddToken>) {
          auto secret = tokens.add(std::move(token_command.grant));
          if (!secret) return Reply::failure(request_id, secret.error());
          return Reply{request_id, StatusCode::ok, {}, std::move(secret).value()};
        } else if constexpr (std::is_same_v<Kind, ListTokens>) {
          return Reply{request_id, StatusCode::ok, {}, tokens.list()};
        } else {
          static_assert(std::is_same_v<Kind, RevokeToken>);
          auto revoked = tokens.revoke(token_command.name);
          if (!revoked) return Reply::failure(request_id, revoked.error());
          return Reply{request_id, StatusCode::ok, {}, std::monostate{}};
        }
      },
      std::move(command));
}

Reply RequestHandler::ping(std::uint64_t request_id) const {
  const SystemCounters& counters = system_.counters();
  PingInfo info;
  info.version = version_;
  info.uptime_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count());
  info.lists_in_memory = system_.cache().size();
  info.requests_served = counters.requests_served.load(std::memory_order_relaxed);
  info.errors = errors_.load(std::memory_order_relaxed);
  info.busy_refusals = counters.busy_refusals.load(std::memory_order_relaxed);
  info.database_batches = system_.database().batch_count();
  info.database_writes = system_.database().write_count();
  info.actor_restarts = counters.actor_restarts.load(std::memory_order_relaxed);
  info.lists_expired = counters.lists_expired.load(std::memory_order_relaxed);
  info.p99_latency_us = static_cast<std::uint64_t>(latency_.percentile(0.99).count());
  info.resident_bytes = resident_bytes();
  info.degraded = system_.database().degraded();
  return Reply{request_id, StatusCode::ok, {}, info};
}

}  // namespace todo
