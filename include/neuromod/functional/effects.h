#pragma once
/// \file
/// Effects: how an effect value acts on a unit, and how several projections onto one effect
/// combine.
///
///     y = f(g * z + b)          gain g (multiplicative), bias b (additive) on pre-activation z
///     y' = y * gate             output gate (ANML)
///     e = Π_k e_k  |  Σ_k e_k  |  e_last       combination of the projections k onto one effect
///
/// | effect                | scope   | combines       | neutral |
/// |-----------------------|---------|----------------|---------|
/// | `gain`                | unit    | multiplicative | 1       |
/// | `bias`                | unit    | additive       | 0       |
/// | `threshold`           | unit    | additive       | 0       |
/// | `gate`                | unit    | multiplicative | 1       |
/// | `plasticity`          | unit    | additive       | 0       |
/// | `trace_decay`         | unit    | replace        | —       |
/// | `coupling`            | unit    | multiplicative | 1       |
/// | `noise`               | unit    | additive       | 0       |
/// | `dropout`             | learner | replace        | —       |
/// | `learning_rate`       | learner | multiplicative | 1       |
/// | `inverse_temperature` | learner | multiplicative | 1       |
/// | `discount`            | learner | replace        | —       |
///
/// Unit-level effects are tensors a layer reads in `forward`; learner-level effects are read by
/// the trainer or agent each step (DESIGN.md §1 "Effects"). A threshold θ lowers the drive, so a
/// layer passes `b − θ` as the bias of `modulated_activation`. The activation functions f live in
/// activation.h; names and parsing of the enums below go through `config::enum_name` /
/// `config::enum_from_name` (neuromod/config/enum_names.h).
///
/// References: gain/bias modulation as in Vecoven et al. 2020 (PLoS ONE, NMN); output gating as in
/// Beaulieu et al. 2020 (ECAI, ANML); the metaparameter effects follow Doya 2002.

#include <optional>
#include <vector>

#include <torch/types.h>

#include "neuromod/config/enum_names.h"
#include "neuromod/functional/activation.h"

namespace neuromod::functional {

/// Modulated activation `f(gain * z + bias)`, with `f` from activation.h.
/// \param z     pre-activation, (B, N) (any shape works).
/// \param gain  multiplicative gain, broadcastable to z: () global, (N) per unit, (B, N) per sample
///              and unit; neutral value 1.
/// \param bias  additive offset, broadcastable to z; neutral value 0.
/// \returns     shape broadcast(z, gain, bias). With gain 1 and bias 0 it equals `activate(z)`
///              exactly.
torch::Tensor modulated_activation(const torch::Tensor& z, const torch::Tensor& gain,
                                   const torch::Tensor& bias, Activation activation);

/// Output gate `y * gate` (ANML-style), `gate` broadcastable to `y`; neutral value 1.
torch::Tensor gate_output(const torch::Tensor& y, const torch::Tensor& gate);

/// How several projections onto the same effect combine.
enum class CombineRule {
  multiplicative,  ///< product of the values; neutral 1
  additive,        ///< sum of the values; neutral 0
  replace,         ///< the last value wins; no neutral value
};

/// Names of the combination rules (`multiplicative`, `additive`, `replace`).
inline const config::EnumNames<CombineRule>& enum_names(CombineRule) {
  static const config::EnumNames<CombineRule> names{
      {CombineRule::multiplicative, "multiplicative", "product of the values (neutral 1)"},
      {CombineRule::additive, "additive", "sum of the values (neutral 0)"},
      {CombineRule::replace, "replace", "the last projection's value wins"}};
  return names;
}

/// Neutral element of a rule: 1 (multiplicative), 0 (additive), `std::nullopt` (replace).
std::optional<double> neutral_value(CombineRule rule);

/// Combines the values of several projections: product, sum, or the last one.
///
/// Values broadcast against each other; the result has the broadcast shape. An empty list gives
/// the neutral value as a 0-dim tensor of the default dtype; for `replace` it is an error (the
/// caller keeps its default value).
torch::Tensor combine(CombineRule rule, const std::vector<torch::Tensor>& values);

/// The knob a projection turns; config names as the enumerators (see `enum_names`).
enum class EffectKind {
  gain,                 ///< slope of the activation, f(g z + b)
  bias,                 ///< offset of the activation
  threshold,            ///< threshold of the activation (enters as −θ)
  gate,                 ///< multiplicative gate on the output
  plasticity,           ///< rate eta of Hebbian plasticity onto the unit
  trace_decay,          ///< eligibility-trace decay (retroactive modulation)
  coupling,             ///< dendrite-to-soma coupling g_A of two-compartment units
  noise,                ///< amplitude of unit noise
  dropout,              ///< dropout probability of the layer
  learning_rate,        ///< optimizer step size for the target's parameters
  inverse_temperature,  ///< softmax beta of the policy
  discount,             ///< gamma of the return
};

/// Names and one-line descriptions of the effects, in declaration order.
inline const config::EnumNames<EffectKind>& enum_names(EffectKind) {
  static const config::EnumNames<EffectKind> names{
      {EffectKind::gain, "gain", "slope of the activation, f(g z + b); multiplies"},
      {EffectKind::bias, "bias", "offset of the activation; adds"},
      {EffectKind::threshold, "threshold", "threshold of the activation, f(z - theta); adds"},
      {EffectKind::gate, "gate", "multiplicative gate on the unit's output (ANML); multiplies"},
      {EffectKind::plasticity, "plasticity",
       "rate of Hebbian plasticity of the synapses onto the unit; adds"},
      {EffectKind::trace_decay, "trace_decay", "eligibility-trace decay rate; replaces"},
      {EffectKind::coupling, "coupling", "dendrite-to-soma coupling g_A; multiplies"},
      {EffectKind::noise, "noise", "amplitude of unit noise; adds"},
      {EffectKind::dropout, "dropout", "dropout probability of the layer (learner); replaces"},
      {EffectKind::learning_rate, "learning_rate",
       "optimizer step size for the target's parameters (learner); multiplies"},
      {EffectKind::inverse_temperature, "inverse_temperature",
       "softmax beta of the policy (learner); multiplies"},
      {EffectKind::discount, "discount", "gamma of the return (learner); replaces"}};
  return names;
}

/// Where an effect is read: by the layer (`unit`) or by the trainer/agent (`learner`).
enum class EffectScope { unit, learner };

/// Names of the scopes (`unit`, `learner`).
inline const config::EnumNames<EffectScope>& enum_names(EffectScope) {
  static const config::EnumNames<EffectScope> names{
      {EffectScope::unit, "unit", "a tensor the layer reads in forward"},
      {EffectScope::learner, "learner", "a value the trainer or agent reads each step"}};
  return names;
}

/// How projections onto `kind` combine (see the table above).
CombineRule combine_rule(EffectKind kind);

/// Whether `kind` is read by layers (`unit`) or by the learner (`learner`).
EffectScope effect_scope(EffectKind kind);

}  // namespace neuromod::functional
