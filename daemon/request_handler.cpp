#include "daemon/request_handler.hpp"

#include <type_traits>

#include "common/validation.hpp"
#include "daemon/cache.hpp"
#include "daemon/server.hpp"
#include "daemon/server_context.hpp"
#include "daemon/system.hpp"

namespace todo {
namespace {

ReplyPayload to_payload(ListAnswer answer) {
  return std::visit([](auto&& value) -> ReplyPayload { return std::move(value); },
                    std::move(answer));
}

}  // namespace

RequestHandler::RequestHandler(System& system, std::string version)
    : system_(system), version_(std::move(version)), started_(std::chrono::steady_clock::now()) {}

void RequestHandler::handle(Request request, Respond respond) {
  const std::uint64_t id = request.id;
  std::visit(
      [&](auto&& command) {
        using Kind = std::decay_t<decltype(command)>;
        if constexpr (std::is_same_v<Kind, ListCommand>) {
          if (auto valid = validate_list_name(command.list); !valid) {
            respond(Reply::failure(id, valid.error()));
            return;
          }
          system_.cache()
              .server_process(command.list)
              ->send(std::move(command.operation), [id, respond =
                                                            std::move(respond)](ListResult result) {
                if (!result) {
                  respond(Reply::failure(id, result.error()));
                } else {
                  respond(Reply{id, StatusCode::ok, {}, to_payload(std::move(result).value())});
                }
              });
        } else if constexpr (std::is_same_v<Kind, ListNames>) {
          system_.context().requests_served.fetch_add(1, std::memory_order_relaxed);
          auto names = system_.database().list_names();
          if (!names) {
            respond(Reply::failure(id, names.error()));
          } else {
            respond(Reply{id, StatusCode::ok, {}, std::move(names).value()});
          }
        } else {
          static_assert(std::is_same_v<Kind, Ping>);
          system_.context().requests_served.fetch_add(1, std::memory_order_relaxed);
          respond(ping(id));
        }
      },
      std::move(request.command));
}

Reply RequestHandler::ping(std::uint64_t request_id) const {
  PingInfo info;
  info.version = version_;
  info.uptime_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - started_)
                                                  .count());
  info.lists_in_memory = system_.cache().size();
  info.requests_served = system_.context().requests_served.load(std::memory_order_relaxed);
  return Reply{request_id, StatusCode::ok, {}, info};
}

}  // namespace todo
