#pragma once
/// Reads option structs from a configuration Document.
///
/// An option struct lists its fields once, in `visit`, with their documentation and checks:
///
///   struct LearningOptions {
///     double lr = 1e-3;  ///< step size
///     template <class V> void visit(V& v) { v("lr", lr, "optimizer step size", check::positive());
///     }
///   };
///
/// The Reader fills each field from YAML (keeping the default when the key is absent),
/// checks type and range, and — like Arbor's loader — consumes every key it reads, so that
/// leftovers are reported as unknown with a "did you mean" suggestion.

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "neuromod/config/config_error.h"
#include "neuromod/config/document.h"
#include "neuromod/config/enum_names.h"
#include "neuromod/config/field_traits.h"
#include "neuromod/config/suggest.h"

namespace neuromod::config {

/// "null", "a list", "a mapping" or the scalar in quotes: what a node holds, for messages.
std::string describe_node(const YAML::Node& node);

/// Visitor that reads the fields of one YAML mapping into an option struct.
class Reader {
 public:
  /// `map` may be undefined or null (all defaults); `path` is its dotted key ("" for the root).
  Reader(const Document& document, YAML::Node map, std::string path);

  /// Reads `key` into `value` if present, then applies every check.
  template <class T, class... Checks>
  void operator()(const std::string& key, T& value, const char* doc, const Checks&... checks) {
    known_keys_.push_back(key);
    const YAML::Node& map = map_;  // const access: never inserts the key
    if (!map || !map.IsMap()) return;
    const YAML::Node node = map[key];
    if (!node) return;
    const std::string path = child_path(key);
    read_value(node, path, value);
    (apply_check(node, path, value, checks), ...);
  }

  /// Throws ConfigError for the first key of the mapping that no field consumed.
  void finish() const;

  /// Where the key `key` of this mapping was set (for cross-field validation messages).
  Origin origin(const std::string& key) const;

 private:
  std::string child_path(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  template <class T>
  void read_value(const YAML::Node& node, const std::string& path, T& value) const {
    if constexpr (is_options<T>::value) {
      if constexpr (has_shorthand<T>::value) {
        if (node.IsScalar()) {  // `receptor: D1` stands for `receptor: {preset: D1}`
          YAML::Node expanded(YAML::NodeType::Map);
          expanded[T::shorthand_key] = node;
          Reader nested(document_, expanded, path);
          value.visit(nested);
          return;
        }
      }
      if (!node.IsMap() && !node.IsNull()) fail(node, path, expected_type<T>());
      Reader nested(document_, node, path);
      value.visit(nested);
      nested.finish();
    } else if constexpr (is_optional<T>::value) {
      if (node.IsNull()) {
        value.reset();
      } else {
        typename T::value_type inner{};
        read_value(node, path, inner);
        value = inner;
      }
    } else if constexpr (is_string_map<T>::value) {
      if (!node.IsMap()) fail(node, path, expected_type<T>());
      T entries;
      for (auto entry = node.begin(); entry != node.end(); ++entry) {
        const std::string key = entry->first.Scalar();
        read_value(entry->second, path + "." + key, entries[key]);
      }
      value = std::move(entries);
    } else if constexpr (is_vector<T>::value) {
      if constexpr (!is_options<typename T::value_type>::value &&
                    !is_vector<typename T::value_type>::value) {
        if (node.IsScalar()) {  // `reads: rnn` stands for `reads: [rnn]`
          T items(1);
          read_value(node, path, items[0]);
          value = std::move(items);
          return;
        }
      }
      if (!node.IsSequence()) fail(node, path, expected_type<T>());
      T items(node.size());
      for (std::size_t i = 0; i < node.size(); ++i) {
        read_value(node[i], path + "." + std::to_string(i), items[i]);
      }
      value = std::move(items);
    } else if constexpr (std::is_enum_v<T>) {
      if (!node.IsScalar()) fail(node, path, expected_type<T>());
      auto parsed = enum_from_name<T>(node.Scalar());
      if (!parsed) {
        std::vector<std::string> names;
        for (const auto& entry : enum_names(T{})) names.push_back(entry.name);
        fail(node, path, expected_type<T>(), did_you_mean(node.Scalar(), names));
      }
      value = *parsed;
    } else {
      if (!node.IsScalar()) fail(node, path, expected_type<T>());
      try {
        value = node.as<T>();
      } catch (const YAML::Exception&) {
        fail(node, path, expected_type<T>());
      }
    }
  }

  template <class T, class Check>
  void apply_check(const YAML::Node& node, const std::string& path, const T& value,
                   const Check& check) const {
    if constexpr (is_optional<T>::value) {
      if (value) apply_check(node, path, *value, check);
    } else if (!check.ok(value)) {
      fail(node, path, expected_type<T>() + " " + check.expected());
    }
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& path,
                         const std::string& expected, const std::string& hint = "") const;

  const Document& document_;
  YAML::Node map_;
  std::string path_;
  std::vector<std::string> known_keys_;
};

/// Reads an option struct from the document's top level (unknown keys rejected).
template <class T>
T read_options(const Document& document) {
  T options;
  Reader reader(document, document.root(), "");
  options.visit(reader);
  reader.finish();
  return options;
}

}  // namespace neuromod::config
