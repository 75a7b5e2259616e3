#pragma once
/// Names of our configuration enums. Each enum `E` declares, next to itself,
///   const EnumNames<E>& enum_names(E);
/// found by argument-dependent lookup, listing every value with its YAML spelling and a
/// one-line description (what `neuromod list` prints).
///
/// Example:
///   enum class Optimizer { adam, sgd };
///   inline const EnumNames<Optimizer>& enum_names(Optimizer) {
///     static const EnumNames<Optimizer> names{{Optimizer::adam, "adam", "Adam (Kingma & Ba)"},
///                                             {Optimizer::sgd, "sgd", "plain SGD"}};
///     return names;
///   }

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace neuromod::config {

/// One enum value, its YAML spelling and what it means.
template <class E>
struct EnumEntry {
  E value;
  std::string name;
  std::string doc;
};

template <class E>
using EnumNames = std::vector<EnumEntry<E>>;

/// The YAML spelling of `value`.
template <class E>
std::string enum_name(E value) {
  for (const auto& entry : enum_names(E{})) {
    if (entry.value == value) return entry.name;
  }
  throw std::logic_error("enum value without a name");
}

/// The value spelled `name`, if any.
template <class E>
std::optional<E> enum_from_name(const std::string& name) {
  for (const auto& entry : enum_names(E{})) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

/// "adam | sgd | rmsprop"
template <class E>
std::string enum_choices() {
  std::string choices;
  for (const auto& entry : enum_names(E{})) {
    choices += (choices.empty() ? "" : " | ") + entry.name;
  }
  return choices;
}

}  // namespace neuromod::config
