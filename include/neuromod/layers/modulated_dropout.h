#pragma once
/// \file
/// Dropout whose probability the modulatory system can set (Mei et al. 2023, layer scale).
///
///     training:  y = x ⊙ m / (1 − p),   m ~ Bernoulli(1 − p)      (inverted dropout)
///     eval:      y = x
///
/// | parameter | default | unit | meaning                                                    |
/// |-----------|---------|------|------------------------------------------------------------|
/// | `size`    | —       | 1    | N, the number of units passing through                     |
/// | `p`       | 0.5     | 1    | drop probability when no projection sets it, in [0, 1]     |
///
/// The {output, dropout} effect, when present, replaces p (the effect combines by `replace`; it is
/// learner-level, usually a 0-dim tensor from a `loss_change` source). A single-valued effect is
/// `torch::dropout` with that p, exactly as the configured p is; a (B, N) effect drops each
/// element with its own probability. The value is a **drop** probability. Mei et al.'s released
/// code passes its modulated value to TF1's `tf.nn.dropout` as the keep probability; a source
/// reproducing that code must therefore deliver 1 − value. Stateless.
///
/// References: Srivastava et al. 2014 (JMLR 15:1929), dropout; Mei, Meshkinnejad & Mohsenzadeh
/// 2023 (iScience 26(2):106026), dropout modulated by the change of the training loss.

#include <cstdint>
#include <ostream>
#include <vector>

#include <torch/arg.h>
#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "neuromod/layers/modulated_layer.h"

namespace neuromod {

/// Options of ModulatedDropout.
/// Example: `ModulatedDropoutOptions(256).p(0.5)` — Mei et al.'s bottleneck before modulation.
struct ModulatedDropoutOptions {
  /// \param size  N, the number of units (> 0).
  explicit ModulatedDropoutOptions(int64_t size) : size_(size) {}
  /// Number of units N.
  TORCH_ARG(int64_t, size);
  /// Drop probability in [0, 1] when no {output, dropout} effect is present.
  TORCH_ARG(double, p) = 0.5;
};

/// Inverted dropout with a modulatable drop probability; the identity in eval mode.
class ModulatedDropoutImpl : public torch::nn::Cloneable<ModulatedDropoutImpl>,
                             public ModulatedLayer {
 public:
  /// The layer with default options for (size).
  explicit ModulatedDropoutImpl(int64_t size)
      : ModulatedDropoutImpl(ModulatedDropoutOptions(size)) {}
  /// The layer for `options` (validated; throws c10::Error naming a bad field).
  explicit ModulatedDropoutImpl(const ModulatedDropoutOptions& options);

  /// Validates the options (nothing to initialise).
  void reset() override;

  /// `neuromod::ModulatedDropout(size=256, p=0.5)`
  void pretty_print(std::ostream& stream) const override;

  /// Dropout of `input` (B, N) with p = the {output, dropout} effect if present, else `options.p`.
  /// The effect is () / (1) for one p, or broadcastable to (B, N) for one p per element, in [0, 1].
  torch::Tensor forward(const torch::Tensor& input, const UnitEffects& effects = {});

  /// `forward`; the state (empty) passes through unchanged.
  LayerStep step(const torch::Tensor& input, const LayerState& state,
                 const UnitEffects& effects) override;

  /// Empty: the layer keeps no per-episode state.
  LayerState initial_state(int64_t batch) const override;

  /// {output: dropout}.
  std::vector<EffectKey> exposed_effects() const override;

  /// N.
  int64_t size() const override { return options.size(); }

  /// This module (to register, save, load and list its parameters).
  torch::nn::Module& module() override { return *this; }

  /// The options the layer was built with.
  ModulatedDropoutOptions options;
};

/// Module holder of ModulatedDropoutImpl.
TORCH_MODULE(ModulatedDropout);

}  // namespace neuromod
