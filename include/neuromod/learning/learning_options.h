#pragma once
/// The `learning:` section: how parameters are trained.

#include <cstdint>
#include <string>

#include "neuromod/config/checks.h"
#include "neuromod/config/enum_names.h"

namespace neuromod {

/// Learning algorithms.
enum class Algorithm {
  supervised,  ///< minibatch gradient descent on the task's targets
  a2c,         ///< advantage actor–critic over batches of episodes (Backpropamine's outer loop)
};

inline const config::EnumNames<Algorithm>& enum_names(Algorithm) {
  static const config::EnumNames<Algorithm> names{
      {Algorithm::supervised, "supervised",
       "minibatch gradient descent on the task's targets (classes, patterns)"},
      {Algorithm::a2c, "a2c",
       "advantage actor-critic over batches of episodes (Mnih et al. 2016; Miconi et al. 2019)"}};
  return names;
}

/// Optimisers (LibTorch's implementations).
enum class Optimizer { adam, sgd, rmsprop };

inline const config::EnumNames<Optimizer>& enum_names(Optimizer) {
  static const config::EnumNames<Optimizer> names{
      {Optimizer::adam, "adam", "Adam (Kingma & Ba 2015)"},
      {Optimizer::sgd, "sgd", "stochastic gradient descent, optional momentum"},
      {Optimizer::rmsprop, "rmsprop", "RMSprop (Tieleman & Hinton 2012), optional momentum"}};
  return names;
}

/// Options of the `learning:` section.
struct LearningOptions {
  Algorithm algorithm = Algorithm::supervised;
  Optimizer optimizer = Optimizer::adam;
  double lr = 1e-3;           ///< step size
  double momentum = 0.0;      ///< sgd / rmsprop momentum
  double weight_decay = 0.0;  ///< L2 penalty
  double eps = 1e-8;          ///< adam / rmsprop epsilon
  double clip_grad = 0.0;     ///< max global gradient norm; 0 = no clipping
  int64_t steps = 1000;       ///< optimiser steps in the run
  int64_t batch_size = 64;    ///< examples per step
  // a2c
  std::string policy_layer = "policy";  ///< layer whose output are the action logits
  std::string value_layer = "value";    ///< layer whose output (size 1) is V(s)
  double gamma = 0.9;                   ///< discount of the return
  double value_coefficient = 0.1;       ///< weight of the value loss
  double entropy_coefficient = 0.03;    ///< weight of the Simpson penalty sum_a pi(a)^2
  int64_t burn_in = 0;                  ///< optimiser steps before parameters change

  /// Example: learning: {algorithm: supervised, optimizer: adam, lr: 1.0e-3, steps: 1500}
  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("algorithm", algorithm, "learning algorithm");
    v("optimizer", optimizer, "optimiser");
    v("lr", lr, "optimiser step size", positive());
    v("momentum", momentum, "momentum (sgd, rmsprop)", in_range(0.0, 1.0));
    v("weight_decay", weight_decay, "L2 weight decay", at_least(0.0));
    v("eps", eps, "epsilon of adam / rmsprop", positive());
    v("clip_grad", clip_grad, "maximum global gradient norm (0: no clipping)", at_least(0.0));
    v("steps", steps, "optimiser steps to run", at_least(int64_t{1}));
    v("batch_size", batch_size, "examples (supervised) or parallel episodes (a2c) per step",
      at_least(int64_t{1}));
    v("policy_layer", policy_layer, "a2c: layer whose output are the action logits");
    v("value_layer", value_layer, "a2c: layer whose output (size 1) is the value V(s)");
    v("gamma", gamma, "a2c: discount of the return", in_range(0.0, 1.0));
    v("value_coefficient", value_coefficient, "a2c: weight of the value loss", at_least(0.0));
    v("entropy_coefficient", entropy_coefficient,
      "a2c: weight of the Simpson concentration penalty sum_a pi(a)^2", at_least(0.0));
    v("burn_in", burn_in, "a2c: optimiser steps before parameters start to change",
      at_least(int64_t{0}));
  }
};

}  // namespace neuromod
