#include "neuromod/app/experiment_factory.h"

#include <torch/torch.h>

#include "neuromod/learning/supervised_experiment.h"
#include "neuromod/tasks/fashion_mnist.h"
#include "neuromod/tasks/label_contexts.h"
#include "neuromod/tasks/task_shape.h"

namespace neuromod {

std::unique_ptr<Experiment> make_experiment(const RunConfig& config) {
  torch::set_num_threads(static_cast<int>(config.threads));
  torch::manual_seed(static_cast<uint64_t>(config.seed));

  switch (config.task.kind) {
    case TaskKind::fashion_mnist: {
      ClassificationData data = load_fashion_mnist(
          config.task.data_dir, config.task.train_examples, config.task.test_examples);
      LabelContexts contexts;
      if (config.task.contexts > 1) {
        contexts = assign_label_contexts(data, config.task.contexts,
                                         static_cast<uint64_t>(config.seed) + 17u);
      }
      ModulatedNetwork model(config.layers, modulation_options(config), task_shape(config.task));
      return std::make_unique<SupervisedExperiment>(std::move(data), std::move(contexts),
                                                    std::move(model), config.learning,
                                                    config.seed);
    }
  }
  throw std::logic_error("unknown task kind");
}

}  // namespace neuromod
