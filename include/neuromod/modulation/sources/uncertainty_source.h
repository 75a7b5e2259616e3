#pragma once
/// `uncertainty` source: the two uncertainties of Yu & Dayan (2005, Neuron 46:681) read from the
/// network's own prediction p(t) = SourceSignals::prediction, (B, K) probabilities.
///
/// - `expected` — acetylcholine, the known unreliability of the current belief:
///       u(t) = H(p(t)) / log K = −Σ_k p_k log p_k / log K,   in [0, 1]
///   1 for a uniform prediction, 0 for a one-hot one (0 when K = 1).
/// - `unexpected` — noradrenaline, the surprise of a belief overturned by the evidence (in Yu &
///   Dayan, the signal of a context switch). Without the outcome, we measure how far the belief
///   moved since the previous step of the same episode, the total-variation distance
///       u(t) = ½ Σ_k |p_k(t) − p_k(t−1)|,   in [0, 1]
///   0 while the belief holds, 1 when it jumps to a disjoint prediction. It is 0 at the first
///   step of an episode (time_step 0) and whenever the batch shape changes. It needs a
///   sequential task: with independent samples at every step (plain supervised training) the
///   previous prediction belongs to other samples; use `expected` there.
///
/// The release is r(t) = scale · u(t), detached, broadcast over channels.
///
/// | parameter     | default  | meaning                 |
/// |---------------|----------|-------------------------|
/// | `uncertainty` | expected | expected / unexpected   |
/// | `scale`       | 1        | factor on u             |
///
/// State: `previous_prediction` (buffer), the last prediction seen (unexpected only).

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "neuromod/modulation/source.h"

namespace neuromod {

/// H(p) / log K per row, (B, K) → (B); 0 when K = 1. Rows are probabilities.
torch::Tensor normalized_entropy(const torch::Tensor& probabilities);

/// Total-variation distance ½ Σ_k |p_k − q_k| per row, (B, K) × (B, K) → (B).
torch::Tensor belief_shift(const torch::Tensor& p, const torch::Tensor& q);

/// Expected or unexpected uncertainty of the prediction. Not differentiable.
class UncertaintySourceImpl : public torch::nn::Cloneable<UncertaintySourceImpl>, public Source {
 public:
  /// Example: UncertaintySource acetylcholine(options);  // kind uncertainty, expected
  explicit UncertaintySourceImpl(SourceOptions options);

  void reset() override;

  /// scale · u(t), (B, channels), no gradient.
  torch::Tensor release(const SourceSignals& signals) override;

  torch::nn::Module& module() override { return *this; }
  bool differentiable() const override { return false; }
  void pretty_print(std::ostream& stream) const override;

  const SourceOptions& options() const { return options_; }

 private:
  SourceOptions options_;
  torch::Tensor previous_prediction_;  // (B, K), empty before the first call
};

TORCH_MODULE(UncertaintySource);

}  // namespace neuromod
