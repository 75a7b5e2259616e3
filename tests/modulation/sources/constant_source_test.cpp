#include "neuromod/modulation/sources/constant_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace neuromod {
namespace {

SourceOptions constant_options(double value, bool learn, int64_t channels = 1) {
  SourceOptions options;
  options.kind = SourceKind::constant;
  options.value = value;
  options.learn = learn;
  options.channels = channels;
  return options;
}

SourceSignals batch_of(int64_t batch) {
  SourceSignals signals;
  signals.batch = batch;
  return signals;
}

TEST(ConstantSource, DefaultReleasesZero) {
  ConstantSource source(SourceOptions{});
  const auto r = source->release(batch_of(3));
  EXPECT_EQ(r.sizes(), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(r.abs().sum().item<double>(), 0.0);
  EXPECT_FALSE(source->differentiable());
  EXPECT_TRUE(source->parameters().empty());
  EXPECT_EQ(source->buffers().size(), 1u);
}

TEST(ConstantSource, ReleasesItsValueOnEveryChannel) {
  ConstantSource source(constant_options(0.3, false, 2));
  const auto r = source->release(batch_of(2));
  EXPECT_TRUE(torch::allclose(r, torch::full({2, 2}, 0.3)));
  EXPECT_FALSE(r.requires_grad());
}

TEST(ConstantSource, LearnedValueGetsAGradient) {
  ConstantSource source(constant_options(0.1, true, 2));
  EXPECT_TRUE(source->differentiable());
  ASSERT_EQ(source->parameters().size(), 1u);
  const auto r = source->release(batch_of(4));
  (r * torch::tensor({1.0f, 2.0f})).sum().backward();
  const auto grad = source->value().grad();
  ASSERT_TRUE(grad.defined());
  // d/dη Σ_b Σ_c w_c η_c = B · w_c
  EXPECT_TRUE(torch::allclose(grad, torch::tensor({4.0f, 8.0f})));
}

}  // namespace
}  // namespace neuromod
