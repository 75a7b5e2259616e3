#pragma once
/// `schedule` source: a release that is a function of time alone,
///
///     t    = floor(clock / every)          clock: training_step | epoch | time_step
///     r(t) = v(t)
///
/// with v(t) one of (ScheduleKind):
///
///     constant     v = value
///     step         v = value · factor^floor(t / period)
///     exponential  v = value · factor^(t / period), held at `end` once it reaches it
///     cosine       v = end + (value − end) · (1 + cos(π t / period)) / 2 for t < period, else end
///     square       v = value if (t mod period) < duty · period, else low_value
///
/// Examples: a sleep–wake cycle is `square`; Mei et al.'s (2023) network-level learning-rate
/// decay lr_k = 1e−5 · 10^(−k/99), k = 0…99 once per 10-epoch block and held at 1e−6 after, is
///     {kind: schedule, schedule: exponential, clock: epoch, every: 10,
///      value: 1.0e-5, factor: 0.1, period: 99, end: 1.0e-6}
/// To make the modulator's level equal v(t), give the modulator tau = dt and baseline 0.
///
/// | parameter   | default  | meaning                                   |
/// |-------------|----------|-------------------------------------------|
/// | `schedule`  | constant | shape                                     |
/// | `clock`     | step     | counter                                   |
/// | `every`     | 1        | clock ticks per schedule time unit        |
/// | `value`     | 0        | v(0)                                      |
/// | `end`       | 0        | cosine target / exponential bound         |
/// | `factor`    | 0.1      | step / exponential multiplier per period  |
/// | `period`    | 1        | schedule time units                       |
/// | `duty`      | 0.5      | square: fraction of the period at value   |
/// | `low_value` | 0        | square: value for the rest                |
///
/// Stateless: the value depends only on the clock, so resuming needs nothing saved.

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>

#include "neuromod/modulation/source.h"

namespace neuromod {

/// v(t) of the schedule described by `options` (schedule, value, end, factor, period, duty,
/// low_value) at schedule time t >= 0.
double schedule_value(const SourceOptions& options, double t);

/// A function of the training step, epoch or episode step. Not differentiable.
class ScheduleSourceImpl : public torch::nn::Cloneable<ScheduleSourceImpl>, public Source {
 public:
  /// Example: ScheduleSource lr_decay(options);  // kind schedule, schedule cosine
  explicit ScheduleSourceImpl(SourceOptions options);

  void reset() override {}

  /// v(floor(clock / every)), (B, channels), dtype/device from release_options(signals).
  torch::Tensor release(const SourceSignals& signals) override;

  torch::nn::Module& module() override { return *this; }
  bool differentiable() const override { return false; }
  void pretty_print(std::ostream& stream) const override;

  const SourceOptions& options() const { return options_; }

 private:
  SourceOptions options_;
};

TORCH_MODULE(ScheduleSource);

}  // namespace neuromod
