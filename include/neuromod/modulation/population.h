#pragma once
/// \file
/// Populations: named subsets of a layer's units, the "cell types" a projection targets
/// (DESIGN.md §1 "Projections"). A population is given in exactly one of three ways:
///
/// | field      | example                  | selects |
/// |------------|--------------------------|-------------------------------------------------------|
/// | `range`    | "0:50", "150:", ":100"   | units a ≤ i < b, half-open like a Python slice; | | |
/// "-50:", ":"              | negative bounds count from the end                    | | `fraction`
/// | 0.25 with `seed: 7`      | a reproducible random subset of round(fraction·N)     | | `units`
/// | [0, 3, 7]                | the listed indices                                    |
///
/// Populations of one layer may overlap. Every layer has the implicit population `all` (every
/// unit); a layer may declare `all` itself only if it covers every unit.
///
/// The random subset of `fraction` comes from a 64-bit Mersenne Twister (std::mt19937_64, whose
/// output the C++ standard fixes) seeded with `seed`, driving a partial Fisher–Yates shuffle
/// with our own bounded integer draw. It does not depend on the torch generator, the standard
/// library's distributions, or the torch version: the same seed and layer size give the same
/// units everywhere. Two populations with the same seed and size get the same units.
///
/// Errors are std::invalid_argument naming the population, the bad value and what was expected,
/// e.g. `population "fast": range 0:300 exceeds the layer's 200 units`.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "neuromod/config/checks.h"

namespace neuromod {

/// Name of the implicit population of every unit of a layer.
inline constexpr std::string_view kAllPopulation = "all";

/// One entry of a layer's `populations:` list.
/// Example: `populations: [{name: pyramidal, range: "0:160"}, {name: fast, fraction: 0.25,
/// seed: 7}, {name: probe, units: [3, 9]}]`
struct PopulationOptions {
  std::string name;            ///< unique within the layer; projections target it by name
  std::string range;           ///< "a:b", "a:", ":b" (half-open, negatives from the end); "" unset
  double fraction = 0.0;       ///< in (0, 1]: a random subset of round(fraction·N) units; 0 unset
  int64_t seed = 0;            ///< seed of the `fraction` subset
  std::vector<int64_t> units;  ///< explicit unit indices (negatives from the end); empty unset

  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("name", name, "population name, unique within the layer", non_empty());
    v("range", range, "units a:b, half-open like a Python slice (a: and :b allowed)");
    v("fraction", fraction, "random fraction of the units, in (0, 1]", in_range(0.0, 1.0));
    v("seed", seed, "seed of the random subset chosen by fraction");
    v("units", units, "explicit list of unit indices");
  }
};

/// The implicit population `all`: every unit (`range: ":"`).
PopulationOptions all_population();

/// Which units of a layer of `layer_size` units belong to the population.
/// \returns  bool (N), N = layer_size; at least one unit is selected.
/// Throws std::invalid_argument when not exactly one of range / fraction / units is given, when
/// a range is malformed, out of bounds or empty, when round(fraction·N) is 0, when a unit index
/// is out of bounds or repeated, or when a population named `all` misses units.
torch::Tensor population_mask(const PopulationOptions& population, int64_t layer_size);

/// The masks of a layer's populations by name, plus `all` (bool (N) each).
/// Throws std::invalid_argument for a repeated name or any error of `population_mask`.
std::map<std::string, torch::Tensor> population_masks(
    const std::vector<PopulationOptions>& populations, int64_t layer_size);

/// The sorted indices of the selected units, (K) int64, K = mask.sum().
torch::Tensor population_indices(const PopulationOptions& population, int64_t layer_size);

}  // namespace neuromod
