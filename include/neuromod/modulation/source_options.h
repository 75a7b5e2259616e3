#pragma once
/// The `source:` block of a modulator: what makes it release (DESIGN.md §1 "Sources").
///
/// One options struct serves every kind; each kind reads the fields listed next to it and
/// ignores the others. docs/modulation/sources.md gives each kind's equation and a YAML example.
///
/// | field            | default    | kinds                         | meaning |
/// |------------------|------------|-------------------------------|--------------------------------------|
/// | `kind`           | constant   | all                           | what drives the release | |
/// `channels`       | 1          | all                           | release width (1: a global
/// signal)   | | `reads`          | []         | learned                       | layer names and/or
/// `context`         | | `hidden`         | 0          | learned                       | 0: linear
/// readout, >0: ReLU layer    | | `out`            | tanh       | learned                       |
/// output activation                    | | `scale`          | 1          | rpe, reward,
/// loss_change, unc.| multiplies the release               | | `uncertainty`    | expected   |
/// uncertainty                   | expected (ACh) / unexpected (NE)     | | `max_step`       |
/// 0.003      | loss_change                   | d_max of Mei et al. 2023             | | `schedule`
/// | constant   | schedule                      | shape of the schedule                | | `clock`
/// | step       | schedule, loss_change         | step / epoch / episode_step          | | `every`
/// | 1          | schedule, loss_change         | clock ticks per schedule unit        | | `value`
/// | 0          | constant, schedule, meta      | released / start / initial value     | | `end` |
/// 0          | schedule                      | cosine target, exponential bound     | | `factor`
/// | 0.1        | schedule                      | step / exponential factor            | | `period`
/// | 1          | schedule                      | in schedule units                    | | `duty`
/// | 0.5        | schedule (square)             | fraction of the period at `value`    | |
/// `low_value`      | 0          | schedule (square)             | value for the rest of the period
/// | | `learn`          | false      | constant                      | `value` becomes a learned
/// parameter  | | `mapping`        | identity   | meta                          | metaparameter =
/// mapping(b)           | | `noise`          | 1          | meta                          | s.d. of
/// the perturbation σ           | | `resample_every` | 100        | meta                          |
/// steps between draws of σ             | | `tau_mid`        | 100        | meta | time constant of
/// r̄ (steps)           | | `tau_long`       | 100        | meta                          | time
/// constant of r̿ (steps)           | | `mu`             | 0.1        | meta | meta-learning rate μ
/// | | `seed`           | 0          | meta                          | seed of σ's generator |

#include <cstdint>
#include <string>
#include <vector>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"
#include "neuromod/functional/activation.h"

