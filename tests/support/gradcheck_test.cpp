#include "support/gradcheck.h"

#include <gtest/gtest.h>

using neuromod::testing::gradcheck;

// The checker itself must be able to fail, or every gradient test built on it proves nothing.
TEST(Gradcheck, AcceptsCorrectGradient) {
  const auto x = torch::tensor({0.3, -1.2, 2.0}, torch::kDouble).set_requires_grad(true);
  EXPECT_TRUE(
      gradcheck([](const std::vector<torch::Tensor>& v) { return torch::sin(v[0] * v[0]); }, {x}));
}

TEST(Gradcheck, DetectsWrongGradient) {
  const auto x = torch::tensor({0.3, -1.2, 2.0}, torch::kDouble).set_requires_grad(true);
  // x * detach(x): autograd sees d/dx = x, the true derivative is 2x.
  EXPECT_FALSE(
      gradcheck([](const std::vector<torch::Tensor>& v) { return v[0] * v[0].detach(); }, {x}));
}

TEST(Gradcheck, DetectsIdenticallyZeroGradient) {
  const auto x = torch::tensor({0.3, -1.2}, torch::kDouble).set_requires_grad(true);
  EXPECT_FALSE(gradcheck(
      [](const std::vector<torch::Tensor>& v) { return torch::clamp(v[0], 5.0, 6.0); }, {x}));
}
