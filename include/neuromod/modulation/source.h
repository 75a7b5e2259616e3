#pragma once
/// A modulator's source: what makes it release (DESIGN.md §1 "Sources").
///
/// Each step, after the layers have computed their activity, every modulator asks its source for
/// the phasic release r(t), shape (B, channels), which enters the level update
///     c(t+1) = clamp( c(t) + (dt / tau) (b − c(t)) + r(t), range ).
/// The kinds (SourceKind) live in neuromod/modulation/sources/, one header each;
/// docs/modulation/sources.md describes them for users.
///
/// A source is a torch::nn::Module: learned weights are parameters, and the state that must
/// survive a checkpoint (running reward averages, the previous loss, the meta-learner's
/// perturbation and generator) lives in registered buffers. To own a source inside another
/// module, register it as a child:
///     register_module("source", source->module().shared_from_this());

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "neuromod/modulation/source_options.h"
#include "neuromod/modulation/source_signals.h"

namespace neuromod {

/// A modulator's source: computes the phasic release r(t) each step.
class Source {
 public:
  virtual ~Source() = default;
  /// Release r(t), (B, channels) — channels = SourceOptions::channels (1 for a global
  /// modulator), B = signals.batch. Throws std::runtime_error naming the source kind and the
  /// field when a signal it needs is missing.
  virtual torch::Tensor release(const SourceSignals& signals) = 0;
  /// The source as a module (parameters and persistent buffers are saved with checkpoints).
  virtual torch::nn::Module& module() = 0;
  /// Whether release depends on parameters trained by backprop (learned) or is detached.
  virtual bool differentiable() const = 0;
  /// [lo, hi] that every release lies in, where the source guarantees one and each release is a
  /// tensor of its own (not a buffer it may change later); nullopt otherwise. The modulatory
  /// system then skips a level update that could not change the release (tau = dt, baseline 0,
  /// [lo, hi] inside the modulator's range).
  virtual std::optional<std::pair<double, double>> release_bounds() const { return std::nullopt; }
};

/// Builds a source; `signal_sizes` gives the width N of every readable signal: each layer name
/// -> N, and "context" -> C when the task has one. Throws std::invalid_argument naming the bad
/// option. Example:
///     auto dopamine = make_source(options, {{"rnn", 200}, {"context", 4}});
std::shared_ptr<Source> make_source(const SourceOptions& options,
                                    const std::map<std::string, int64_t>& signal_sizes);

/// Cross-field validation of `options` (what the config reader's per-field checks cannot see),
/// done by make_source; throws std::invalid_argument "source <kind>: <field> ...".
void check_source_options(const SourceOptions& options,
                          const std::map<std::string, int64_t>& signal_sizes);

// ---- helpers shared by the source kinds -------------------------------------------------------

/// Throws std::runtime_error "source <kind> needs <field>, which this task does not provide".
[[noreturn]] void throw_missing_signal(SourceKind kind, const std::string& field);

/// dtype and device of the releases of sources that read no tensor: those of the first defined
/// tensor among signals.reward, td_error, prediction, context and activity, else float on CPU.
torch::TensorOptions release_options(const SourceSignals& signals);

/// A per-sample signal as a release: `value` of shape (B), (B, 1) or (B, channels) — or () for
/// one value shared by the batch — becomes (B, channels), detached, floating point. Throws
/// std::runtime_error naming `kind` and `field` on another shape or when B differs from
/// `signals.batch`.
torch::Tensor per_sample_release(const torch::Tensor& value, const SourceSignals& signals,
                                 int64_t channels, SourceKind kind, const std::string& field);

/// The value of a clock in `signals`: training_step, epoch or time_step.
int64_t clock_value(const SourceSignals& signals, SourceClock clock);

}  // namespace neuromod
