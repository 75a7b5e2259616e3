#pragma once
/// Builds the Experiment a RunConfig describes: loads the task's data, builds the model
/// and its optimiser, seeded by the config.

#include <memory>

#include "neuromod/config/run_config.h"
#include "neuromod/learning/experiment.h"

namespace neuromod {

/// Seeds LibTorch, sets its thread count and builds the experiment. Throws DatasetError for
/// missing or unreadable data, before anything is written.
std::unique_ptr<Experiment> make_experiment(const RunConfig& config);

}  // namespace neuromod
