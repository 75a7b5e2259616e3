#pragma once
/// `loss_change` source: Mei, Meshkinnejad & Mohsenzadeh's (2023, iScience) layer-level rule,
/// in which a value (their dropout value) moves against the change of the training loss.
///
/// The source evaluates once per block of `every` ticks of `clock` — at the first call whose
/// block index k = floor(clock / every) differs from the last evaluated one. At an evaluation
/// with loss L_k (SourceSignals::loss) and ΔL = L_k − L_{k−1}:
///
///     s    = the element of {1, 1e−1, 1e−2, …, 1e−6} closest to |max_step / ΔL|
///            (linear distance; ties go to the larger step; ΔL = 0 gives r = 0)
///     r(t) = −scale · s · ΔL
///
/// and r(t) = 0 on every other call, and at the first evaluation (no previous loss yet). So each
/// step is about 0.2–1.8 × max_step, or |ΔL| itself when |ΔL| < max_step; a modulator with
/// `tau` → ∞ (pure integration, c(t+1) = c(t) + r(t)) then follows Mei et al.'s p ← p − s·ΔL.
/// The value rises when the loss falls. In the reference code (TF1) that value is passed as
/// the dropout *keep* probability (anchors §0.2): to drive a drop probability the same way, use
/// `scale: -1` or an inhibitory receptor.
///
/// Before the first optimiser step (training_step 0) a missing loss releases 0 and leaves the
/// evaluation for a later call; after it, a missing loss is an error.
///
/// | parameter  | default | meaning                                            |
/// |------------|---------|----------------------------------------------------|
/// | `max_step` | 0.003   | d_max = min(|0.8 − p0|, |0.2 − p0|)/100, p0 = 0.5  |
/// | `clock`    | step    | counter that delimits evaluation blocks            |
/// | `every`    | 1       | clock ticks per block (Mei et al.: 10 epochs)      |
/// | `scale`    | 1       | factor on the release                              |
///
/// State (buffers, saved with checkpoints): `previous_loss` (NaN before the first evaluation)
/// and `last_block` (−1 before it).

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "neuromod/modulation/source.h"

namespace neuromod {

/// Mei et al.'s step size s ∈ {1, 1e−1, …, 1e−6}: the one closest to |max_step / delta_loss|;
/// 1 when delta_loss is 0.
double loss_change_step_size(double delta_loss, double max_step);

/// −s · delta_loss, the change Mei et al. apply to their value (before `scale`).
double loss_change_release(double delta_loss, double max_step);

/// Release that follows the change of the training loss between evaluations. Not differentiable.
class LossChangeSourceImpl : public torch::nn::Cloneable<LossChangeSourceImpl>, public Source {
 public:
  /// Example: LossChangeSource dropout_drive(options);  // kind loss_change, clock epoch, every 10
  explicit LossChangeSourceImpl(SourceOptions options);

  void reset() override;

  /// (B, channels): −scale·s·ΔL at an evaluation, else 0.
  torch::Tensor release(const SourceSignals& signals) override;

  torch::nn::Module& module() override { return *this; }
  bool differentiable() const override { return false; }
  void pretty_print(std::ostream& stream) const override;

  const SourceOptions& options() const { return options_; }
  /// The loss at the last evaluation, () double; NaN before the first.
  const torch::Tensor& previous_loss() const { return previous_loss_; }

 private:
  SourceOptions options_;
  torch::Tensor previous_loss_;  // () double
  torch::Tensor last_block_;     // () int64
};

TORCH_MODULE(LossChangeSource);

}  // namespace neuromod
