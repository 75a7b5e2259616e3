#pragma once
/// \file
/// Binary pattern memorisation and completion, the supervised task of Miconi, Clune & Stanley
/// (2018), "Differentiable plasticity: training plastic neural networks with backpropagation",
/// ICML (section 4.1); reference code uber-research/differentiable-plasticity,
/// `simple/simple.py` and `simple/full.py` (the comparison commands are in `simple/README.md`).
///
/// An episode shows `patterns` random ±1 patterns of `pattern_bits` bits, then a probe: one of
/// them, drawn uniformly, with a random `degraded_fraction` of its bits set to 0. The network
/// must output the whole pattern at the last step. Timeline (T steps):
///
///     for each of `presentation_cycles` cycles (patterns in a fresh random order each cycle):
///         for each pattern:  `presentation_steps` steps showing it,  then `gap_steps` of zeros
///     then `test_steps` steps showing the probe
///     T = presentation_cycles · patterns · (presentation_steps + gap_steps) + test_steps
///
/// All inputs are multiplied by `input_scale` (20 in the code). With `bias_input` the input has
/// one more column, equal to `input_scale` at every step: the reference's "bias neuron", so a
/// network with one unit per input column has pattern_bits + 1 units, as in the code.
///
/// The code's details, followed here: each pattern has exactly ⌊N/2⌋ bits −1 and the rest +1
/// (a random permutation, `simple.py` / `full.py`; `simplest.py` draws i.i.d. bits instead);
/// exactly ⌊degraded_fraction · N⌋ bits are zeroed; the probe is chosen before the
/// presentation order is shuffled; and the reference's error rate counts sign mismatches over
/// ALL N bits, so copying the given half and guessing the rest gives ≈ 0.25 ("chance").
///
/// | option                | 1000-bit (default) | 50-bit comparison | meaning                 |
/// |-----------------------|--------------------|-------------------|-------------------------|
/// | `pattern_bits`        | 1000               | 50                | N, bits per pattern     |
/// | `patterns`            | 5                  | 2                 | patterns per episode    |
/// | `presentation_cycles` | 2                  | 1                 | times each is shown     |
/// | `presentation_steps`  | 6                  | 3                 | steps per presentation  |
/// | `gap_steps`           | 4                  | 1                 | zero steps after each   |
/// | `test_steps`          | 6                  | 3                 | steps showing the probe |
/// | `input_scale`         | 20                 | 20                | input multiplier        |
/// | `degraded_fraction`   | 0.5                | 0.5               | share of probe bits = 0 |
/// | `bias_input`          | true               | true              | extra constant column   |
///
/// T = 106 for the 1000-bit setting, 11 for the 50-bit one (the code's README says the
/// patterns are "shown once each"; its defaults show them twice, which we follow).
///
/// Draws, in order, for each episode b: for each pattern, a Fisher–Yates shuffle of
/// (⌊N/2⌋ × −1, rest +1) (N − 1 draws); the probe's index `uniform_index(rng, patterns)`; a
/// shuffle of the keep mask (⌊fN⌋ zeros, then ones); then, for each cycle, a shuffle of the
/// presentation order (carried over from the previous cycle, as the code shuffles in place).

#include <cstdint>
#include <random>

#include <torch/arg.h>
#include <torch/types.h>

namespace neuromod {

/// Sizes and timeline of the pattern-completion task; defaults are the 1000-bit main setting.
/// Example: `PatternCompletionOptions::comparison_50_bits()`.
struct PatternCompletionOptions {
  /// The paper's main setting (`simple.py`, `full.py` defaults): 5 patterns of 1000 bits, T = 106.
  static PatternCompletionOptions main_1000_bits() { return {}; }
  /// The comparison setting of `simple/README.md`: 2 patterns of 50 bits, 1 cycle of 3-step
  /// presentations with 1-step gaps, a 3-step probe, T = 11.
  static PatternCompletionOptions comparison_50_bits() {
    return PatternCompletionOptions()
        .pattern_bits(50)
        .patterns(2)
        .presentation_cycles(1)
        .presentation_steps(3)
        .gap_steps(1)
        .test_steps(3);
  }

  /// Steps per episode, T.
  int64_t steps() const {
    return presentation_cycles() * patterns() * (presentation_steps() + gap_steps()) + test_steps();
  }
  /// First step of the probe, T − test_steps.
  int64_t test_start() const { return steps() - test_steps(); }
  /// Width of one input vector: pattern_bits, plus 1 with `bias_input`.
  int64_t input_size() const { return pattern_bits() + (bias_input() ? 1 : 0); }
  /// Bits zeroed in the probe, ⌊degraded_fraction · pattern_bits⌋.
  int64_t degraded_bits() const {
    return static_cast<int64_t>(degraded_fraction() * static_cast<double>(pattern_bits()));
  }

  /// Bits per pattern, N (>= 1).
  TORCH_ARG(int64_t, pattern_bits) = 1000;
  /// Patterns shown per episode (>= 1); the probe is one of them.
  TORCH_ARG(int64_t, patterns) = 5;
  /// Times the whole set is shown, in a new order each time (>= 1).
  TORCH_ARG(int64_t, presentation_cycles) = 2;
  /// Steps each presentation lasts (>= 1).
  TORCH_ARG(int64_t, presentation_steps) = 6;
  /// Zero-input steps after each presentation (>= 0).
  TORCH_ARG(int64_t, gap_steps) = 4;
  /// Steps the degraded probe is shown at the end (>= 1).
  TORCH_ARG(int64_t, test_steps) = 6;
  /// Multiplier of every input value (the code's "strengthen inputs", 20).
  TORCH_ARG(double, input_scale) = 20.0;
  /// Share of the probe's bits set to 0, in [0, 1]; ⌊fraction · N⌋ bits exactly.
  TORCH_ARG(double, degraded_fraction) = 0.5;
  /// Whether the input has a last, constant column (`input_scale`): the code's bias neuron.
  TORCH_ARG(bool, bias_input) = true;
};

/// One batch of pattern-completion episodes.
struct PatternBatch {
  torch::Tensor inputs;    ///< (T, B, input_size) float32, already scaled by input_scale
  torch::Tensor target;    ///< (B, N) float32 ±1: the probe's complete pattern
  torch::Tensor degraded;  ///< (B, N) bool: true where the probe's bit was set to 0
  torch::Tensor patterns;  ///< (B, patterns, N) float32 ±1: the episode's patterns, as drawn
  torch::Tensor probe;     ///< (B) int64: index in `patterns` of the probed pattern
};

/// Draws `batch` independent episodes (see the file comment for the order of the draws).
/// Throws c10::Error naming the field when an option is out of range.
PatternBatch make_pattern_batch(const PatternCompletionOptions& options, int64_t batch,
                                std::mt19937_64& rng);

/// The reference's error rate: the share of the N target bits whose sign the output gets wrong,
/// over all bits of all episodes; an output of exactly 0 counts as wrong.
/// \param output  (B, >= N): the network's output at the last step; only its first N columns
///                are scored (a bias unit after them is ignored, as in the code).
/// \returns in [0, 1]; 0 for the target itself, 1 for its negation, ≈ 0.25 when the given half
///          is copied and the rest guessed.
double bit_error_rate(const torch::Tensor& output, const PatternBatch& batch);

/// The same error rate over the degraded (zeroed) bits only: chance ≈ 0.5.
double degraded_bit_error_rate(const torch::Tensor& output, const PatternBatch& batch);

}  // namespace neuromod
