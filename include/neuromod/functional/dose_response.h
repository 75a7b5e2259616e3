#pragma once
/// \file
/// Dose–response curves of receptors: the map from a local modulator level `c` to an effect value.
///
///     hill:    e(c) = sign * e_max * c₊^n / (c₊^n + ec50^n),   c₊ = max(c, 0)
///     linear:  e(c) = sign * e_max * c
///     tanh:    e(c) = sign * e_max * tanh(c / scale)
///
/// | parameter | default | unit          | meaning                                           |
/// |-----------|---------|---------------|---------------------------------------------------|
/// | `e_max`   | —       | effect units  | maximal effect (Hill, tanh) or slope (linear)     |
/// | `ec50`    | —       | level units   | level at half-maximal effect, must be > 0         |
/// | `n`       | —       | 1             | Hill coefficient (cooperativity), must be > 0     |
/// | `scale`   | —       | level units   | level at which tanh reaches tanh(1) ≈ 0.76 e_max  |
/// | `sign`    | +1      | —             | +1 excitatory (D1-like), −1 inhibitory (D2-like)  |
///
/// The sign is a separate argument, not folded into `e_max`: a learned `e_max` can then be kept
/// positive by its module (e.g. through softplus) without a receptor silently changing type.
/// Parameters are tensors so that modules can learn them; each must broadcast against `c`.
/// Overloads taking doubles serve fixed receptors and tests.
///
/// References: Hill (1910) for the curve; the learned linear receptor with sign is Backpropamine's
/// modulator read-out (Miconi et al. 2019, ICLR, "Backpropamine"); DESIGN.md §1 "Receptors".

#include <torch/types.h>

#include "neuromod/config/enum_names.h"

namespace neuromod::functional {

/// Sign of a receptor's effect: excitatory (D1-like, +1) or inhibitory (D2-like, −1).
enum class ReceptorSign { excitatory, inhibitory };

/// Names of the signs (`excitatory`, `inhibitory`).
inline const config::EnumNames<ReceptorSign>& enum_names(ReceptorSign) {
  static const config::EnumNames<ReceptorSign> names{
      {ReceptorSign::excitatory, "excitatory", "+1: the effect grows with the level (D1-like)"},
      {ReceptorSign::inhibitory, "inhibitory", "-1: the effect falls with the level (D2-like)"}};
  return names;
}

/// +1.0 for `excitatory`, −1.0 for `inhibitory`.
double sign_value(ReceptorSign sign);

/// Shape of a dose–response curve.
enum class DoseResponseKind { hill, linear, tanh };

/// Names of the curves (`hill`, `linear`, `tanh`).
inline const config::EnumNames<DoseResponseKind>& enum_names(DoseResponseKind) {
  static const config::EnumNames<DoseResponseKind> names{
      {DoseResponseKind::hill, "hill", "e_max * c^n / (c^n + ec50^n), saturating, c >= 0"},
      {DoseResponseKind::linear, "linear", "e_max * c"},
      {DoseResponseKind::tanh, "tanh", "e_max * tanh(c / scale), signed and saturating"}};
  return names;
}

/// Hill curve `sign * e_max * c₊^n / (c₊^n + ec50^n)` with `c₊ = max(c, 0)`.
///
/// Levels below 0 are clamped to 0 before the power (a negative concentration has no Hill
/// response, and `c^n` is undefined there for non-integer `n`); the gradient w.r.t. `c` is 0 for
/// `c < 0`. For `n < 1` the gradient at exactly `c = 0` is infinite, as for the curve itself.
/// \param c      level, any shape (...).
/// \param e_max  maximal effect, broadcastable to `c`.
/// \param ec50   half-maximal level (> 0, not checked: checking would need a host sync).
/// \param n      Hill coefficient (> 0), broadcastable to `c`.
/// \returns      effect, shape broadcast(c, e_max, ec50, n).
torch::Tensor hill(const torch::Tensor& c, const torch::Tensor& e_max, const torch::Tensor& ec50,
                   const torch::Tensor& n, ReceptorSign sign = ReceptorSign::excitatory);

/// Hill curve with fixed parameters; checks `ec50 > 0` and `n > 0`.
torch::Tensor hill(const torch::Tensor& c, double e_max, double ec50, double n,
                   ReceptorSign sign = ReceptorSign::excitatory);

/// Linear response `sign * e_max * c` (`e_max` is the slope; no offset: zero level, zero effect).
/// \param c      level, any shape (...).
/// \param e_max  slope, broadcastable to `c`.
torch::Tensor linear_response(const torch::Tensor& c, const torch::Tensor& e_max,
                              ReceptorSign sign = ReceptorSign::excitatory);

/// Linear response with a fixed slope. A slope of exactly +1 returns `c` itself: no op, and no
/// autograd node, for the most common receptor (Backpropamine's plain M).
torch::Tensor linear_response(const torch::Tensor& c, double e_max,
                              ReceptorSign sign = ReceptorSign::excitatory);

/// Saturating signed response `sign * e_max * tanh(c / scale)`.
/// \param c      level, any shape (...).
/// \param e_max  saturation value, broadcastable to `c`.
/// \param scale  level scale (> 0, not checked for tensors), broadcastable to `c`.
torch::Tensor tanh_response(const torch::Tensor& c, const torch::Tensor& e_max,
                            const torch::Tensor& scale,
                            ReceptorSign sign = ReceptorSign::excitatory);

/// Saturating response with fixed parameters; checks `scale > 0`.
torch::Tensor tanh_response(const torch::Tensor& c, double e_max, double scale,
                            ReceptorSign sign = ReceptorSign::excitatory);

}  // namespace neuromod::functional
