#include "neuromod/tasks/pattern_completion.h"

#include <algorithm>
#include <vector>

#include <torch/torch.h>

#include "neuromod/tasks/environment.h"

namespace neuromod {
namespace {

void check_options(const PatternCompletionOptions& o) {
  TORCH_CHECK(o.pattern_bits() >= 1, "PatternCompletionOptions: pattern_bits must be >= 1, got ",
              o.pattern_bits());
  TORCH_CHECK(o.patterns() >= 1, "PatternCompletionOptions: patterns must be >= 1, got ",
              o.patterns());
  TORCH_CHECK(o.presentation_cycles() >= 1,
              "PatternCompletionOptions: presentation_cycles must be >= 1, got ",
              o.presentation_cycles());
  TORCH_CHECK(o.presentation_steps() >= 1,
              "PatternCompletionOptions: presentation_steps must be >= 1, got ",
              o.presentation_steps());
  TORCH_CHECK(o.gap_steps() >= 0, "PatternCompletionOptions: gap_steps must be >= 0, got ",
              o.gap_steps());
  TORCH_CHECK(o.test_steps() >= 1, "PatternCompletionOptions: test_steps must be >= 1, got ",
              o.test_steps());
  TORCH_CHECK(o.degraded_fraction() >= 0.0 && o.degraded_fraction() <= 1.0,
              "PatternCompletionOptions: degraded_fraction must be in [0, 1], got ",
              o.degraded_fraction());
}

// Sign mismatches (np.sign semantics: sign(0) = 0 matches nothing) over the selected bits.
double sign_error_rate(const torch::Tensor& output, const PatternBatch& batch, bool degraded_only) {
  const int64_t bits = batch.target.size(1);
  TORCH_CHECK(output.dim() == 2 && output.size(0) == batch.target.size(0) && output.size(1) >= bits,
              "bit_error_rate: output must be (", batch.target.size(0), ", >= ", bits, "), got ",
              output.sizes());
  const torch::Tensor wrong =
      torch::sign(output.narrow(1, 0, bits).detach().to(torch::kCPU, torch::kFloat)) !=
      batch.target.to(torch::kCPU);
  if (!degraded_only) return wrong.to(torch::kDouble).mean().item<double>();
  const torch::Tensor mask = batch.degraded.to(torch::kCPU);
  const int64_t scored = mask.sum().item<int64_t>();
  TORCH_CHECK(scored > 0, "degraded_bit_error_rate: the batch has no degraded bits");
  return static_cast<double>((wrong & mask).sum().item<int64_t>()) / static_cast<double>(scored);
}

}  // namespace

PatternBatch make_pattern_batch(const PatternCompletionOptions& options, int64_t batch,
                                std::mt19937_64& rng) {
  check_options(options);
  TORCH_CHECK(batch >= 1, "make_pattern_batch: batch must be >= 1, got ", batch);
  const int64_t bits = options.pattern_bits();
  const int64_t count = options.patterns();
  const int64_t steps = options.steps();
  const int64_t width = options.input_size();
  const int64_t slot = options.presentation_steps() + options.gap_steps();
  const auto scale = static_cast<float>(options.input_scale());

  PatternBatch out;
  out.inputs = torch::zeros({steps, batch, width}, torch::kFloat);
  out.target = torch::empty({batch, bits}, torch::kFloat);
  out.degraded = torch::empty({batch, bits}, torch::kBool);
  out.patterns = torch::empty({batch, count, bits}, torch::kFloat);
  out.probe = torch::empty({batch}, torch::kLong);
  float* inputs = out.inputs.data_ptr<float>();
  float* target = out.target.data_ptr<float>();
  bool* degraded = out.degraded.data_ptr<bool>();
  float* patterns = out.patterns.data_ptr<float>();
  int64_t* probe = out.probe.data_ptr<int64_t>();

  std::vector<float> pattern(static_cast<size_t>(bits));
  std::vector<float> keep(static_cast<size_t>(bits));
  std::vector<int64_t> order(static_cast<size_t>(count));
  // Writes `values` (N bits, then the bias) scaled into step t of episode b.
  const auto show = [&](int64_t t, int64_t b, const float* values, const float* keep_mask) {
    float* row = inputs + (t * batch + b) * width;
    for (int64_t j = 0; j < bits; ++j) {
      row[j] = keep_mask != nullptr && keep_mask[j] == 0.0f ? 0.0f : scale * values[j];
    }
  };

  for (int64_t b = 0; b < batch; ++b) {
    float* episode = patterns + b * count * bits;
    for (int64_t p = 0; p < count; ++p) {
      std::fill(pattern.begin(), pattern.begin() + bits / 2, -1.0f);
      std::fill(pattern.begin() + bits / 2, pattern.end(), 1.0f);
      shuffle_in_place(pattern, rng);
      std::copy(pattern.begin(), pattern.end(), episode + p * bits);
    }
    probe[b] = uniform_index(rng, count);
    const float* probed = episode + probe[b] * bits;
    std::copy(probed, probed + bits, target + b * bits);
    std::fill(keep.begin(), keep.begin() + options.degraded_bits(), 0.0f);
    std::fill(keep.begin() + options.degraded_bits(), keep.end(), 1.0f);
    shuffle_in_place(keep, rng);
    for (int64_t j = 0; j < bits; ++j)
      degraded[b * bits + j] = keep[static_cast<size_t>(j)] == 0.0f;

    for (int64_t p = 0; p < count; ++p) order[static_cast<size_t>(p)] = p;
    for (int64_t cycle = 0; cycle < options.presentation_cycles(); ++cycle) {
      shuffle_in_place(order, rng);
      for (int64_t i = 0; i < count; ++i) {
        const int64_t first = (cycle * count + i) * slot;
        for (int64_t s = 0; s < options.presentation_steps(); ++s) {
          show(first + s, b, episode + order[static_cast<size_t>(i)] * bits, nullptr);
        }
      }
    }
    for (int64_t t = options.test_start(); t < steps; ++t) show(t, b, probed, keep.data());
    if (options.bias_input()) {
      for (int64_t t = 0; t < steps; ++t) inputs[(t * batch + b) * width + bits] = scale;
    }
  }
  return out;
}

double bit_error_rate(const torch::Tensor& output, const PatternBatch& batch) {
  return sign_error_rate(output, batch, false);
}

double degraded_bit_error_rate(const torch::Tensor& output, const PatternBatch& batch) {
  return sign_error_rate(output, batch, true);
}

}  // namespace neuromod
