#include "neuromod/config/suggest.h"

#include <gtest/gtest.h>

namespace neuromod::config {
namespace {

TEST(EditDistance, KnownAnswers) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("lr", "lr"), 0u);
  EXPECT_EQ(edit_distance("lrr", "lr"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(ClosestMatch, SuggestsPlausibleTyposOnly) {
  const std::vector<std::string> keys{"lr", "steps", "batch_size", "optimizer"};
  EXPECT_EQ(closest_match("setps", keys), "steps");
  EXPECT_EQ(closest_match("batchsize", keys), "batch_size");
  EXPECT_EQ(closest_match("optimiser", keys), "optimizer");
  EXPECT_FALSE(closest_match("temperature", keys).has_value());
  EXPECT_EQ(did_you_mean("stpes", keys), " (did you mean \"steps\"?)");
  EXPECT_EQ(did_you_mean("zzzzzz", keys), "");
}

}  // namespace
}  // namespace neuromod::config
