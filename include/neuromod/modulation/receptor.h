#pragma once
/// \file
/// A receptor expressed by a target population: turns the local modulator level into one effect
/// value per unit (DESIGN.md §1 "Receptors"; STYLE.md habit 5, "the modulator is shared, the
/// receptor is local").
///
///     r(c)     = sign * e_max * c₊^n / (c₊^n + ec50^n)     hill
///              = sign * e_max * c                           linear
///              = sign * e_max * tanh(c / scale)             tanh
///     effect_j = offset + r(c)                              fanout: none
///     effect_j = offset + f_j * r(c) + g_j                  fanout: learned
///
/// | tensor        | kind                 | shape | present when                           |
/// |---------------|----------------------|-------|----------------------------------------|
/// | `log_e_max`   | parameter            | ()    | learn                                  |
/// | `log_ec50`    | parameter            | ()    | learn and kind hill                    |
/// | `log_n`       | parameter            | ()    | learn and kind hill                    |
/// | `log_scale`   | parameter            | ()    | learn and kind tanh                    |
/// | `fanout_slope`  | parameter (f)      | (N)   | fanout learned; init U(−1, 1)          |
/// | `fanout_offset` | parameter (g)      | (N)   | fanout learned; init U(−1, 1)          |
///
/// Fixed curve parameters are not tensors: they are read from the options, so a fixed receptor
/// has no state to save. See receptor_options.h for the parametrisation and the presets.
///
/// References: Hill (1910); Miconi, Rawal, Clune & Stanley (2019, ICLR, "Backpropamine").

#include <cstdint>
#include <ostream>

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "neuromod/modulation/receptor_options.h"

namespace neuromod {

/// Receptor of one target population of N units.
/// Example: `Receptor d1(ReceptorOptions::from_preset("D1"), 200); auto gain = d1(level);`
class ReceptorImpl : public torch::nn::Cloneable<ReceptorImpl> {
 public:
  /// \param options  dose–response, sign, offset, learning and fan-out; checked by
  ///                 `check_receptor_options` (std::invalid_argument).
  /// \param units    N, the number of units of the target population (> 0).
  ReceptorImpl(ReceptorOptions options, int64_t units);

  /// (Re)creates the parameters: learned curve parameters at the configured values, fan-out
  /// weights drawn U(−1, 1) from the global torch generator.
  void reset() override;

  /// Effect values for a level.
  /// \param level  (B) or (B, 1): one level per sample, shared by the units;
  ///               (B, N): one level per sample and unit (e.g. after diffusion).
  /// \returns      (B, N) effect values, differentiable w.r.t. `level` and the parameters.
  torch::Tensor forward(const torch::Tensor& level);

  /// forward(level) − offset, formed without the offset: the receptor's change of its effect.
  /// (B, N); a view of `level` where the receptor neither fans out nor changes the level
  /// (a linear response of slope 1), a new tensor otherwise.
  torch::Tensor deviation(const torch::Tensor& level);

  /// "neuromod::Receptor(preset=D1, kind=hill, sign=excitatory, units=200, learn=false,
  /// fanout=none)"
  void pretty_print(std::ostream& stream) const override;

  /// The options the receptor was built with (initial values of learned parameters).
  const ReceptorOptions& options() const { return options_; }
  /// N, the number of units.
  int64_t units() const { return units_; }

  /// Current maximal effect (or slope): exp(log_e_max) when learned, else options().e_max.
  /// Shape (), dtype of the module's parameters (double when the receptor is fixed).
  torch::Tensor e_max() const;
  /// Current half-maximal level, shape () (see `e_max`).
  torch::Tensor ec50() const;
  /// Current Hill coefficient, shape () (see `e_max`).
  torch::Tensor n() const;
  /// Current tanh level scale, shape () (see `e_max`).
  torch::Tensor scale() const;
  /// Fan-out slopes f, (N); undefined when `fanout` is none.
  const torch::Tensor& fanout_slope() const { return fanout_slope_; }
  /// Fan-out offsets g, (N); undefined when `fanout` is none.
  const torch::Tensor& fanout_offset() const { return fanout_offset_; }

 private:
  /// sign * response(level), shape of `level`.
  torch::Tensor response(const torch::Tensor& level) const;
  /// exp(log_value) if `log_value` is defined, else `fixed` as a 0-dim double tensor.
  static torch::Tensor current(const torch::Tensor& log_value, double fixed);

  ReceptorOptions options_;
  int64_t units_;
  torch::Tensor log_e_max_;
  torch::Tensor log_ec50_;
  torch::Tensor log_n_;
  torch::Tensor log_scale_;
  torch::Tensor fanout_slope_;
  torch::Tensor fanout_offset_;
};

TORCH_MODULE(Receptor);

}  // namespace neuromod
