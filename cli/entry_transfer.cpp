#include "cli/entry_transfer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <ctime>

#include "common/json_values.hpp"
#include "common/validation.hpp"

namespace todo {
namespace {

namespace json = boost::json;

// "where: why", where naming the line or element the problem is in.
Error invalid_at(const std::string& where, const std::string& why) {
  return Error::invalid(where + ": " + why);
}

Result<std::string> string_member(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return Error::invalid("no \"" + std::string(key) + "\"");
  if (!value->is_string()) return Error::invalid("\"" + std::string(key) + "\" is not a string");
  return std::string(value->as_string());
}

// Taskwarrior's due, 20181219T120000Z (UTC), as the local date it falls on.
Result<Date> local_date_of(const std::string& stamp) {
  std::tm utc{};
  if (stamp.size() != 16 || ::strptime(stamp.c_str(), "%Y%m%dT%H%M%SZ", &utc) == nullptr) {
    return Error::invalid("\"due\" " + quoted_for_message(stamp) +
                          " is not a Taskwarrior date (YYYYMMDDTHHMMSSZ)");
  }
  const std::time_t time = ::timegm(&utc);
  std::tm local{};
  ::localtime_r(&time, &local);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &local);
  return Date::parse(text);
}

// "tags": an array of strings, checked as a list checks them.
Result<Tags> tags_member(const json::object& object) {
  const json::value* value = object.if_contains("tags");
  if (value == nullptr) return Tags();
  if (!value->is_array()) return Error::invalid("\"tags\" is not an array");
  Tags tags;
  for (const json::value& tag : value->as_array()) {
    if (!tag.is_string()) return Error::invalid("a tag is not a string");
    tags.emplace_back(tag.as_string());
  }
  return normalized_tags(std::move(tags));
}

// A line of todo export.
Result<ImportedEntry> exported_entry(const json::object& object) {
  ImportedEntry entry;
  auto list = string_member(object, "list");
  if (!list) return list.error();
  entry.list = std::move(list).value();
  auto title = string_member(object, "title");
  if (!title) return title.error();
  entry.title = std::move(title).value();
  auto date_text = string_member(object, "date");
  if (!date_text) return date_text.error();
  auto date = Date::parse(date_text.value());
  if (!date) return date.error();
  entry.date = date.value();
  if (const json::value* done = object.if_contains("done")) {
    if (!done->is_bool()) return Error::invalid("\"done\" is not true or false");
    entry.is_done = done->as_bool();
  }
  auto tags = tags_member(object);
  if (!tags) return tags.error();
  entry.tags = std::move(tags).value();
  return entry;
}

// A task of Taskwarrior's; nothing for a deleted one.
Result<std::optional<ImportedEntry>> taskwarrior_entry(
    const json::object& task, const std::optional<std::string>& default_list, Date today) {
  auto status = string_member(task, "status");
  if (!status) return status.error();
  if (status.value() == "deleted") return std::optional<ImportedEntry>();
  ImportedEntry entry;
  entry.is_done = status.value() == "completed";
  auto description = string_member(task, "description");
  if (!description) return description.error();
  entry.title = std::move(description).value();
  auto tags = tags_member(task);
  if (!tags) return tags.error();
  entry.tags = std::move(tags).value();
  entry.date = today;
  if (task.contains("due")) {
    auto due = string_member(task, "due");
    if (!due) return due.error();
    auto date = local_date_of(due.value());
    if (!date) return date.error();
    entry.date = date.value();
  }
  if (task.contains("project")) {
    auto project = string_member(task, "project");
    if (!project) return project.error();
    entry.list = std::move(project).value();
  } else if (default_list) {
    entry.list = *default_list;
  } else {
    return Error::invalid("a task without a project needs --list LIST to go to");
  }
  return std::optional<ImportedEntry>(std::move(entry));
}

// One object of the input, of either kind, into plan.
Result<void> add_object(const json::value& value, const std::optional<std::string>& default_list,
                        Date today, ImportPlan& plan) {
  if (!value.is_object()) return Error::invalid("not a JSON object");
  const json::object& object = value.as_object();
  std::optional<ImportedEntry> entry;
  if (object.contains("description")) {
    auto task = taskwarrior_entry(object, default_list, today);
    if (!task) return task.error();
    entry = std::move(task).value();
    if (!entry) {
      ++plan.deleted_skipped;
      return {};
    }
  } else {
    auto exported = exported_entry(object);
    if (!exported) return exported.error();
    entry = std::move(exported).value();
  }
  if (auto valid = validate_list_name(entry->list); !valid) return valid.error();
  if (auto valid = validate_title(entry->title); !valid) return valid.error();
  plan.entries.push_back(std::move(*entry));
  return {};
}

}  // namespace

std::string export_line(std::string_view list, const Entry& entry) {
  json::object object = entry_json(entry);
  object["list"] = list;
  return json::serialize(object);
}

Result<ImportPlan> parse_import(std::string_view input,
                                const std::optional<std::string>& default_list, Date today) {
  ImportPlan plan;
  const std::size_t first = input.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && input[first] == '[') {
    boost::system::error_code error;
    const json::value array = json::parse(input, error);
    if (error) return Error::invalid("the input is not a JSON array: " + error.message());
    if (!array.is_array()) return Error::invalid("the input is not a JSON array");
    for (std::size_t i = 0; i < array.as_array().size(); ++i) {
      if (auto added = add_object(array.as_array()[i], default_list, today, plan); !added) {
        return invalid_at("element " + std::to_string(i + 1), added.error().message);
      }
    }
    return plan;
  }
  std::size_t line_number = 0;
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t end = std::min(input.find('\n', at), input.size());
    const std::string_view line = input.substr(at, end - at);
    at = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    boost::system::error_code error;
    const json::value value = json::parse(line, error);
    const std::string where = "line " + std::to_string(line_number);
    if (error) return invalid_at(where, "not JSON: " + error.message());
    if (auto added = add_object(value, default_list, today, plan); !added) {
      return invalid_at(where, added.error().message);
    }
  }
  return plan;
}

}  // namespace todo
