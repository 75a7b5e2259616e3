#include "neuromod/config/config_error.h"

namespace neuromod::config {

std::string Origin::describe() const {
  if (!override_text.empty()) return "override '" + override_text + "'";
  if (file.empty()) return "config";
  if (line <= 0) return file;
  return file + ":" + std::to_string(line);
}

namespace {
std::string format_message(const std::string& key, const std::string& problem,
                           const Origin& origin) {
  std::string message = origin.describe() + ": ";
  if (!key.empty()) message += key + ": ";
  return message + problem;
}
}  // namespace

ConfigError::ConfigError(std::string key, std::string problem, Origin origin)
    : std::runtime_error(format_message(key, problem, origin)),
      key_(std::move(key)),
      problem_(std::move(problem)),
      origin_(std::move(origin)) {}

}  // namespace neuromod::config
