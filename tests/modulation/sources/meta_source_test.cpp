#include "neuromod/modulation/sources/meta_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "support/temp_dir.h"

namespace neuromod {
namespace {

SourceOptions meta_options() {
  SourceOptions options;
  options.kind = SourceKind::meta;
  options.mapping = MetaMapping::identity;
  options.value = 0.0;
  options.noise = 0.5;
  options.resample_every = 10;
  options.tau_mid = 3;
  options.tau_long = 30;
  options.mu = 1.0;
  options.seed = 7;
  return options;
}

SourceSignals rewarded(double reward, int64_t batch = 1) {
  SourceSignals signals;
  signals.batch = batch;
  signals.reward = torch::full({batch}, reward, torch::kDouble);
  return signals;
}

TEST(MetaSource, MappingsAndTheirInverses) {
  const auto b = torch::tensor({-1.5, 0.0, 2.0}, torch::kDouble);
  for (const auto mapping : {MetaMapping::identity, MetaMapping::exp, MetaMapping::sigmoid,
                             MetaMapping::falling_sigmoid}) {
    const auto m = meta_mapping(b, mapping);
    for (int64_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(meta_mapping_inverse(m[i].item<double>(), mapping), b[i].item<double>(), 1e-9);
    }
  }
  // γ = 1 − 1/(1 + e^b) and α = 1/(1 + e^b) as in Sarazin et al.'s replication
  EXPECT_NEAR(meta_mapping(b, MetaMapping::sigmoid)[2].item<double>(),
              1.0 - 1.0 / (1.0 + std::exp(2.0)), 1e-12);
  EXPECT_NEAR(meta_mapping(b, MetaMapping::falling_sigmoid)[2].item<double>(),
              1.0 / (1.0 + std::exp(2.0)), 1e-12);
  EXPECT_NEAR(meta_mapping(b, MetaMapping::exp)[0].item<double>(), std::exp(-1.5), 1e-12);
  EXPECT_THROW(meta_mapping_inverse(0.0, MetaMapping::exp), std::invalid_argument);
  EXPECT_THROW(meta_mapping_inverse(1.0, MetaMapping::sigmoid), std::invalid_argument);
}

TEST(MetaSource, ShapeAndInitialValue) {
  auto options = meta_options();
  options.mapping = MetaMapping::sigmoid;
  options.value = 0.99;
  options.noise = 0.0;
  options.channels = 2;
  MetaSource source(options);
  const auto r = source->release(rewarded(1.0, 3));
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(r.scalar_type(), torch::kDouble);
  EXPECT_NEAR(r[2][1].item<double>(), 0.99, 1e-12);
  EXPECT_FALSE(source->differentiable());
  EXPECT_TRUE(source->parameters().empty());
}

TEST(MetaSource, OneStepFollowsTheHandComputedRule) {
  auto options = meta_options();
  options.mu = 0.5;
  options.tau_mid = 2;
  options.tau_long = 4;
  options.value = 0.25;
  MetaSource source(options);
  source->release(rewarded(1.0));  // r̄ = r̿ = 1, σ drawn
  const double sigma = source->sigma().item<double>();
  ASSERT_NE(sigma, 0.0);
  EXPECT_DOUBLE_EQ(source->b0().item<double>(), 0.25);
  // r̄ = 1 + (3 − 1)/2 = 2, r̿ = 1 + (2 − 1)/4 = 1.25, Δb0 = 0.5 · 0.75 · σ
  const double r = source->release(rewarded(3.0)).item<double>();
  EXPECT_DOUBLE_EQ(source->reward_mid().item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(source->reward_long().item<double>(), 1.25);
  EXPECT_NEAR(source->b0().item<double>(), 0.25 + 0.375 * sigma, 1e-12);
  EXPECT_NEAR(r, 0.25 + 0.375 * sigma + sigma, 1e-12);  // identity(b0 + σ), σ not redrawn yet
}

// Closed loop: the reward −(m − target)² for the metaparameter m released at the previous step.
double b0_after(double target, int64_t steps, int64_t seed) {
  auto options = meta_options();
  options.seed = seed;
  options.mu = 0.05;
  MetaSource source(options);
  double m = 0.0;
  for (int64_t t = 0; t < steps; ++t) {
    m = source->release(rewarded(-(m - target) * (m - target))).item<double>();
  }
  return source->b0().item<double>();
}

TEST(MetaSource, BaseMovesTowardPerturbationsThatRaisedTheReward) {
  for (const int64_t seed : {1, 2, 3, 4}) {
    // From b0 = 0 the reward rises with σ > 0 when the target is above, with σ < 0 below.
    EXPECT_GT(b0_after(+2.0, 3000, seed), 1.0) << "seed " << seed;
    EXPECT_LT(b0_after(-2.0, 3000, seed), -1.0) << "seed " << seed;
  }
  // A reward that ignores b gives r̄ = r̿: b0 does not move.
  auto options = meta_options();
  MetaSource flat(options);
  for (int t = 0; t < 500; ++t) flat->release(rewarded(2.0));
  EXPECT_EQ(flat->b0().item<double>(), 0.0);
}

TEST(MetaSource, PerturbationIsRedrawnExactlyEveryResampleEvery) {
  auto options = meta_options();
  options.resample_every = 3;
  options.channels = 2;
  MetaSource source(options);
  std::vector<torch::Tensor> sigmas;
  for (int t = 0; t < 10; ++t) {
    source->release(rewarded(0.1 * t));
    sigmas.push_back(source->sigma().clone());
  }
  for (int t = 1; t < 10; ++t) {
    const bool redrawn = t % 3 == 0;
    EXPECT_EQ(torch::equal(sigmas[t], sigmas[t - 1]), !redrawn) << "call " << t;
  }
  EXPECT_EQ(source->steps().item<int64_t>(), 10);
}

TEST(MetaSource, SameSeedSameRunOtherSeedOtherRun) {
  auto options = meta_options();
  MetaSource a(options), b(options);
  options.seed = 8;
  MetaSource c(options);
  a->release(rewarded(0.0));
  b->release(rewarded(0.0));
  c->release(rewarded(0.0));
  EXPECT_TRUE(torch::equal(a->sigma(), b->sigma()));
  EXPECT_FALSE(torch::equal(a->sigma(), c->sigma()));
}

TEST(MetaSource, SaveAndLoadMidRunContinuesIdentically) {
  testing::TempDir dir;
  auto options = meta_options();
  options.resample_every = 4;
  options.channels = 2;
  options.mapping = MetaMapping::exp;
  options.value = 1.0;
  MetaSource original(options);
  const auto reward_at = [](int t) { return std::sin(0.3 * t); };
  for (int t = 0; t < 7; ++t) original->release(rewarded(reward_at(t)));
  torch::save(original, (dir / "meta.pt").string());

  options.seed = 12345;  // the saved generator state must win over the seed
  MetaSource restored(options);
  torch::load(restored, (dir / "meta.pt").string());
  for (int t = 7; t < 30; ++t) {
    const auto expected = original->release(rewarded(reward_at(t)));
    const auto actual = restored->release(rewarded(reward_at(t)));
    ASSERT_TRUE(torch::equal(expected, actual)) << "step " << t;
  }
  EXPECT_TRUE(torch::equal(original->b0(), restored->b0()));
}

TEST(MetaSource, SurvivesConversionOfTheModuleToFloat) {
  // Module::to converts every buffer, the generator state included.
  auto options = meta_options();
  options.resample_every = 2;
  MetaSource source(options);
  source->to(torch::kFloat);
  for (int t = 0; t < 5; ++t) EXPECT_NO_THROW(source->release(rewarded(1.0 * t)));
}

TEST(MetaSource, MissingRewardIsNamed) {
  MetaSource source(meta_options());
  try {
    source->release(SourceSignals{});
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "source meta needs reward, which this task does not provide");
  }
}

}  // namespace
}  // namespace neuromod
