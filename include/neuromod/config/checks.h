#pragma once
/// Value checks attached to option fields: each says whether a value is acceptable and
/// describes what is expected, so that errors read "expected a number > 0, got -3".
///
/// Example: v("lr", lr, "learning rate", check::positive());

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>

namespace neuromod::config::check {

/// value > 0
struct Positive {
  template <class T>
  bool ok(const T& value) const {
    return value > 0;
  }
  std::string expected() const { return "> 0"; }
};

/// value >= bound
template <class B>
struct AtLeast {
  B bound;
  template <class T>
  bool ok(const T& value) const {
    return value >= bound;
  }
  std::string expected() const {
    std::ostringstream out;
    out << ">= " << bound;
    return out.str();
  }
};

/// lo <= value <= hi
template <class B>
struct InRange {
  B lo;
  B hi;
  template <class T>
  bool ok(const T& value) const {
    return value >= lo && value <= hi;
  }
  std::string expected() const {
    std::ostringstream out;
    out << "in [" << lo << ", " << hi << "]";
    return out.str();
  }
};

/// A string that is not empty.
struct NonEmpty {
  template <class T>
  bool ok(const T& value) const {
    return !value.empty();
  }
  std::string expected() const { return "that is not empty"; }
};

inline Positive positive() {
  return {};
}
template <class B>
AtLeast<B> at_least(B bound) {
  return {bound};
}
template <class B>
InRange<B> in_range(B lo, B hi) {
  return {lo, hi};
}
inline NonEmpty non_empty() {
  return {};
}

}  // namespace neuromod::config::check
