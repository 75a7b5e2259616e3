#include "neuromod/layers/layer_options.h"

namespace neuromod {

functional::Activation default_activation(LayerKind kind) {
  switch (kind) {
    case LayerKind::plastic_recurrent:
    case LayerKind::plastic_lstm:
      return functional::Activation::tanh;
    case LayerKind::dendritic:
      return functional::Activation::sigmoid;
    default:
      return functional::Activation::relu;
  }
}

}  // namespace neuromod
