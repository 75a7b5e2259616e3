#include "neuromod/tasks/pattern_completion.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

namespace neuromod {
namespace {

TEST(PatternCompletionOptions, PresetsFollowTheReference) {
  const auto main = PatternCompletionOptions::main_1000_bits();
  EXPECT_EQ(main.pattern_bits(), 1000);
  EXPECT_EQ(main.steps(), 106);  // 2 cycles * 5 patterns * (6 + 4) + 6
  EXPECT_EQ(main.test_start(), 100);
  EXPECT_EQ(main.input_size(), 1001);
  EXPECT_EQ(main.degraded_bits(), 500);
  EXPECT_EQ(main.input_scale(), 20.0);
  const auto small = PatternCompletionOptions::comparison_50_bits();
  EXPECT_EQ(small.pattern_bits(), 50);
  EXPECT_EQ(small.patterns(), 2);
  EXPECT_EQ(small.steps(), 11);  // 1 cycle * 2 patterns * (3 + 1) + 3
  EXPECT_EQ(small.test_start(), 8);
  EXPECT_EQ(small.input_size(), 51);
  EXPECT_EQ(small.degraded_bits(), 25);
}

TEST(MakePatternBatch, Shapes) {
  std::mt19937_64 rng(1);
  const auto options = PatternCompletionOptions::comparison_50_bits();
  const PatternBatch batch = make_pattern_batch(options, 4, rng);
  EXPECT_EQ(batch.inputs.sizes(), (std::vector<int64_t>{11, 4, 51}));
  EXPECT_EQ(batch.inputs.scalar_type(), torch::kFloat);
  EXPECT_EQ(batch.target.sizes(), (std::vector<int64_t>{4, 50}));
  EXPECT_EQ(batch.degraded.sizes(), (std::vector<int64_t>{4, 50}));
  EXPECT_EQ(batch.degraded.scalar_type(), torch::kBool);
  EXPECT_EQ(batch.patterns.sizes(), (std::vector<int64_t>{4, 2, 50}));
  EXPECT_EQ(batch.probe.sizes(), (std::vector<int64_t>{4}));
  auto without_bias = options;
  const PatternBatch no_bias = make_pattern_batch(without_bias.bias_input(false), 2, rng);
  EXPECT_EQ(no_bias.inputs.sizes(), (std::vector<int64_t>{11, 2, 50}));
}

TEST(MakePatternBatch, RejectsBadOptions) {
  std::mt19937_64 rng(1);
  EXPECT_THROW(make_pattern_batch(PatternCompletionOptions().patterns(0), 1, rng), c10::Error);
  EXPECT_THROW(make_pattern_batch(PatternCompletionOptions().degraded_fraction(1.5), 1, rng),
               c10::Error);
  EXPECT_THROW(make_pattern_batch(PatternCompletionOptions().gap_steps(-1), 1, rng), c10::Error);
  EXPECT_THROW(make_pattern_batch(PatternCompletionOptions(), 0, rng), c10::Error);
}

TEST(MakePatternBatch, HandWorkedComparisonTimeline) {
  std::mt19937_64 rng(5);
  const auto options = PatternCompletionOptions::comparison_50_bits();
  const PatternBatch batch = make_pattern_batch(options, 3, rng);
  const torch::Tensor bits = batch.inputs.slice(2, 0, 50);
  for (int64_t b = 0; b < 3; ++b) {
    const torch::Tensor p = batch.patterns[b];
    // t 0-2: one pattern; t 3: gap; t 4-6: the other; t 7: gap; t 8-10: the probe.
    const bool first_is_0 = torch::equal(bits[0][b], 20 * p[0]);
    const torch::Tensor first = 20 * p[first_is_0 ? 0 : 1];
    const torch::Tensor second = 20 * p[first_is_0 ? 1 : 0];
    for (int64_t t : {0, 1, 2}) EXPECT_TRUE(torch::equal(bits[t][b], first)) << "t " << t;
    for (int64_t t : {4, 5, 6}) EXPECT_TRUE(torch::equal(bits[t][b], second)) << "t " << t;
    for (int64_t t : {3, 7}) EXPECT_TRUE(torch::all(bits[t][b] == 0).item<bool>()) << "t " << t;
    const torch::Tensor probe =
        torch::where(batch.degraded[b], torch::zeros({50}), 20 * batch.target[b]);
    for (int64_t t : {8, 9, 10}) EXPECT_TRUE(torch::equal(bits[t][b], probe)) << "t " << t;
    // The bias unit's input is 20 at every step, gaps included.
    EXPECT_TRUE(torch::all(batch.inputs.select(1, b).select(1, 50) == 20).item<bool>());
  }
}

TEST(MakePatternBatch, MainSettingShowsEveryPatternOncePerCycle) {
  std::mt19937_64 rng(9);
  const auto options = PatternCompletionOptions::main_1000_bits();
  const PatternBatch batch = make_pattern_batch(options, 2, rng);
  bool orders_differ = false;
  for (int64_t b = 0; b < 2; ++b) {
    std::vector<int64_t> order;
    for (int64_t slot = 0; slot < 10; ++slot) {
      const int64_t t0 = slot * 10;
      int64_t shown = -1;
      for (int64_t p = 0; p < 5; ++p) {
        if (torch::equal(batch.inputs[t0][b].slice(0, 0, 1000), 20 * batch.patterns[b][p])) {
          shown = p;
        }
      }
      ASSERT_GE(shown, 0) << "slot " << slot;
      order.push_back(shown);
      for (int64_t s = 1; s < 6; ++s) {
        EXPECT_TRUE(torch::equal(batch.inputs[t0 + s][b], batch.inputs[t0][b]));
      }
      for (int64_t s = 6; s < 10; ++s) {
        EXPECT_TRUE(torch::all(batch.inputs[t0 + s][b].slice(0, 0, 1000) == 0).item<bool>());
      }
    }
    EXPECT_EQ(std::set<int64_t>(order.begin(), order.begin() + 5).size(), 5u);
    EXPECT_EQ(std::set<int64_t>(order.begin() + 5, order.end()).size(), 5u);
    orders_differ =
        orders_differ || !std::equal(order.begin(), order.begin() + 5, order.begin() + 5);
  }
  EXPECT_TRUE(orders_differ);  // each cycle is shuffled anew
}

TEST(MakePatternBatch, ProbeZeroesExactlyTheDegradedFraction) {
  std::mt19937_64 rng(2);
  for (const double fraction : {0.5, 0.3, 0.0, 1.0}) {
    const auto options = PatternCompletionOptions::comparison_50_bits().degraded_fraction(fraction);
    const PatternBatch batch = make_pattern_batch(options, 8, rng);
    const int64_t zeroed = options.degraded_bits();
    EXPECT_EQ(zeroed, static_cast<int64_t>(fraction * 50));
    const torch::Tensor last = batch.inputs[options.steps() - 1].slice(1, 0, 50);
    for (int64_t b = 0; b < 8; ++b) {
      EXPECT_EQ(batch.degraded[b].sum().item<int64_t>(), zeroed);
      EXPECT_EQ((last[b] == 0).sum().item<int64_t>(), zeroed);
      EXPECT_TRUE(torch::equal(last[b] == 0, batch.degraded[b]));
      // Patterns are balanced (25 bits -1, 25 bits +1), and the target is the probed one.
      EXPECT_EQ(batch.patterns[b].sum(1).abs().sum().item<float>(), 0.f);
      EXPECT_TRUE(torch::equal(batch.target[b], batch.patterns[b][batch.probe[b].item<int64_t>()]));
    }
  }
}

TEST(MakePatternBatch, SameSeedSameBatchOtherSeedOther) {
  const auto options = PatternCompletionOptions::comparison_50_bits();
  std::mt19937_64 a(42), b(42), c(43);
  const PatternBatch x = make_pattern_batch(options, 5, a);
  const PatternBatch y = make_pattern_batch(options, 5, b);
  const PatternBatch z = make_pattern_batch(options, 5, c);
  EXPECT_TRUE(torch::equal(x.inputs, y.inputs));
  EXPECT_TRUE(torch::equal(x.target, y.target));
  EXPECT_TRUE(torch::equal(x.degraded, y.degraded));
  EXPECT_FALSE(torch::equal(x.inputs, z.inputs));
}

TEST(BitErrorRate, CountsSignErrorsOverAllBits) {
  std::mt19937_64 rng(3);
  const PatternBatch batch =
      make_pattern_batch(PatternCompletionOptions::comparison_50_bits(), 4, rng);
  EXPECT_EQ(bit_error_rate(batch.target, batch), 0.0);
  EXPECT_EQ(bit_error_rate(-batch.target, batch), 1.0);
  EXPECT_EQ(bit_error_rate(0.3 * batch.target, batch), 0.0);  // only the sign counts
  // A bias unit after the N pattern units is ignored.
  EXPECT_EQ(bit_error_rate(torch::cat({batch.target, -torch::ones({4, 1})}, 1), batch), 0.0);
  // Exactly 0 is wrong (np.sign(0) = 0): copying the probe scores the degraded share.
  const torch::Tensor probe = batch.inputs[10].slice(1, 0, 50);
  EXPECT_EQ(bit_error_rate(probe, batch), 0.5);
  EXPECT_EQ(degraded_bit_error_rate(probe, batch), 1.0);
  // Copy the given half, answer +1 elsewhere: wrong exactly where a degraded bit is -1.
  const torch::Tensor guess = torch::where(batch.degraded, torch::ones({4, 50}), batch.target);
  const double wrong = (batch.degraded & (batch.target < 0)).sum().item<int64_t>();
  EXPECT_DOUBLE_EQ(bit_error_rate(guess, batch), wrong / 200.0);
  EXPECT_DOUBLE_EQ(degraded_bit_error_rate(guess, batch), wrong / 100.0);
  EXPECT_EQ(degraded_bit_error_rate(batch.target, batch), 0.0);
  EXPECT_EQ(degraded_bit_error_rate(-batch.target, batch), 1.0);
  EXPECT_THROW(bit_error_rate(torch::zeros({4, 49}), batch), c10::Error);
}

}  // namespace
}  // namespace neuromod
