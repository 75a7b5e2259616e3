#pragma once
/// The `task:` section of a run's config: which environment or dataset, and its sizes. One
/// struct serves every kind; each key says which kinds read it, the others ignore it.

#include <cstdint>
#include <optional>
#include <string>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"

namespace neuromod {

/// The tasks neuromod knows.
enum class TaskKind {
  fashion_mnist,       ///< 10-class clothing images (Xiao et al. 2017), 28x28 grey
  pattern_completion,  ///< binary pattern completion (Miconi et al. 2018)
  cue_reward,          ///< cue–reward association, "target discovery" (Miconi et al. 2019)
  grid_maze,           ///< grid maze with a hidden, moving-after-hit reward (Miconi et al. 2019)
};

inline const config::EnumNames<TaskKind>& enum_names(TaskKind) {
  static const config::EnumNames<TaskKind> names{
      {TaskKind::fashion_mnist, "fashion_mnist",
       "Fashion-MNIST clothing images, 10 classes (Xiao et al. 2017)"},
      {TaskKind::pattern_completion, "pattern_completion",
       "store binary patterns shown once, complete a half-erased one (Miconi et al. 2018)"},
      {TaskKind::cue_reward, "cue_reward",
       "find which cue is rewarded in each episode, respond to it (Miconi et al. 2019)"},
      {TaskKind::grid_maze, "grid_maze",
       "find a hidden reward in a maze again and again (Miconi et al. 2019)"}};
  return names;
}

/// Options of the `task:` section.
struct TaskOptions {
  TaskKind kind = TaskKind::fashion_mnist;
  // fashion_mnist
  std::string data_dir = "/usr/share/datasets/fashion-mnist";  ///< Debian's dataset-fashion-mnist
  int64_t train_examples = 0;  ///< first N training examples; 0 = all 60000
  int64_t test_examples = 0;   ///< first N test examples; 0 = all 10000
  int64_t contexts = 1;        ///< label contexts (label_contexts.h); 1 = the plain task
  // pattern_completion (defaults: the 50-bit comparison setting of Miconi et al. 2018)
  int64_t bits = 50;               ///< pattern size N
  int64_t patterns = 2;            ///< patterns per episode
  int64_t cycles = 1;              ///< presentation cycles
  int64_t presentation_steps = 3;  ///< steps each pattern is shown
  int64_t gap_steps = 1;           ///< blank steps after each presentation
  int64_t test_steps = 3;          ///< steps the degraded probe is shown
  double input_scale = 20.0;       ///< inputs are ±input_scale
  double degraded_fraction = 0.5;  ///< fraction of the probe's bits set to 0
  int64_t test_episodes = 200;     ///< episodes of the fixed evaluation set
  // cue_reward, grid_maze
  std::optional<int64_t> episode_length;  ///< steps per episode (120 cue_reward, 200 grid_maze)
  int64_t cues = 4;                       ///< cue_reward: cues per episode
  int64_t cue_bits = 20;                  ///< cue_reward: bits per cue
  double reward = 1.0;                    ///< reward of a hit (cue_reward 1, grid_maze: set 10)
  double response_cost = 0.0;             ///< cue_reward: cost of each respond action
  double flip_probability = 0.0;          ///< cue_reward: probability that a reward's sign flips
  int64_t maze_size = 11;                 ///< grid_maze: odd side length
  double wall_penalty = 0.0;              ///< grid_maze: cost of bumping into a wall

  /// Example: task: {kind: fashion_mnist, train_examples: 10000}
  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("kind", kind, "which task to learn");
    v("data_dir", data_dir, "fashion_mnist: directory holding the dataset's files", non_empty());
    v("train_examples", train_examples,
      "fashion_mnist: training examples used (the first N; 0 = all)", at_least(int64_t{0}));
    v("test_examples", test_examples, "fashion_mnist: test examples used (the first N; 0 = all)",
      at_least(int64_t{0}));
    v("contexts", contexts,
      "fashion_mnist: label contexts; in context k labels rotate by k*10/contexts; the one-hot "
      "context is a separate signal (1: none)",
      in_range(int64_t{1}, int64_t{10}));
    v("bits", bits, "pattern_completion: bits per pattern", at_least(int64_t{1}));
    v("patterns", patterns, "pattern_completion: patterns per episode", at_least(int64_t{1}));
    v("cycles", cycles, "pattern_completion: presentation cycles", at_least(int64_t{1}));
    v("presentation_steps", presentation_steps, "pattern_completion: steps per presentation",
      at_least(int64_t{1}));
    v("gap_steps", gap_steps, "pattern_completion: blank steps after each presentation",
      at_least(int64_t{0}));
    v("test_steps", test_steps, "pattern_completion: steps of the degraded probe",
      at_least(int64_t{1}));
    v("input_scale", input_scale, "pattern_completion: input amplitude", positive());
    v("degraded_fraction", degraded_fraction, "pattern_completion: fraction of probe bits zeroed",
      in_range(0.0, 1.0));
    v("test_episodes", test_episodes, "pattern_completion: episodes in the evaluation set",
      at_least(int64_t{1}));
    v("episode_length", episode_length,
      "cue_reward, grid_maze: steps per episode (default 120, 200)", at_least(int64_t{1}));
    v("cues", cues, "cue_reward: cues per episode", at_least(int64_t{2}));
    v("cue_bits", cue_bits, "cue_reward: bits per cue", at_least(int64_t{1}));
    v("reward", reward, "cue_reward, grid_maze: reward of a correct response / a hit");
    v("response_cost", response_cost, "cue_reward: cost of each respond action", at_least(0.0));
    v("flip_probability", flip_probability, "cue_reward: probability a reward's sign flips",
      in_range(0.0, 1.0));
    v("maze_size", maze_size, "grid_maze: odd side length", at_least(int64_t{5}));
    v("wall_penalty", wall_penalty, "grid_maze: cost of bumping into a wall", at_least(0.0));
  }
};

}  // namespace neuromod
