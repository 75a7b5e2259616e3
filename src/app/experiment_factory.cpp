#include "neuromod/app/experiment_factory.h"

#include <torch/torch.h>

#include "neuromod/learning/supervised_experiment.h"
#include "neuromod/tasks/fashion_mnist.h"

namespace neuromod {

std::unique_ptr<Experiment> make_experiment(const RunConfig& config) {
  torch::set_num_threads(static_cast<int>(config.threads));
  torch::manual_seed(static_cast<uint64_t>(config.seed));

  switch (config.task.kind) {
    case TaskKind::fashion_mnist: {
      ClassificationData data = load_fashion_mnist(config.task.data_dir, config.task.train_examples,
                                                   config.task.test_examples);
      FeedForward model(config.layers, data.input_size(), data.classes());
      return std::make_unique<SupervisedExperiment>(std::move(data), std::move(model),
                                                    config.learning, config.seed);
    }
  }
  throw std::logic_error("unknown task kind");
}

}  // namespace neuromod
