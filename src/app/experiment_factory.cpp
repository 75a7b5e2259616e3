#include "neuromod/app/experiment_factory.h"

#include <torch/torch.h>

#include "neuromod/learning/actor_critic_experiment.h"
#include "neuromod/learning/pattern_completion_experiment.h"
#include "neuromod/learning/supervised_experiment.h"
#include "neuromod/tasks/fashion_mnist.h"
#include "neuromod/tasks/label_contexts.h"
#include "neuromod/tasks/task_factory.h"
#include "neuromod/tasks/task_shape.h"

namespace neuromod {

std::unique_ptr<Experiment> make_experiment(const RunConfig& config) {
  torch::set_num_threads(static_cast<int>(config.threads));
  torch::manual_seed(static_cast<uint64_t>(config.seed));

  const NetworkShape shape = task_shape(config.task);
  switch (config.task.kind) {
    case TaskKind::pattern_completion:
      return std::make_unique<PatternCompletionExperiment>(
          pattern_completion_options(config.task), config.task.test_episodes,
          ModulatedNetwork(config.layers, modulation_options(config), shape), config.learning,
          config.seed);
    case TaskKind::cue_reward:
    case TaskKind::grid_maze: {
      ActorCriticOptions options;
      options.policy_layer = config.learning.policy_layer;
      options.value_layer = config.learning.value_layer;
      options.gamma = config.learning.gamma;
      options.value_coefficient = config.learning.value_coefficient;
      options.entropy_coefficient = config.learning.entropy_coefficient;
      options.batch = config.learning.batch_size;
      options.burn_in = config.learning.burn_in;
      return std::make_unique<ActorCriticExperiment>(
          make_environment(config.task),
          ModulatedNetwork(config.layers, modulation_options(config), shape), config.learning,
          options, config.seed);
    }
    case TaskKind::fashion_mnist: {
      ClassificationData data = load_fashion_mnist(config.task.data_dir, config.task.train_examples,
                                                   config.task.test_examples);
      LabelContexts contexts;
      if (config.task.contexts > 1) {
        contexts = assign_label_contexts(data, config.task.contexts,
                                         static_cast<uint64_t>(config.seed) + 17u);
      }
      ModulatedNetwork model(config.layers, modulation_options(config), shape);
      return std::make_unique<SupervisedExperiment>(std::move(data), std::move(contexts),
                                                    std::move(model), config.learning, config.seed);
    }
  }
  throw std::logic_error("unknown task kind");
}

}  // namespace neuromod
