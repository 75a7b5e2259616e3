#include "neuromod/config/document.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace neuromod::config {

namespace {

Origin file_origin(const std::string& file, const YAML::Mark& mark) {
  Origin origin;
  origin.file = file;
  origin.line = mark.line >= 0 ? mark.line + 1 : 0;
  return origin;
}

bool is_index(const std::string& segment) {
  if (segment.empty()) return false;
  for (char c : segment) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> split_key_path(const std::string& key_path) {
  std::vector<std::string> segments;
  std::string segment;
  std::istringstream stream(key_path);
  while (std::getline(stream, segment, '.')) segments.push_back(segment);
  if (!key_path.empty() && key_path.back() == '.') segments.emplace_back();
  return segments;
}

Document::Document(YAML::Node root, std::string file) : root_(root), file_(std::move(file)) {}

Document Document::parse(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    Origin origin = file_origin(name, error.mark);
    throw ConfigError("", "malformed YAML: " + error.msg, origin);
  }
  if (root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (!root.IsMap()) {
    throw ConfigError("",
                      "expected a mapping of sections (task:, layers:, learning:, ...) at the "
                      "top level",
                      file_origin(name, root.Mark()));
  }
  return Document(root, name);
}

Document Document::load_file(const std::filesystem::path& path) {
  Origin origin;
  origin.file = path.string();
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw ConfigError("", "config file not found", origin);
  }
  if (std::filesystem::is_directory(path, error)) {
    throw ConfigError("", "expected a YAML file, got a directory", origin);
  }
  std::ifstream stream(path);
  if (!stream) throw ConfigError("", "cannot open the config file for reading", origin);
  std::ostringstream text;
  text << stream.rdbuf();
  return parse(text.str(), path.string());
}

void Document::apply_override(const std::string& assignment) {
  Origin origin;
  origin.override_text = assignment;
  const auto equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw ConfigError("", "expected an override of the form key.path=value", origin);
  }
  const std::string key_path = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);
  const std::vector<std::string> segments = split_key_path(key_path);
  for (const auto& segment : segments) {
    if (segment.empty()) {
      throw ConfigError(key_path, "empty segment in the key path", origin);
    }
  }
  if (text.empty()) {
    throw ConfigError(key_path, "expected a value after '=', got nothing", origin);
  }
  YAML::Node value;
  try {
    value = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    throw ConfigError(key_path, "malformed YAML value '" + text + "': " + error.msg, origin);
  }

  // Walk down, rebinding with reset(): plain assignment would overwrite the node's content.
  YAML::Node node;
  node.reset(root_);
  std::string walked;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const std::string& segment = segments[i];
    const bool last = i + 1 == segments.size();
    walked += (walked.empty() ? "" : ".") + segment;
    if (node.IsSequence()) {
      if (!is_index(segment) || std::stoul(segment) >= node.size()) {
        throw ConfigError(walked,
                          "expected a list index below " + std::to_string(node.size()) + ", got '" +
                              segment + "'",
                          origin);
      }
      const std::size_t index = std::stoul(segment);
      if (last) {
        node[index] = value;
      } else {
        YAML::Node child = node[index];
        node.reset(child);
      }
      continue;
    }
    if (!node.IsMap()) {
      if (!node.IsNull()) {
        throw ConfigError(walked, "cannot set a key inside a plain value", origin);
      }
      node = YAML::Node(YAML::NodeType::Map);
    }
    if (last) {
      node[segment] = value;
    } else {
      if (!node[segment] || node[segment].IsNull()) node[segment] = YAML::Node(YAML::NodeType::Map);
      YAML::Node child = node[segment];
      node.reset(child);
    }
  }
  overrides_.push_back(assignment);
  override_by_path_[key_path] = assignment;
}

Origin Document::origin_of(const std::string& key_path, const YAML::Node& node) const {
  // The override that set this key or the nearest parent wins over the file's line.
  std::string prefix = key_path;
  while (!prefix.empty()) {
    auto found = override_by_path_.find(prefix);
    if (found != override_by_path_.end()) {
      Origin origin;
      origin.override_text = found->second;
      return origin;
    }
    const auto dot = prefix.rfind('.');
    prefix = dot == std::string::npos ? std::string() : prefix.substr(0, dot);
  }
  return file_origin(file_, node ? node.Mark() : YAML::Mark::null_mark());
}

Origin Document::origin_at(const std::string& key_path) const {
  YAML::Node node;
  node.reset(root_);
  for (const auto& segment : split_key_path(key_path)) {
    const YAML::Node& parent = node;  // const access: never inserts
    YAML::Node child;
    if (parent.IsSequence() && is_index(segment) && std::stoul(segment) < parent.size()) {
      child.reset(parent[std::stoul(segment)]);
    } else if (parent.IsMap() && parent[segment]) {
      child.reset(parent[segment]);
    } else {
      break;
    }
    node.reset(child);
  }
  return origin_of(key_path, node);
}

}  // namespace neuromod::config
