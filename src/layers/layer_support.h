#pragma once
// Private helpers shared by the layers in src/layers: checking the effects a step receives and
// reading the soma effects that several layer kinds apply the same way.

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "neuromod/functional/activation.h"
#include "neuromod/layers/modulated_layer.h"

namespace neuromod::layer_support {

/// "soma.gain": the spelling of a key in messages, as a config would write the target.
std::string key_name(EffectKey key);

/// Throws c10::Error naming `layer` unless every key of `effects` is in `exposed` and every value
/// broadcasts to (batch, units): (), (N), (1, N), (B, 1), (B, N) and the like. A projection onto a
/// knob the layer does not read would otherwise be ignored without a word.
void check_effects(const UnitEffects& effects, const std::vector<EffectKey>& exposed, int64_t batch,
                   int64_t units, const char* layer);

/// Throws c10::Error naming `layer` unless `input` is (B, features).
void check_input(const torch::Tensor& input, int64_t features, const char* layer);

/// The state tensor `key`, or a c10::Error naming `layer` and the missing key.
const torch::Tensor& state_at(const LayerState& state, const std::string& key, const char* layer);

/// `f(gain ⊙ z + bias − threshold)` with the {soma, gain|bias|threshold} effects, each optional.
/// With none present this is `activate(z)` itself, so an unmodulated layer is bit-identical to its
/// plain counterpart. `threshold_exposed` = false ignores {soma, threshold} (not read by the
/// layer).
torch::Tensor soma_response(const torch::Tensor& z, const UnitEffects& effects,
                            functional::Activation activation, bool threshold_exposed = true);

/// `y ⊙ gate` with the {output, gate} effect, or `y` itself when absent.
torch::Tensor gated_output(const torch::Tensor& y, const UnitEffects& effects);

/// Draws `w ~ scale · U(0, 1)` in place (no autograd): the non-negative initialisation of the
/// Backpropamine recurrent weights and plasticity coefficients.
void uniform_positive_(torch::Tensor& w, double scale);

}  // namespace neuromod::layer_support
