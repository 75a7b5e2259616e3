#include "neuromod/config/reader.h"

namespace neuromod::config {

std::string describe_node(const YAML::Node& node) {
  if (!node || node.IsNull()) return "null";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "'" + node.Scalar() + "'";
}

Reader::Reader(const Document& document, YAML::Node map, std::string path)
    : document_(document), map_(map), path_(std::move(path)) {}

void Reader::fail(const YAML::Node& node, const std::string& path, const std::string& expected,
                  const std::string& hint) const {
  throw ConfigError(path, "expected " + expected + ", got " + describe_node(node) + hint,
                    document_.origin_of(path, node));
}

void Reader::finish() const {
  if (!map_ || !map_.IsMap()) return;
  for (auto entry = map_.begin(); entry != map_.end(); ++entry) {
    const std::string key = entry->first.Scalar();
    bool known = false;
    for (const auto& candidate : known_keys_) known = known || candidate == key;
    if (known) continue;
    const std::string path = child_path(key);
    const std::string where = path_.empty() ? "at the top level" : "in '" + path_ + "'";
    throw ConfigError(path, "unknown key " + where + did_you_mean(key, known_keys_),
                      document_.origin_of(path, entry->first));
  }
}

Origin Reader::origin(const std::string& key) const {
  const YAML::Node node = map_ && map_.IsMap() ? map_[key] : YAML::Node();
  return document_.origin_of(child_path(key), node ? node : map_);
}

}  // namespace neuromod::config
