#pragma once
/// Errors in a run's configuration, each naming where the bad value came from.
///
/// Example message:
///   examples/quickstart.yaml:14: learning.lr: expected a number > 0, got -3

#include <stdexcept>
#include <string>

namespace neuromod::config {

/// Where a configuration value came from: a line of a YAML file, or a command-line override.
struct Origin {
  std::string file;           ///< YAML file, empty when unknown
  int line = 0;               ///< 1-based line in `file`, 0 when unknown
  std::string override_text;  ///< the `key=value` override that set it, if any

  /// "file.yaml:14", "override 'learning.lr=-3'", or "config" when nothing is known.
  std::string describe() const;
};

/// A configuration value that is missing, malformed, of the wrong type or out of range.
class ConfigError : public std::runtime_error {
 public:
  /// `key` is the dotted path (`learning.lr`); `problem` says what was expected and what came.
  ConfigError(std::string key, std::string problem, Origin origin);

  const std::string& key() const { return key_; }
  const std::string& problem() const { return problem_; }
  const Origin& origin() const { return origin_; }

 private:
  std::string key_;
  std::string problem_;
  Origin origin_;
};

}  // namespace neuromod::config
