#pragma once
/// The plasticity drive of a layer whose modulation is Backpropamine's and nothing else
/// (ModulatorySystemImpl::self_plasticity_drive), as PlasticRecurrent's whole-episode operation
/// takes it.

#include <torch/types.h>

#include "neuromod/functional/activation.h"

namespace neuromod {

/// How one layer's synaptic plasticity is set when that is all the system does: Backpropamine's
/// nucleus, M_t = out(v · h_{t−1} + c) read from the layer itself, reaching every synapse of the
/// layer through one linear receptor as m = base + slope ⊙ M (functional/plastic_episode.h).
struct SelfPlasticityDrive {
  torch::Tensor nucleus_weight;  ///< v, (N); undefined when there is no modulator at all
  torch::Tensor nucleus_bias;    ///< c, ()
  functional::Activation out = functional::Activation::tanh;
  torch::Tensor base;   ///< the plasticity effect at level 0, (N)
  torch::Tensor slope;  ///< its change per unit of level, (N)
};

}  // namespace neuromod
