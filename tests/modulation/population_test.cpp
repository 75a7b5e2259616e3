#include "neuromod/modulation/population.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "neuromod/config/config_error.h"
#include "neuromod/config/document.h"
#include "neuromod/config/reader.h"

using neuromod::population_mask;
using neuromod::PopulationOptions;

namespace {

PopulationOptions with_range(std::string name, std::string range) {
  PopulationOptions population;
  population.name = std::move(name);
  population.range = std::move(range);
  return population;
}

PopulationOptions with_fraction(std::string name, double fraction, int64_t seed) {
  PopulationOptions population;
  population.name = std::move(name);
  population.fraction = fraction;
  population.seed = seed;
  return population;
}

PopulationOptions with_units(std::string name, std::vector<int64_t> units) {
  PopulationOptions population;
  population.name = std::move(name);
  population.units = std::move(units);
  return population;
}

/// Indices of the true entries of a bool mask.
std::vector<int64_t> selected(const torch::Tensor& mask) {
  const auto indices = mask.nonzero().squeeze(1).contiguous();
  return std::vector<int64_t>(indices.data_ptr<int64_t>(),
                              indices.data_ptr<int64_t>() + indices.numel());
}

/// The message of the std::invalid_argument that `population_mask` throws, or "" if none.
std::string mask_error(const PopulationOptions& population, int64_t layer_size) {
  try {
    population_mask(population, layer_size);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "";
}

struct LayerHolder {
  std::vector<PopulationOptions> populations;
  template <class V>
  void visit(V& v) {
    v("populations", populations, "populations of the layer");
  }
};

}  // namespace

TEST(Population, RangesAreHalfOpenLikePythonSlices) {
  using V = std::vector<int64_t>;
  EXPECT_EQ(selected(population_mask(with_range("p", "2:5"), 8)), (V{2, 3, 4}));
  EXPECT_EQ(selected(population_mask(with_range("p", "5:"), 8)), (V{5, 6, 7}));
  EXPECT_EQ(selected(population_mask(with_range("p", ":3"), 8)), (V{0, 1, 2}));
  EXPECT_EQ(selected(population_mask(with_range("p", "-2:"), 8)), (V{6, 7}));
  EXPECT_EQ(selected(population_mask(with_range("p", ":-6"), 8)), (V{0, 1}));
  EXPECT_EQ(selected(population_mask(with_range("p", " 1 : 3 "), 8)), (V{1, 2}));
  EXPECT_EQ(selected(population_mask(with_range("p", "0:8"), 8)).size(), 8u);
  const auto mask = population_mask(with_range("p", ":"), 8);
  EXPECT_EQ(mask.scalar_type(), torch::kBool);
  EXPECT_EQ(mask.sizes(), (std::vector<int64_t>{8}));
  EXPECT_TRUE(mask.all().item<bool>());
}

TEST(Population, RangeErrorsNameThePopulationTheValueAndTheLimit) {
  EXPECT_EQ(mask_error(with_range("fast", "0:300"), 200),
            "population \"fast\": range 0:300 exceeds the layer's 200 units");
  EXPECT_NE(mask_error(with_range("fast", "-300:"), 200).find("before the first unit"),
            std::string::npos);
  EXPECT_NE(mask_error(with_range("fast", "5"), 200).find("must be \"a:b\""), std::string::npos);
  EXPECT_NE(mask_error(with_range("fast", "1:2:3"), 200).find("must be \"a:b\""),
            std::string::npos);
  EXPECT_NE(mask_error(with_range("fast", "a:9"), 200).find("bound \"a\" is not an integer"),
            std::string::npos);
  EXPECT_NE(mask_error(with_range("fast", "1.5:9"), 200).find("not an integer"), std::string::npos);
  EXPECT_NE(mask_error(with_range("fast", "5:5"), 200).find("selects no unit"), std::string::npos);
  EXPECT_NE(mask_error(with_range("fast", "9:2"), 200).find("selects no unit"), std::string::npos);
}

TEST(Population, FractionSelectsARoundedCountReproducibly) {
  const auto mask = population_mask(with_fraction("fast", 0.25, 7), 200);
  EXPECT_EQ(mask.sum().item<int64_t>(), 50);
  EXPECT_TRUE(torch::equal(population_mask(with_fraction("other", 0.25, 7), 200), mask));
  EXPECT_FALSE(torch::equal(population_mask(with_fraction("fast", 0.25, 8), 200), mask));
  EXPECT_EQ(population_mask(with_fraction("p", 0.333, 1), 10).sum().item<int64_t>(), 3);
  EXPECT_EQ(population_mask(with_fraction("p", 0.35, 1), 10).sum().item<int64_t>(), 4);
  EXPECT_TRUE(population_mask(with_fraction("p", 1.0, 3), 17).all().item<bool>());
  // Not the first units: a random subset.
  EXPECT_NE(selected(mask), selected(population_mask(with_range("p", ":50"), 200)));
}

TEST(Population, FractionSubsetIsFixedAcrossPlatforms) {
  // Golden value: mt19937_64 output is fixed by the C++ standard and the bounded draw is ours,
  // so this subset must not change with the compiler, standard library or torch version. It was
  // also computed by an independent Python implementation of mt19937_64 and the same shuffle.
  EXPECT_EQ(selected(population_mask(with_fraction("p", 0.3, 7), 20)),
            (std::vector<int64_t>{1, 2, 8, 11, 15, 17}));
}

TEST(Population, FractionErrors) {
  EXPECT_NE(mask_error(with_fraction("rare", 0.001, 1), 200).find("selects no unit"),
            std::string::npos);
  EXPECT_NE(mask_error(with_fraction("big", 1.5, 1), 200).find("fraction must be in (0, 1]"),
            std::string::npos);
  EXPECT_NE(mask_error(with_fraction("neg", -0.2, 1), 200).find("fraction must be in (0, 1]"),
            std::string::npos);
}

TEST(Population, ExplicitUnits) {
  EXPECT_EQ(selected(population_mask(with_units("probe", {7, 0, 3}), 8)),
            (std::vector<int64_t>{0, 3, 7}));
  EXPECT_EQ(selected(population_mask(with_units("probe", {-1}), 8)), (std::vector<int64_t>{7}));
  EXPECT_EQ(mask_error(with_units("probe", {3, 8}), 8),
            "population \"probe\": unit 8 is outside the layer's 8 units (expected 0..7, or "
            "-8..-1 from the end)");
  EXPECT_EQ(mask_error(with_units("probe", {3, -3, 5}), 8),
            "population \"probe\": unit 5 is listed twice");
  EXPECT_EQ(
      selected(
          neuromod::population_indices(with_units("probe", {5, 1}), 8).eq(torch::tensor({1, 5}))),
      (std::vector<int64_t>{0, 1}));
}

TEST(Population, ExactlyOneSelectionMustBeGiven) {
  PopulationOptions none;
  none.name = "empty";
  EXPECT_EQ(mask_error(none, 10),
            "population \"empty\": give exactly one of range, fraction or units; none is given");
  auto two = with_range("both", "0:5");
  two.units = {1};
  EXPECT_EQ(mask_error(two, 10),
            "population \"both\": give exactly one of range, fraction or units; got range and "
            "units");
  auto three = with_fraction("all3", 0.5, 1);
  three.range = "0:2";
  three.units = {1};
  EXPECT_NE(mask_error(three, 10).find("got range, fraction and units"), std::string::npos);
  EXPECT_NE(mask_error(with_range("", "0:2"), 10).find("name must not be empty"),
            std::string::npos);
  EXPECT_NE(mask_error(with_range("p", "0:2"), 0).find("> 0 units"), std::string::npos);
}

TEST(Population, PopulationsMayOverlapAndAllIsImplicit) {
  const auto masks = neuromod::population_masks(
      {with_range("first", "0:6"), with_range("second", "4:10"), with_units("probe", {5})}, 10);
  ASSERT_EQ(masks.size(), 4u);
  EXPECT_TRUE(masks.at("all").all().item<bool>());
  const auto both = masks.at("first").logical_and(masks.at("second"));
  EXPECT_EQ(selected(both), (std::vector<int64_t>{4, 5}));
  EXPECT_TRUE(masks.at("probe").logical_and(both).any().item<bool>());
}

TEST(Population, DeclaredAllMustCoverTheLayerAndNamesMustBeUnique) {
  EXPECT_EQ(neuromod::population_masks({with_range("all", "0:10")}, 10).size(), 1u);
  EXPECT_EQ(mask_error(with_range("all", "0:4"), 10),
            "population \"all\": \"all\" is the layer's implicit population of every unit; range "
            "0:4 covers 4 of its 10 units");
  try {
    neuromod::population_masks({with_range("fast", "0:2"), with_units("fast", {3})}, 10);
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()),
              "population \"fast\": is declared twice in the layer; names must be unique");
  }
  const auto all = neuromod::all_population();
  EXPECT_EQ(all.name, "all");
  EXPECT_TRUE(population_mask(all, 13).all().item<bool>());
}

TEST(Population, ReadsFromYaml) {
  const auto document = neuromod::config::Document::parse(
      "populations: [{name: all, range: \"0:200\"}, {name: fast, fraction: 0.25, seed: 7},\n"
      "              {name: probe, units: [3, 9]}]\n",
      "layer.yaml");
  const auto layer = neuromod::config::read_options<LayerHolder>(document);
  ASSERT_EQ(layer.populations.size(), 3u);
  EXPECT_EQ(layer.populations[0].range, "0:200");
  EXPECT_EQ(layer.populations[1].fraction, 0.25);
  EXPECT_EQ(layer.populations[1].seed, 7);
  EXPECT_EQ(layer.populations[2].units, (std::vector<int64_t>{3, 9}));
  const auto masks = neuromod::population_masks(layer.populations, 200);
  EXPECT_EQ(masks.at("fast").sum().item<int64_t>(), 50);
  EXPECT_THROW(neuromod::config::read_options<LayerHolder>(neuromod::config::Document::parse(
                   "populations: [{name: x, fraction: 2}]\n", "layer.yaml")),
               neuromod::config::ConfigError);
}
