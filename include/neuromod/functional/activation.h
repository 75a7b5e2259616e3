#pragma once
/// Activation functions f of neuromod's layers, by name.

#include <torch/types.h>

#include <utility>

#include "neuromod/config/enum_names.h"

namespace neuromod::functional {

/// Activation functions.
enum class Activation {
  identity,          ///< f(z) = z
  relu,              ///< f(z) = max(z, 0)
  tanh,              ///< f(z) = tanh z
  sigmoid,           ///< f(z) = 1 / (1 + e^-z)
  softplus,          ///< f(z) = log(1 + e^z)
  saturated_linear,  ///< f(z) = clip(z, -1, 1) (Vecoven et al. 2020)
};

inline const config::EnumNames<Activation>& enum_names(Activation) {
  static const config::EnumNames<Activation> names{
      {Activation::identity, "identity", "f(z) = z"},
      {Activation::relu, "relu", "f(z) = max(z, 0)"},
      {Activation::tanh, "tanh", "f(z) = tanh z"},
      {Activation::sigmoid, "sigmoid", "f(z) = 1 / (1 + exp(-z))"},
      {Activation::softplus, "softplus", "f(z) = log(1 + exp(z))"},
      {Activation::saturated_linear, "saturated_linear",
       "f(z) = clip(z, -1, 1) (Vecoven et al. 2020)"}};
  return names;
}

/// f(z), element-wise, differentiable. z: any shape.
torch::Tensor activate(const torch::Tensor& z, Activation activation);

/// The closed range f takes its values in, ±inf where unbounded (also in floating point: tanh
/// never rounds beyond ±1, nor a sigmoid beyond [0, 1]).
std::pair<double, double> activation_range(Activation activation);

}  // namespace neuromod::functional
