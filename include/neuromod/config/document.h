#pragma once
/// A configuration document: a YAML tree read from a file, plus Hydra-style overrides
/// (`learning.lr=3e-4`, `layers.0.size=64`) applied on top, with the origin of every value.

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "neuromod/config/config_error.h"

namespace neuromod::config {

/// The YAML tree of one run's configuration and where each of its values came from.
class Document {
 public:
  /// Reads a YAML file whose top level is a mapping.
  /// Throws ConfigError naming the file for a missing, unreadable or malformed file.
  /// Example: auto doc = Document::load_file("examples/quickstart.yaml");
  static Document load_file(const std::filesystem::path& path);

  /// Parses YAML text; `name` stands in for the file name in messages.
  static Document parse(const std::string& text, const std::string& name);

  /// Applies one `dotted.key=value` override; `value` is parsed as YAML (so `[64, 32]` is a
  /// list and `1e-3` a number). Integer segments index into lists. Intermediate mappings are
  /// created as needed; whether the key is known is checked later, when options are read.
  /// Example: doc.apply_override("learning.lr=3e-4");
  void apply_override(const std::string& assignment);

  const YAML::Node& root() const { return root_; }
  const std::string& file() const { return file_; }
  /// Overrides in the order they were applied.
  const std::vector<std::string>& overrides() const { return overrides_; }

  /// Origin of the value at dotted `key_path` whose YAML node is `node`: the override that
  /// set it (or one of its parents), else the file line the node was parsed from.
  Origin origin_of(const std::string& key_path, const YAML::Node& node) const;

  /// Origin of dotted `key_path` (`layers.1.size`), found by walking the tree; a key that is
  /// absent gets the origin of its nearest present parent.
  Origin origin_at(const std::string& key_path) const;

 private:
  Document(YAML::Node root, std::string file);

  YAML::Node root_;
  std::string file_;
  std::vector<std::string> overrides_;
  std::map<std::string, std::string> override_by_path_;
};

/// Splits "a.b.c" into {"a", "b", "c"}.
std::vector<std::string> split_key_path(const std::string& key_path);

}  // namespace neuromod::config
