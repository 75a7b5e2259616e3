#include "neuromod/tasks/task_shape.h"

#include "neuromod/tasks/task_factory.h"

namespace neuromod {

namespace {
constexpr int64_t kFashionMnistPixels = 28 * 28;
constexpr int64_t kFashionMnistClasses = 10;
}  // namespace

NetworkShape task_shape(const TaskOptions& task) {
  switch (task.kind) {
    case TaskKind::fashion_mnist:
      return {kFashionMnistPixels, kFashionMnistClasses, task.contexts > 1 ? task.contexts : 0};
    case TaskKind::pattern_completion: {
      // A network whose units are the pattern's bits (plus the bias unit) reads its output
      // from them: outputs = inputs.
      const int64_t width = pattern_completion_options(task).input_size();
      return {width, width, 0};
    }
    case TaskKind::cue_reward:
    case TaskKind::grid_maze: {
      const auto environment = make_environment(task);
      return {environment->observation_size(), environment->action_count(), 0};
    }
  }
  return {};
}

}  // namespace neuromod
