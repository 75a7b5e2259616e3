#pragma once
/// Compile-time classification of option field types, shared by the config visitors.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "neuromod/config/enum_names.h"

namespace neuromod::config {

class Reader;

/// True for option structs: types with `template <class V> void visit(V&)`.
template <class T, class = void>
struct is_options : std::false_type {};
template <class T>
struct is_options<T, std::void_t<decltype(std::declval<T&>().visit(std::declval<Reader&>()))>>
    : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
struct is_string_map : std::false_type {};
template <class T, class C, class A>
struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

/// Option structs that may be written as a plain scalar naming one of their keys, e.g.
/// `receptor: D1` for `receptor: {preset: D1}`: they declare
/// `static constexpr const char* shorthand_key = "preset";`.
template <class T, class = void>
struct has_shorthand : std::false_type {};
template <class T>
struct has_shorthand<T, std::void_t<decltype(T::shorthand_key)>> : std::true_type {};

/// True for lists of option structs (`layers:`).
template <class T, class = void>
struct is_options_vector : std::false_type {};
template <class T>
struct is_options_vector<T, std::enable_if_t<is_vector<T>::value>>
    : is_options<typename T::value_type> {};

/// What a field of type T expects, in words: "an integer", "a list of numbers", ...
template <class T>
std::string expected_type();

/// The plural of expected_type, for list elements: "integers", "numbers", "mappings", ...
template <class T>
std::string expected_items() {
  if constexpr (std::is_same_v<T, bool>) {
    return "true/false values";
  } else if constexpr (std::is_integral_v<T>) {
    return "integers";
  } else if constexpr (std::is_floating_point_v<T>) {
    return "numbers";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "strings";
  } else if constexpr (std::is_enum_v<T>) {
    return "names among " + enum_choices<T>();
  } else if constexpr (is_vector<T>::value) {
    return "lists";
  } else {
    return "mappings";
  }
}

template <class T>
std::string expected_type() {
  if constexpr (std::is_same_v<T, bool>) {
    return "true or false";
  } else if constexpr (std::is_integral_v<T>) {
    return "an integer";
  } else if constexpr (std::is_floating_point_v<T>) {
    return "a number";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "a string";
  } else if constexpr (std::is_enum_v<T>) {
    return "one of " + enum_choices<T>();
  } else if constexpr (is_vector<T>::value) {
    return "a list of " + expected_items<typename T::value_type>();
  } else if constexpr (is_optional<T>::value) {
    return expected_type<typename T::value_type>();
  } else if constexpr (is_string_map<T>::value) {
    return "a mapping of names to " + expected_items<typename T::mapped_type>();
  } else {
    static_assert(is_options<T>::value, "unsupported option field type");
    return "a mapping";
  }
}

}  // namespace neuromod::config
