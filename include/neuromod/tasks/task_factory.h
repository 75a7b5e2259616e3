#pragma once
/// Task objects from the `task:` section: environment and generator options.

#include <memory>

#include "neuromod/tasks/cue_reward.h"
#include "neuromod/tasks/environment.h"
#include "neuromod/tasks/grid_maze.h"
#include "neuromod/tasks/pattern_completion.h"
#include "neuromod/tasks/task_options.h"

namespace neuromod {

/// The pattern-completion timeline the options describe.
PatternCompletionOptions pattern_completion_options(const TaskOptions& task);

/// The environment of an RL task (cue_reward, grid_maze); throws std::invalid_argument for
/// other kinds.
std::unique_ptr<Environment> make_environment(const TaskOptions& task);

}  // namespace neuromod
