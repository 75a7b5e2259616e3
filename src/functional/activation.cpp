#include "neuromod/functional/activation.h"

#include <torch/torch.h>

#include <limits>
#include <stdexcept>

namespace neuromod::functional {

torch::Tensor activate(const torch::Tensor& z, Activation activation) {
  switch (activation) {
    case Activation::identity:
      return z;
    case Activation::relu:
      return torch::relu(z);
    case Activation::tanh:
      return torch::tanh(z);
    case Activation::sigmoid:
      return torch::sigmoid(z);
    case Activation::softplus:
      return torch::softplus(z);
    case Activation::saturated_linear:
      return torch::clamp(z, -1.0, 1.0);
  }
  throw std::logic_error("unknown activation");
}

std::pair<double, double> activation_range(Activation activation) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  switch (activation) {
    case Activation::identity:
      return {-inf, inf};
    case Activation::relu:
    case Activation::softplus:
      return {0.0, inf};
    case Activation::tanh:
    case Activation::saturated_linear:
      return {-1.0, 1.0};
    case Activation::sigmoid:
      return {0.0, 1.0};
  }
  throw std::logic_error("unknown activation");
}

}  // namespace neuromod::functional
