#include "neuromod/modulation/population.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace neuromod {

namespace {

[[noreturn]] void fail(const PopulationOptions& population, const std::string& problem) {
  throw std::invalid_argument("population \"" + population.name + "\": " + problem);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

/// A range bound: an optional sign and digits; `fallback` when empty.
int64_t parse_bound(const PopulationOptions& population, std::string_view text, int64_t fallback) {
  text = trim(text);
  if (text.empty()) return fallback;
  std::size_t digits = (text.front() == '-' || text.front() == '+') ? 1 : 0;
  const bool well_formed =
      digits < text.size() && std::all_of(text.begin() + digits, text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      });
  if (!well_formed || text.size() > 18) {
    fail(population, "range \"" + population.range + "\": bound \"" + std::string(text) +
                         "\" is not an integer; expected \"a:b\", \"a:\" or \":b\" with integer "
                         "unit indices");
  }
  return std::stoll(std::string(text));
}

/// [begin, end) of a "a:b" range, negatives counted from the end, checked against the layer.
std::pair<int64_t, int64_t> parse_range(const PopulationOptions& population, int64_t size) {
  const std::string& text = population.range;
  const auto colon = text.find(':');
  if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos) {
    fail(population, "range \"" + text +
                         "\" must be \"a:b\", \"a:\" or \":b\" (half-open unit indices, like a "
                         "Python slice)");
  }
  const std::string_view view(text);
  const int64_t first = parse_bound(population, view.substr(0, colon), 0);
  const int64_t last = parse_bound(population, view.substr(colon + 1), size);
  const int64_t begin = first < 0 ? first + size : first;
  const int64_t end = last < 0 ? last + size : last;
  const std::string shown(trim(view));
  if (begin < 0 || end < 0) {
    fail(population, "range " + shown + " starts before the first unit of the layer's " +
                         std::to_string(size) + " units (negative bounds count from the end)");
  }
  if (begin > size || end > size) {
    fail(population, "range " + shown + " exceeds the layer's " + std::to_string(size) + " units");
  }
  if (begin >= end) {
    fail(population, "range " + shown + " selects no unit (expected a < b, here " +
                         std::to_string(begin) + " >= " + std::to_string(end) + ")");
  }
  return {begin, end};
}

/// A uniform integer in [0, bound): rejection on the raw 64-bit output, so the draw is the same
/// with every standard library (std::uniform_int_distribution is implementation-defined).
uint64_t draw_below(std::mt19937_64& engine, uint64_t bound) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x = engine();
  while (x >= limit) x = engine();
  return x % bound;
}

std::vector<int64_t> random_subset(const PopulationOptions& population, int64_t size) {
  if (!(population.fraction > 0.0 && population.fraction <= 1.0)) {
    std::ostringstream message;
    message << "fraction must be in (0, 1], got " << population.fraction;
    fail(population, message.str());
  }
  const auto count = static_cast<int64_t>(std::llround(population.fraction * size));
  if (count == 0) {
    std::ostringstream message;
    message << "fraction " << population.fraction << " of the layer's " << size
            << " units selects no unit (round(fraction * N) = 0)";
    fail(population, message.str());
  }
  std::vector<int64_t> order(size);
  std::iota(order.begin(), order.end(), int64_t{0});
  std::mt19937_64 engine(static_cast<uint64_t>(population.seed));
  for (int64_t i = 0; i < count; ++i) {  // partial Fisher–Yates: the first `count` are the subset
    const auto j = i + static_cast<int64_t>(draw_below(engine, static_cast<uint64_t>(size - i)));
    std::swap(order[i], order[j]);
  }
  order.resize(count);
  return order;
}

std::vector<int64_t> listed_units(const PopulationOptions& population, int64_t size) {
  std::vector<int64_t> units;
  std::vector<bool> seen(size, false);
  for (const int64_t unit : population.units) {
    const int64_t index = unit < 0 ? unit + size : unit;
    if (index < 0 || index >= size) {
      fail(population, "unit " + std::to_string(unit) + " is outside the layer's " +
                           std::to_string(size) + " units (expected 0.." +
                           std::to_string(size - 1) + ", or -" + std::to_string(size) +
                           "..-1 from the end)");
    }
    if (seen[index]) fail(population, "unit " + std::to_string(unit) + " is listed twice");
    seen[index] = true;
    units.push_back(index);
  }
  return units;
}

std::string describe_selection(const PopulationOptions& population) {
  if (!population.range.empty()) return "range " + population.range;
  if (!population.units.empty()) return "units";
  std::ostringstream text;
  text << "fraction " << population.fraction;
  return text.str();
}

}  // namespace

PopulationOptions all_population() {
  PopulationOptions all;
  all.name = std::string(kAllPopulation);
  all.range = ":";
  return all;
}

torch::Tensor population_mask(const PopulationOptions& population, int64_t layer_size) {
  if (population.name.empty()) fail(population, "name must not be empty");
  if (layer_size <= 0) {
    fail(population, "the layer must have > 0 units, got " + std::to_string(layer_size));
  }
  std::vector<std::string> given;
  if (!population.range.empty()) given.push_back("range");
  if (population.fraction != 0.0) given.push_back("fraction");
  if (!population.units.empty()) given.push_back("units");
  if (given.size() != 1) {
    std::string which = given.empty() ? "none is given" : "got " + given[0];
    for (std::size_t i = 1; i < given.size(); ++i) {
      which += (i + 1 == given.size() ? " and " : ", ") + given[i];
    }
    fail(population, "give exactly one of range, fraction or units; " + which);
  }

  auto mask = torch::zeros({layer_size}, torch::kBool);
  if (!population.range.empty()) {
    const auto [begin, end] = parse_range(population, layer_size);
    mask.slice(0, begin, end).fill_(true);
  } else {
    const auto units = population.units.empty() ? random_subset(population, layer_size)
                                                : listed_units(population, layer_size);
    mask.index_fill_(0, torch::tensor(units, torch::kLong), true);
  }

  if (population.name == kAllPopulation) {
    const int64_t selected = mask.sum().item<int64_t>();
    if (selected != layer_size) {
      fail(population, "\"all\" is the layer's implicit population of every unit; " +
                           describe_selection(population) + " covers " + std::to_string(selected) +
                           " of its " + std::to_string(layer_size) + " units");
    }
  }
  return mask;
}

std::map<std::string, torch::Tensor> population_masks(
    const std::vector<PopulationOptions>& populations, int64_t layer_size) {
  std::map<std::string, torch::Tensor> masks;
  for (const auto& population : populations) {
    auto mask = population_mask(population, layer_size);
    if (!masks.emplace(population.name, std::move(mask)).second) {
      fail(population, "is declared twice in the layer; names must be unique");
    }
  }
  if (masks.count(std::string(kAllPopulation)) == 0) {
    masks.emplace(std::string(kAllPopulation), torch::ones({layer_size}, torch::kBool));
  }
  return masks;
}

torch::Tensor population_indices(const PopulationOptions& population, int64_t layer_size) {
  return population_mask(population, layer_size).nonzero().squeeze(1);
}

}  // namespace neuromod
