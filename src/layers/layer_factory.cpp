#include "neuromod/layers/layer_factory.h"

#include <torch/torch.h>

#include "neuromod/layers/dendritic_layer.h"
#include "neuromod/layers/modulated_dropout.h"
#include "neuromod/layers/modulated_linear.h"
#include "neuromod/layers/plastic_lstm.h"
#include "neuromod/layers/plastic_recurrent.h"

namespace neuromod {

namespace {

template <class Holder>
std::shared_ptr<ModulatedLayer> share(Holder holder) {
  return std::static_pointer_cast<ModulatedLayer>(holder.ptr());
}

LstmPlasticity lstm_plasticity(const LayerOptions& options) {
  switch (options.plasticity) {
    case PlasticityRule::none:
      return LstmPlasticity::none;
    case PlasticityRule::simple:
    case PlasticityRule::clipped:
      return LstmPlasticity::hebbian;
    default:
      throw std::invalid_argument(
          "layer \"" + options.name +
          "\": plastic_lstm takes plasticity none, simple or clipped, got " +
          config::enum_name(options.plasticity));
  }
}

}  // namespace

std::shared_ptr<ModulatedLayer> make_layer(const LayerOptions& options, int64_t input_size,
                                           int64_t apical_size) {
  switch (options.kind) {
    case LayerKind::linear:
      return share(ModulatedLinear(
          ModulatedLinearOptions(input_size, options.size)
              .activation(options.activation.value_or(default_activation(options.kind)))
              .bias(options.bias)));
    case LayerKind::plastic_recurrent:
      return share(PlasticRecurrent(
          PlasticRecurrentOptions(input_size, options.size)
              .activation(options.activation.value_or(default_activation(options.kind)))
              .plasticity(options.plasticity)
              .alpha(options.alpha)
              .clip(options.clip)
              .eta_init(options.eta)
              .rate_init(options.eta)
              .learn_eta(options.learn_eta)
              .input_weights(options.input_weights)
              .init(options.init)
              .fused(options.fused)
              .in_place_traces(options.in_place_traces)));
    case LayerKind::plastic_lstm: {
      auto lstm = PlasticLSTMOptions(input_size, options.size)
                      .plasticity(lstm_plasticity(options))
                      .alpha(options.alpha)
                      .clip(options.clip);
      if (options.plasticity == PlasticityRule::clipped) lstm.non_modulated_rate(options.eta);
      return share(PlasticLSTM(lstm));
    }
    case LayerKind::dendritic:
      return share(DendriticLayer(
          DendriticLayerOptions(input_size, options.size, apical_size)
              .activation(options.activation.value_or(default_activation(options.kind)))
              .bias(options.bias)));
    case LayerKind::dropout:
      if (options.size != input_size) {
        throw std::invalid_argument("layer \"" + options.name +
                                    "\": a dropout layer has as many "
                                    "units as its input (" +
                                    std::to_string(input_size) + "), got size " +
                                    std::to_string(options.size));
      }
      return share(ModulatedDropout(ModulatedDropoutOptions(options.size).p(options.p)));
  }
  throw std::logic_error("unknown layer kind");
}

}  // namespace neuromod
