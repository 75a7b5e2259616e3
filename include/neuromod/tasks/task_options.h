#pragma once
/// The `task:` section of a run's config: which environment or dataset, and its sizes.

#include <cstdint>
#include <string>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"

namespace neuromod {

/// The tasks neuromod knows.
enum class TaskKind {
  fashion_mnist,  ///< 10-class clothing images (Xiao et al. 2017), 28x28 grey
};

inline const config::EnumNames<TaskKind>& enum_names(TaskKind) {
  static const config::EnumNames<TaskKind> names{
      {TaskKind::fashion_mnist, "fashion_mnist",
       "Fashion-MNIST clothing images, 10 classes (Xiao et al. 2017)"}};
  return names;
}

/// Options of the `task:` section.
struct TaskOptions {
  TaskKind kind = TaskKind::fashion_mnist;
  std::string data_dir = "/usr/share/datasets/fashion-mnist";  ///< Debian's dataset-fashion-mnist
  int64_t train_examples = 0;  ///< first N training examples; 0 = all 60000
  int64_t test_examples = 0;   ///< first N test examples; 0 = all 10000
  int64_t contexts = 1;        ///< label contexts (label_contexts.h); 1 = the plain task

  /// Example: task: {kind: fashion_mnist, train_examples: 10000}
  template <class V>
  void visit(V& v) {
    v("kind", kind, "which task to learn");
    v("data_dir", data_dir, "directory holding the dataset's files", config::check::non_empty());
    v("train_examples", train_examples, "training examples used (the first N; 0 = all)",
      config::check::at_least(int64_t{0}));
    v("test_examples", test_examples, "test examples used (the first N; 0 = all)",
      config::check::at_least(int64_t{0}));
    v("contexts", contexts,
      "label contexts: in context k labels rotate by k*10/contexts; the one-hot context is a "
      "separate signal (1: none)",
      config::check::in_range(int64_t{1}, int64_t{10}));
  }
};

}  // namespace neuromod
