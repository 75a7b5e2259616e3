#include "neuromod/tasks/task_shape.h"

namespace neuromod {

namespace {
constexpr int64_t kFashionMnistPixels = 28 * 28;
constexpr int64_t kFashionMnistClasses = 10;
}  // namespace

NetworkShape task_shape(const TaskOptions& task) {
  switch (task.kind) {
    case TaskKind::fashion_mnist:
      return {kFashionMnistPixels, kFashionMnistClasses, task.contexts > 1 ? task.contexts : 0};
  }
  return {};
}

}  // namespace neuromod
