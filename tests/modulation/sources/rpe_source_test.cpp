#include "neuromod/modulation/sources/rpe_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace neuromod {
namespace {

SourceOptions rpe_options(double scale, int64_t channels) {
  SourceOptions options;
  options.kind = SourceKind::rpe;
  options.scale = scale;
  options.channels = channels;
  return options;
}

TEST(RpeSource, PassesTheScaledTdErrorToEveryChannel) {
  RpeSource source(rpe_options(0.5, 3));
  SourceSignals signals;
  signals.batch = 2;
  signals.td_error = torch::tensor({1.0, -4.0});
  const auto r = source->release(signals);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(torch::equal(r, torch::tensor({{0.5, 0.5, 0.5}, {-2.0, -2.0, -2.0}})));
  EXPECT_FALSE(source->differentiable());
  EXPECT_TRUE(source->parameters().empty());
}

TEST(RpeSource, AcceptsAColumnAndIsDetached) {
  RpeSource source(rpe_options(1.0, 1));
  SourceSignals signals;
  signals.batch = 3;
  const auto value = torch::randn({3, 1}, torch::requires_grad());
  signals.td_error = value * 2.0;  // part of a graph, as a critic's output would be
  const auto r = source->release(signals);
  EXPECT_FALSE(r.requires_grad());
  EXPECT_TRUE(torch::allclose(r, (value * 2.0).detach()));
}

TEST(RpeSource, MissingTdErrorIsNamed) {
  RpeSource source(rpe_options(1.0, 1));
  SourceSignals signals;
  signals.reward = torch::zeros({1});
  try {
    source->release(signals);
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "source rpe needs td_error, which this task does not provide");
  }
}

TEST(RpeSource, WrongShapeIsReported) {
  RpeSource source(rpe_options(1.0, 2));
  SourceSignals signals;
  signals.batch = 2;
  signals.td_error = torch::zeros({2, 3});
  try {
    source->release(signals);
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("td_error must be"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace neuromod
