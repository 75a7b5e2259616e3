#pragma once
/// `meta` source: Schweighofer & Doya's (2003, Neural Networks 16:5) stochastic meta-learning of
/// a metaparameter m (a learning rate, inverse temperature or discount) from reward alone.
///
/// Each channel keeps an internal variable b = b0 + σ. The perturbation σ ~ N(0, noise²) is
/// redrawn every `resample_every` calls; the base b0 moves toward perturbations that coincided
/// with a rise of the mid-term reward over the long-term one. One call to `release` is one step:
///
///     r      = mean over the batch of SourceSignals::reward
///     r̄     ← r̄ + (r − r̄) / tau_mid           (r̄ = r̿ = r at the first call)
///     r̿     ← r̿ + (r̄ − r̿) / tau_long
///     b0     ← b0 + mu · (r̄ − r̿) · σ          (σ = 0 before the first draw)
///     σ      ← N(0, noise²)                     when the call count is a multiple of
///     resample_every r(t)   = mapping(b0 + σ)                  released for the next step
///
/// The reward read at a call is the outcome of the previous release, which is why the update
/// uses the σ in force before the redraw. mapping (MetaMapping): identity; exp (β = e^b);
/// sigmoid (γ = 1 − 1/(1 + e^b)); falling_sigmoid (α = 1/(1 + e^b)) — the forms of Sarazin,
/// Khamassi, Rano & Girard's replication, which reads the original's γ as a typo.
/// `value` is the initial metaparameter m0; b0 starts at mapping⁻¹(m0).
///
/// | parameter        | default  | source                                               |
/// |------------------|----------|------------------------------------------------------|
/// | `value`          | 0        | initial m (e.g. β = 1, γ = 0.99 in Fig. 1)           |
/// | `mapping`        | identity | replication's forms                                  |
/// | `resample_every` | 100      | n = 100 steps (replication)                          |
/// | `noise`          | 1        | [unverified] s.d. of σ                               |
/// | `tau_mid`        | 100      | [unverified] steps                                   |
/// | `tau_long`       | 100      | [unverified] steps                                   |
/// | `mu`             | 0.1      | [unverified]                                         |
/// | `seed`           | 0        | generator of σ                                       |
///
/// State (buffers, saved with checkpoints so that a resumed run continues exactly): `b0`,
/// `sigma` (channels), `reward_mid`, `reward_long` (scalars), `steps` (calls done) and
/// `generator_state` (the CPU generator that draws σ).

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "neuromod/modulation/source.h"

namespace neuromod {

/// m = mapping(b), element-wise, any shape.
torch::Tensor meta_mapping(const torch::Tensor& b, MetaMapping mapping);

/// b = mapping⁻¹(m). Throws std::invalid_argument when m is outside the mapping's range
/// (exp: m > 0; sigmoid, falling_sigmoid: 0 < m < 1).
double meta_mapping_inverse(double m, MetaMapping mapping);

/// Stochastic metaparameter search (Schweighofer & Doya 2003). Not differentiable.
class MetaSourceImpl : public torch::nn::Cloneable<MetaSourceImpl>, public Source {
 public:
  /// Example: MetaSource beta(options);  // kind meta, mapping exp, value 1
  explicit MetaSourceImpl(SourceOptions options);

  void reset() override;

  /// mapping(b0 + σ) after this step's update, (B, channels).
  torch::Tensor release(const SourceSignals& signals) override;

  torch::nn::Module& module() override { return *this; }
  bool differentiable() const override { return false; }
  void pretty_print(std::ostream& stream) const override;

  const SourceOptions& options() const { return options_; }
  /// Base b0, (channels) double.
  const torch::Tensor& b0() const { return b0_; }
  /// Current perturbation σ, (channels) double.
  const torch::Tensor& sigma() const { return sigma_; }
  /// Mid-term reward average r̄, () double.
  const torch::Tensor& reward_mid() const { return reward_mid_; }
  /// Long-term reward average r̿, () double.
  const torch::Tensor& reward_long() const { return reward_long_; }
  /// Calls done, () int64.
  const torch::Tensor& steps() const { return steps_; }

 private:
  SourceOptions options_;
  torch::Tensor b0_;
  torch::Tensor sigma_;
  torch::Tensor reward_mid_;
  torch::Tensor reward_long_;
  torch::Tensor steps_;
  torch::Tensor generator_state_;
};

TORCH_MODULE(MetaSource);

}  // namespace neuromod