namespace neuromod {

/// What drives a modulator's phasic release r(t).
enum class SourceKind {
  learned,      ///< a small learned nucleus network reading activity / context (differentiable)
  rpe,          ///< the critic's TD error (dopamine, Doya 2002), detached
  reward,       ///< the raw reward, detached
  loss_change,  ///< change of the training loss between evaluations (Mei et al. 2023)
  uncertainty,  ///< expected / unexpected uncertainty of predictions (Yu & Dayan 2005)
  schedule,     ///< a function of the training step or epoch
  meta,         ///< stochastic metaparameter search (Schweighofer & Doya 2003)
  constant,     ///< a constant, 0 by default (the baseline alone); optionally learned
};

inline const config::EnumNames<SourceKind>& enum_names(SourceKind) {
  static const config::EnumNames<SourceKind> names{
      {SourceKind::learned, "learned",
       "a small learned nucleus network reading named activity or context (Backpropamine, NMN)"},
      {SourceKind::rpe, "rpe", "the critic's TD error r + γV(s') − V(s), detached (Doya 2002)"},
      {SourceKind::reward, "reward", "the raw reward, detached"},
      {SourceKind::loss_change, "loss_change",
       "change of the training loss between evaluations (Mei et al. 2023 dropout rule)"},
      {SourceKind::uncertainty, "uncertainty",
       "expected (ACh) / unexpected (NE) uncertainty of predictions (Yu & Dayan 2005)"},
      {SourceKind::schedule, "schedule",
       "a function of the training step or epoch: decays, square waves (sleep–wake)"},
      {SourceKind::meta, "meta",
       "stochastic metaparameter search from mid- vs long-term reward (Schweighofer & Doya 2003)"},
      {SourceKind::constant, "constant", "a constant release (0: the baseline alone), or learned"}};
  return names;
}

/// Which uncertainty an `uncertainty` source reports (Yu & Dayan 2005).
enum class UncertaintyKind {
  expected,  ///< entropy of the prediction / log K, in [0, 1] (acetylcholine)
  unexpected,  ///< belief shift ½‖p(t) − p(t−1)‖₁ within an episode, in [0, 1] (noradrenaline)
};

inline const config::EnumNames<UncertaintyKind>& enum_names(UncertaintyKind) {
  static const config::EnumNames<UncertaintyKind> names{
      {UncertaintyKind::expected, "expected",
       "entropy of the prediction / log K, in [0, 1] (acetylcholine)"},
      {UncertaintyKind::unexpected, "unexpected",
       "belief shift ½‖p(t) − p(t−1)‖₁ between consecutive steps of an episode (noradrenaline)"}};
  return names;
}

/// Shapes of a `schedule` source, as functions of the schedule time t (see SourceOptions).
enum class ScheduleKind {
  constant,     ///< v(t) = value
  step,         ///< v(t) = value · factor^floor(t / period)
  exponential,  ///< v(t) = value · factor^(t / period), never past `end`
  cosine,       ///< v(t) = end + (value − end)(1 + cos(π t / period)) / 2, then end
  square,       ///< v(t) = value for duty·period, then low_value, repeating every period
};

inline const config::EnumNames<ScheduleKind>& enum_names(ScheduleKind) {
  static const config::EnumNames<ScheduleKind> names{
      {ScheduleKind::constant, "constant", "v(t) = value"},
      {ScheduleKind::step, "step", "v(t) = value · factor^floor(t / period)"},
      {ScheduleKind::exponential, "exponential",
       "v(t) = value · factor^(t / period), held at end once it gets there"},
      {ScheduleKind::cosine, "cosine",
       "v(t) = end + (value − end)(1 + cos(π t / period)) / 2 for t < period, then end"},
      {ScheduleKind::square, "square",
       "v(t) = value during the first duty·period of each period, low_value after (sleep–wake)"}};
  return names;
}

/// The counter that drives a `schedule` or `loss_change` source.
enum class SourceClock {
  step,          ///< SourceSignals::training_step (optimiser steps done)
  epoch,         ///< SourceSignals::epoch (passes over the data done)
  episode_step,  ///< SourceSignals::time_step (step within the episode)
};

inline const config::EnumNames<SourceClock>& enum_names(SourceClock) {
  static const config::EnumNames<SourceClock> names{
      {SourceClock::step, "step", "optimiser steps done"},
      {SourceClock::epoch, "epoch", "passes over the data done"},
      {SourceClock::episode_step, "episode_step", "step within the current episode"}};
  return names;
}

/// How a `meta` source maps its internal variable b to the metaparameter it releases.
enum class MetaMapping {
  identity,         ///< m = b
  exp,              ///< m = e^b, in (0, inf): inverse temperature β
  sigmoid,          ///< m = 1/(1 + e^−b) = 1 − 1/(1 + e^b), in (0, 1): discount γ
  falling_sigmoid,  ///< m = 1/(1 + e^b), in (0, 1): learning rate α (Sarazin et al.'s form)
};

inline const config::EnumNames<MetaMapping>& enum_names(MetaMapping) {
  static const config::EnumNames<MetaMapping> names{
      {MetaMapping::identity, "identity", "m = b"},
      {MetaMapping::exp, "exp", "m = e^b, in (0, inf) (inverse temperature β)"},
      {MetaMapping::sigmoid, "sigmoid",
       "m = 1 − 1/(1 + e^b) = 1/(1 + e^−b), in (0, 1) (discount γ)"},
      {MetaMapping::falling_sigmoid, "falling_sigmoid",
       "m = 1/(1 + e^b), in (0, 1) (learning rate α)"}};
  return names;
}

/// Options of a modulator's `source:` block. Validated field by field by the config reader and
/// across fields by `make_source`.
struct SourceOptions {
  SourceKind kind = SourceKind::constant;  ///< what drives the release
  int64_t channels = 1;                    ///< width of r(t): (B, channels)

