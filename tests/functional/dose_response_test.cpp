#include "neuromod/functional/dose_response.h"

#include <cmath>
#include <initializer_list>
#include <vector>

#include <gtest/gtest.h>

#include "support/gradcheck.h"

namespace nf = neuromod::functional;
using neuromod::testing::gradcheck;

namespace {

torch::Tensor doubles(std::initializer_list<double> values) {
  return torch::tensor(std::vector<double>(values), torch::kDouble);
}

}  // namespace

TEST(DoseResponse, HillAtEc50IsHalfOfEmax) {
  const auto ec50 = doubles({0.3, 1.0, 2.5});
  const auto n = doubles({1.0, 2.0, 3.5});
  const auto e_max = doubles({2.0, 0.4, 7.0});
  EXPECT_TRUE(torch::allclose(nf::hill(ec50, e_max, ec50, n), e_max / 2, 0.0, 1e-15));
  for (double c : {0.3, 1.0, 2.5}) {
    EXPECT_NEAR(nf::hill(doubles({c}), 3.0, c, 1.7).item<double>(), 1.5, 1e-15);
  }
}

TEST(DoseResponse, HillKnownValues) {
  // n = 2, ec50 = 1: c = 3 gives 9 / (9 + 1); c = 0 and c < 0 give 0; a huge level saturates.
  const auto c = doubles({3.0, 0.0, -2.0, 1e6});
  const auto e = nf::hill(c, 2.0, 1.0, 2.0);
  EXPECT_TRUE(torch::allclose(e, doubles({1.8, 0.0, 0.0, 2.0}), 1e-12, 1e-12)) << e;
  const auto e_tensor = nf::hill(c, doubles({2.0}), doubles({1.0}), doubles({2.0}));
  EXPECT_TRUE(torch::allclose(e_tensor, e, 1e-15, 1e-15)) << e_tensor;
  const auto inhibitory = nf::hill(c, 2.0, 1.0, 2.0, nf::ReceptorSign::inhibitory);
  EXPECT_TRUE(torch::allclose(inhibitory, -e, 0.0, 0.0));
}

TEST(DoseResponse, LinearAndTanhKnownValues) {
  const auto c = doubles({-1.0, 0.0, 0.5, 2.0});
  EXPECT_TRUE(torch::allclose(nf::linear_response(c, 3.0), doubles({-3.0, 0.0, 1.5, 6.0})));
  EXPECT_TRUE(torch::allclose(nf::linear_response(c, 3.0, nf::ReceptorSign::inhibitory),
                              doubles({3.0, 0.0, -1.5, -6.0})));
  // At c = scale the response is e_max * tanh(1); the curve is odd.
  const auto t = nf::tanh_response(doubles({2.0, -2.0, 0.0}), 1.5, 2.0);
  EXPECT_NEAR(t[0].item<double>(), 1.5 * std::tanh(1.0), 1e-15);
  EXPECT_NEAR(t[1].item<double>(), -1.5 * std::tanh(1.0), 1e-15);
  EXPECT_EQ(t[2].item<double>(), 0.0);
  const auto t_tensor = nf::tanh_response(doubles({2.0, -2.0, 0.0}), doubles({1.5}), doubles({2.0}),
                                          nf::ReceptorSign::inhibitory);
  EXPECT_TRUE(torch::allclose(t_tensor, -t, 0.0, 0.0));
}

