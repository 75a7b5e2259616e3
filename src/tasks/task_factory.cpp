#include "neuromod/tasks/task_factory.h"

#include <stdexcept>

#include "neuromod/config/enum_names.h"

namespace neuromod {

PatternCompletionOptions pattern_completion_options(const TaskOptions& task) {
  return PatternCompletionOptions()
      .pattern_bits(task.bits)
      .patterns(task.patterns)
      .presentation_cycles(task.cycles)
      .presentation_steps(task.presentation_steps)
      .gap_steps(task.gap_steps)
      .test_steps(task.test_steps)
      .input_scale(task.input_scale)
      .degraded_fraction(task.degraded_fraction);
}

std::unique_ptr<Environment> make_environment(const TaskOptions& task) {
  switch (task.kind) {
    case TaskKind::cue_reward:
      return std::make_unique<CueRewardEnvironment>(
          CueRewardOptions()
              .cues(task.cues)
              .cue_bits(task.cue_bits)
              .episode_length(task.episode_length.value_or(120))
              .reward(task.reward)
              .response_cost(task.response_cost)
              .flip_probability(task.flip_probability));
    case TaskKind::grid_maze:
      return std::make_unique<GridMazeEnvironment>(
          GridMazeOptions()
              .size(task.maze_size)
              .episode_length(task.episode_length.value_or(200))
              .reward(task.reward)
              .wall_penalty(task.wall_penalty));
    default:
      throw std::invalid_argument("task " + config::enum_name(task.kind) +
                                  " is not a reinforcement-learning environment");
  }
}

}  // namespace neuromod