  // learned
  std::vector<std::string> reads;  ///< signals read, concatenated in this order
  int64_t hidden = 0;              ///< 0: r = out(v·x + c); >0: one hidden ReLU layer of this size
  functional::Activation out = functional::Activation::tanh;  ///< output activation

  // rpe, reward, loss_change, uncertainty
  double scale = 1.0;  ///< multiplies the release

  // uncertainty
  UncertaintyKind uncertainty = UncertaintyKind::expected;  ///< which uncertainty

  // loss_change
  double max_step = 0.003;  ///< d_max: largest intended step (Mei et al.: 0.003)

  // schedule (clock and every also for loss_change)
  ScheduleKind schedule = ScheduleKind::constant;  ///< schedule shape
  SourceClock clock = SourceClock::step;           ///< counter driving the schedule
  int64_t every = 1;       ///< clock ticks per schedule time unit: t = floor(clock / every)
  double value = 0.0;      ///< constant: released value; schedule: v(0); meta: initial m
  double end = 0.0;        ///< cosine: final value; exponential: the value is held there
  double factor = 0.1;     ///< step / exponential: multiplier per period
  double period = 1.0;     ///< schedule time units per period
  double duty = 0.5;       ///< square: fraction of each period spent at `value`
  double low_value = 0.0;  ///< square: value for the rest of the period

  // constant
  bool learn = false;  ///< make `value` a learned parameter (one per channel)

  // meta
  MetaMapping mapping = MetaMapping::identity;  ///< m = mapping(b)
  double noise = 1.0;                           ///< s.d. of σ [unverified default]
  int64_t resample_every = 100;  ///< calls between draws of σ (Sarazin et al.'s n = 100)
  double tau_mid = 100.0;        ///< time constant of the mid-term reward r̄, calls [unverified]
  double tau_long = 100.0;       ///< time constant of the long-term reward r̿, calls [unverified]
  double mu = 0.1;               ///< meta-learning rate μ [unverified]
  int64_t seed = 0;              ///< seed of σ's generator

  /// `source: rpe` is short for `source: {kind: rpe}`.
  static constexpr const char* shorthand_key = "kind";

  /// Example: source: {kind: learned, reads: [rnn], out: tanh}
  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("kind", kind, "what drives the release");
    v("channels", channels, "width of the release (1 for a global modulator)",
      at_least(int64_t{1}));
    v("reads", reads, "learned: layer names and/or \"context\" read by the nucleus");
    v("hidden", hidden, "learned: 0 = linear readout (Backpropamine), >0 = hidden ReLU units (NMN)",
      at_least(int64_t{0}));
    v("out", out, "learned: output activation");
    v("scale", scale, "rpe, reward, loss_change, uncertainty: factor on the release");
    v("uncertainty", uncertainty, "uncertainty: expected (ACh) or unexpected (NE)");
    v("max_step", max_step, "loss_change: d_max, the intended size of one step", positive());
    v("schedule", schedule, "schedule: shape");
    v("clock", clock, "schedule, loss_change: the counter that drives the source");
    v("every", every, "schedule, loss_change: clock ticks per unit of schedule time",
      at_least(int64_t{1}));
    v("value", value, "constant: release; schedule: value at t = 0; meta: initial metaparameter");
    v("end", end, "schedule: final value of cosine, bound of exponential");
    v("factor", factor, "schedule: multiplier per period (step, exponential)", positive());
    v("period", period, "schedule: period in schedule time units", positive());
    v("duty", duty, "schedule square: fraction of each period at value", in_range(0.0, 1.0));
    v("low_value", low_value, "schedule square: value for the rest of each period");
    v("learn", learn, "constant: learn the value by backpropagation");
    v("mapping", mapping, "meta: metaparameter = mapping(b)");
    v("noise", noise, "meta: standard deviation of the perturbation σ", at_least(0.0));
    v("resample_every", resample_every, "meta: steps between draws of σ", at_least(int64_t{1}));
    v("tau_mid", tau_mid, "meta: time constant of the mid-term reward average, steps",
      at_least(1.0));
    v("tau_long", tau_long, "meta: time constant of the long-term reward average, steps",
      at_least(1.0));
    v("mu", mu, "meta: meta-learning rate μ", at_least(0.0));
    v("seed", seed, "meta: seed of the perturbation's generator", at_least(int64_t{0}));
  }
};

}  // namespace neuromod