TEST(DoseResponse, ShapesAndBackward) {
  const int64_t batch = 3, units = 4;
  // Levels include 0 and negatives: the clamp must give finite (not NaN) gradients there.
  auto c = torch::linspace(-0.5, 2.0, batch * units).reshape({batch, units});
  c.set_requires_grad(true);
  auto e_max = torch::full({units}, 1.5).set_requires_grad(true);
  auto ec50 = torch::tensor(0.8).set_requires_grad(true);
  auto n = torch::tensor(2.0).set_requires_grad(true);
  auto scale = torch::tensor(0.7).set_requires_grad(true);
  const auto zero_level = torch::zeros({1, units});

  const auto h = nf::hill(torch::cat({c, zero_level}), e_max, ec50, n);
  const auto l = nf::linear_response(c, e_max);
  const auto t = nf::tanh_response(c, e_max, scale, nf::ReceptorSign::inhibitory);
  EXPECT_EQ(h.sizes(), (std::vector<int64_t>{batch + 1, units}));
  EXPECT_EQ(l.sizes(), c.sizes());
  EXPECT_EQ(t.sizes(), c.sizes());
  (h.sum() + l.sum() + t.sum()).backward();
  for (const auto& p : {c, e_max, ec50, n, scale}) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>()) << p.grad();
    EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
  }
  // Below zero the Hill curve is flat at 0, and so is its gradient w.r.t. the level.
  EXPECT_EQ(h[0][0].item<double>(), 0.0);  // c[0][0] = -0.5
  auto negative = doubles({-0.5, -2.0}).set_requires_grad(true);
  nf::hill(negative, doubles({1.5}), doubles({0.8}), doubles({2.0})).sum().backward();
  EXPECT_TRUE(torch::equal(negative.grad(), torch::zeros({2}, torch::kDouble)));
}

TEST(DoseResponse, GradientsMatchFiniteDifferences) {
  const auto c = doubles({0.1, 0.7, 1.3, 2.9}).set_requires_grad(true);
  const auto e_max = doubles({1.2, 0.5, 2.0, 0.9}).set_requires_grad(true);
  const auto ec50 = torch::tensor(0.9, torch::kDouble).set_requires_grad(true);
  const auto n = torch::tensor(2.3, torch::kDouble).set_requires_grad(true);
  const auto scale = torch::tensor(1.7, torch::kDouble).set_requires_grad(true);
  EXPECT_TRUE(gradcheck(
      [](const std::vector<torch::Tensor>& x) {
        return nf::hill(x[0], x[1], x[2], x[3], nf::ReceptorSign::inhibitory);
      },
      {c, e_max, ec50, n}));
  EXPECT_TRUE(
      gradcheck([](const std::vector<torch::Tensor>& x) { return nf::linear_response(x[0], x[1]); },
                {c, e_max}));
  EXPECT_TRUE(gradcheck(
      [](const std::vector<torch::Tensor>& x) { return nf::tanh_response(x[0], x[1], x[2]); },
      {c, e_max, scale}));
}

TEST(DoseResponse, RejectsBadFixedParameters) {
  const auto c = doubles({1.0});
  EXPECT_THROW(nf::hill(c, 1.0, 0.0, 2.0), c10::Error);
  EXPECT_THROW(nf::hill(c, 1.0, 1.0, -1.0), c10::Error);
  EXPECT_THROW(nf::tanh_response(c, 1.0, 0.0), c10::Error);
}

TEST(DoseResponse, NamesRoundTrip) {
  using neuromod::config::enum_from_name;
  using neuromod::config::enum_name;
  EXPECT_EQ(enum_name(nf::DoseResponseKind::hill), "hill");
  EXPECT_EQ(enum_name(nf::DoseResponseKind::linear), "linear");
  EXPECT_EQ(enum_name(nf::DoseResponseKind::tanh), "tanh");
  for (const auto& entry : enum_names(nf::DoseResponseKind{})) {
    EXPECT_EQ(enum_from_name<nf::DoseResponseKind>(entry.name), entry.value);
  }
  EXPECT_FALSE(enum_from_name<nf::DoseResponseKind>("sigmoid").has_value());
  EXPECT_EQ(enum_from_name<nf::ReceptorSign>("inhibitory"), nf::ReceptorSign::inhibitory);
  EXPECT_EQ(nf::sign_value(nf::ReceptorSign::excitatory), 1.0);
  EXPECT_EQ(nf::sign_value(nf::ReceptorSign::inhibitory), -1.0);
}
