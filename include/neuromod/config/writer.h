#pragma once
/// Writes option structs back to YAML with every default spelled out (a run's resolved
/// config.yaml), and describes them field by field (the config reference).

#include <yaml-cpp/yaml.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "neuromod/config/enum_names.h"
#include "neuromod/config/field_traits.h"

namespace neuromod::config {

/// The shortest decimal spelling of `value` that reads back to the same double.
std::string format_number(double value);

/// Visitor that turns an option struct into a YAML mapping.
class Writer {
 public:
  template <class T, class... Checks>
  void operator()(const std::string& key, const T& value, const char* doc, const Checks&...) {
    node_[key] = to_node(value);
  }

  const YAML::Node& node() const { return node_; }

  template <class T>
  static YAML::Node to_node(const T& value) {
    if constexpr (is_options<T>::value) {
      Writer nested;
      const_cast<T&>(value).visit(nested);  // visit only reads through a Writer
      return nested.node_;
    } else if constexpr (is_vector<T>::value) {
      YAML::Node list(YAML::NodeType::Sequence);
      for (const auto& item : value) list.push_back(to_node(item));
      // Short lists of plain values read best inline: `range: [0, 1]`, `populations: []`.
      if (value.empty() || !is_options<typename T::value_type>::value) {
        list.SetStyle(YAML::EmitterStyle::Flow);
      }
      return list;
    } else if constexpr (is_optional<T>::value) {
      return value ? to_node(*value) : YAML::Node(YAML::NodeType::Null);
    } else if constexpr (is_string_map<T>::value) {
      YAML::Node map(YAML::NodeType::Map);
      for (const auto& [key, item] : value) map[key] = to_node(item);
      return map;
    } else if constexpr (std::is_enum_v<T>) {
      return YAML::Node(enum_name(value));
    } else if constexpr (std::is_floating_point_v<T>) {
      return YAML::Node(format_number(static_cast<double>(value)));
    } else {
      return YAML::Node(value);
    }
  }

 private:
  YAML::Node node_{YAML::NodeType::Map};
};

/// YAML text of an option struct, every field written out.
template <class T>
std::string to_yaml(const T& options) {
  YAML::Emitter out;
  out << Writer::to_node(options);
  return std::string(out.c_str()) + "\n";
}

/// One documented field: dotted key (`layers[].size`), expected type, default and meaning.
struct FieldDoc {
  std::string key;
  std::string type;
  std::string default_value;
  std::string doc;
};

/// Visitor that lists every field of an option struct with its default and documentation.
class Describer {
 public:
  explicit Describer(std::string prefix = "") : prefix_(std::move(prefix)) {}

  template <class T, class... Checks>
  void operator()(const std::string& key, const T& value, const char* doc,
                  const Checks&... checks) {
    const std::string path = prefix_.empty() ? key : prefix_ + "." + key;
    std::string type = expected_type<T>();
    ((type += " " + checks.expected()), ...);
    if constexpr (is_options<T>::value) {
      fields_.push_back({path, type, "", doc});
      Describer nested(path);
      const_cast<T&>(value).visit(nested);
      for (auto& field : nested.fields_) fields_.push_back(std::move(field));
    } else if constexpr (is_options_vector<T>::value) {
      fields_.push_back({path, type, "", doc});
      typename T::value_type element{};
      Describer nested(path + "[]");
      element.visit(nested);
      for (auto& field : nested.fields_) fields_.push_back(std::move(field));
    } else {
      YAML::Emitter out;
      out << YAML::Flow << Writer::to_node(value);
      fields_.push_back({path, type, out.c_str(), doc});
    }
  }

  const std::vector<FieldDoc>& fields() const { return fields_; }

 private:
  std::string prefix_;
  std::vector<FieldDoc> fields_;
};

/// Every field of an option struct, in declaration order.
template <class T>
std::vector<FieldDoc> describe_options() {
  // Heap-allocated: GCC 12 misreads the visit of a large stack object as a read of
  // uninitialised members (-Wmaybe-uninitialized).
  const auto options = std::make_unique<T>();
  Describer describer;
  options->visit(describer);
  return describer.fields();
}

}  // namespace neuromod::config
