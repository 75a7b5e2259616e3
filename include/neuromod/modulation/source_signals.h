#pragma once
/// What a modulator's source can read in one step (DESIGN.md §1 "Sources"). Fields a task or
/// network does not provide stay undefined; a source that needs one throws naming it.

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace neuromod {

/// Signals available to sources at one step.
struct SourceSignals {
  int64_t batch = 1;                              ///< B, samples in the step
  std::map<std::string, torch::Tensor> activity;  ///< layer name → (B, N) output this step
  torch::Tensor context;       ///< (B, C) task context (e.g. a cue or task identity)
  torch::Tensor reward;        ///< (B) reward received this step
  torch::Tensor td_error;      ///< (B) the critic's TD error r + γV(s') − V(s), detached
  torch::Tensor prediction;    ///< (B, K) predicted class / action probabilities
  std::optional<double> loss;  ///< latest training loss (for loss_change)
  int64_t time_step = 0;       ///< step within the episode (0 at episode start)
  int64_t training_step = 0;   ///< optimiser steps done
  int64_t epoch = 0;           ///< passes over the data done
};

}  // namespace neuromod
