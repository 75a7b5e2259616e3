#include "neuromod/learning/optimizer.h"

#include <torch/torch.h>

namespace neuromod {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(
    const LearningOptions& options, std::vector<torch::optim::OptimizerParamGroup> parameters) {
  switch (options.optimizer) {
    case Optimizer::adam:
      return std::make_unique<torch::optim::Adam>(parameters,
                                                  torch::optim::AdamOptions(options.lr)
                                                      .eps(options.eps)
                                                      .weight_decay(options.weight_decay));
    case Optimizer::sgd:
      return std::make_unique<torch::optim::SGD>(parameters,
                                                 torch::optim::SGDOptions(options.lr)
                                                     .momentum(options.momentum)
                                                     .weight_decay(options.weight_decay));
    case Optimizer::rmsprop:
      return std::make_unique<torch::optim::RMSprop>(parameters,
                                                     torch::optim::RMSpropOptions(options.lr)
                                                         .momentum(options.momentum)
                                                         .eps(options.eps)
                                                         .weight_decay(options.weight_decay));
  }
  throw std::logic_error("unknown optimizer");
}

void clip_gradients(const std::vector<torch::Tensor>& parameters, double max_norm) {
  if (max_norm > 0) torch::nn::utils::clip_grad_norm_(parameters, max_norm);
}

}  // namespace neuromod
