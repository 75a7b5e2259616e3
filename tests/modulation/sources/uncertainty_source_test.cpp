#include "neuromod/modulation/sources/uncertainty_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace neuromod {
namespace {

SourceOptions uncertainty_options(UncertaintyKind kind, int64_t channels = 1) {
  SourceOptions options;
  options.kind = SourceKind::uncertainty;
  options.uncertainty = kind;
  options.channels = channels;
  return options;
}

SourceSignals predicting(const torch::Tensor& p, int64_t time_step = 0) {
  SourceSignals signals;
  signals.batch = p.size(0);
  signals.prediction = p;
  signals.time_step = time_step;
  return signals;
}

TEST(UncertaintySource, ExpectedIsOneForUniformAndZeroForOneHot) {
  UncertaintySource source(uncertainty_options(UncertaintyKind::expected, 2));
  const auto p = torch::tensor({{0.25, 0.25, 0.25, 0.25},  // uniform
                                {0.0, 1.0, 0.0, 0.0},      // one-hot
                                {0.5, 0.5, 0.0, 0.0}});    // log 2 / log 4
  const auto r = source->release(predicting(p));
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_NEAR(r[0][0].item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(r[0][1].item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(r[1][0].item<double>(), 0.0, 1e-7);
  EXPECT_NEAR(r[2][0].item<double>(), 0.5, 1e-6);
  EXPECT_FALSE(std::isnan(r.sum().item<double>()));  // 0 · log 0 counts as 0
}

TEST(UncertaintySource, ExpectedIsScaledAndDetached) {
  auto options = uncertainty_options(UncertaintyKind::expected);
  options.scale = 3.0;
  UncertaintySource source(options);
  const auto logits = torch::zeros({1, 3}, torch::requires_grad());
  const auto r = source->release(predicting(torch::softmax(logits, 1)));
  EXPECT_FALSE(r.requires_grad());
  EXPECT_NEAR(r.item<double>(), 3.0, 1e-6);
}

TEST(UncertaintySource, NormalizedEntropyOfOneClassIsZero) {
  EXPECT_EQ(normalized_entropy(torch::ones({2, 1})).abs().sum().item<double>(), 0.0);
}

TEST(UncertaintySource, UnexpectedMeasuresTheBeliefShiftWithinAnEpisode) {
  UncertaintySource source(uncertainty_options(UncertaintyKind::unexpected));
  const auto a = torch::tensor({{1.0, 0.0, 0.0}});
  const auto b = torch::tensor({{0.0, 1.0, 0.0}});
  const auto half = torch::tensor({{0.5, 0.5, 0.0}});
  EXPECT_EQ(source->release(predicting(a, 0)).item<double>(), 0.0);             // episode start
  EXPECT_EQ(source->release(predicting(a, 1)).item<double>(), 0.0);             // belief holds
  EXPECT_NEAR(source->release(predicting(b, 2)).item<double>(), 1.0, 1e-7);     // overturned
  EXPECT_NEAR(source->release(predicting(half, 3)).item<double>(), 0.5, 1e-7);  // half way
  EXPECT_EQ(source->release(predicting(a, 0)).item<double>(), 0.0);             // a new episode
}

TEST(UncertaintySource, UnexpectedIsZeroWhenTheBatchChanges) {
  UncertaintySource source(uncertainty_options(UncertaintyKind::unexpected));
  source->release(predicting(torch::tensor({{1.0, 0.0}}), 0));
  const auto two = torch::tensor({{0.0, 1.0}, {0.0, 1.0}});
  EXPECT_EQ(source->release(predicting(two, 1)).abs().sum().item<double>(), 0.0);
  const auto r = source->release(predicting(torch::tensor({{1.0, 0.0}, {0.0, 1.0}}), 2));
  EXPECT_NEAR(r[0][0].item<double>(), 1.0, 1e-7);
  EXPECT_EQ(r[1][0].item<double>(), 0.0);
}

TEST(UncertaintySource, MissingPredictionIsNamed) {
  UncertaintySource source(uncertainty_options(UncertaintyKind::expected));
  try {
    source->release(SourceSignals{});
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(),
                 "source uncertainty needs prediction, which this task does not provide");
  }
}

}  // namespace
}  // namespace neuromod
