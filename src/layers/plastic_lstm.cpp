#include "neuromod/layers/plastic_lstm.h"

#include <cmath>

#include <c10/util/Exception.h>
#include <torch/torch.h>

#include "layers/layer_support.h"
#include "neuromod/functional/hebbian.h"

namespace neuromod {

using functional::EffectKind;

namespace {

constexpr const char* kLayer = "PlasticLSTM";

void check_options(const PlasticLSTMOptions& o) {
  TORCH_CHECK(o.input_size() > 0, kLayer, ": input_size must be > 0, got ", o.input_size());
  TORCH_CHECK(o.hidden_size() > 0, kLayer, ": hidden_size must be > 0, got ", o.hidden_size());
  TORCH_CHECK(o.clip() > 0.0, kLayer, ": clip must be > 0 (or +inf for none), got ", o.clip());
  TORCH_CHECK(std::isfinite(o.w_init()) && o.w_init() >= 0.0, kLayer,
              ": w_init must be finite and >= 0, got ", o.w_init());
  TORCH_CHECK(std::isfinite(o.alpha_init()) && o.alpha_init() >= 0.0, kLayer,
              ": alpha_init must be finite and >= 0, got ", o.alpha_init());
  TORCH_CHECK(std::isfinite(o.forget_bias()), kLayer, ": forget_bias must be finite, got ",
              o.forget_bias());
  if (o.non_modulated_rate()) {
    TORCH_CHECK(o.plasticity() == LstmPlasticity::hebbian, kLayer,
                ": non_modulated_rate needs plasticity 'hebbian', got 'none'");
    TORCH_CHECK(std::isfinite(*o.non_modulated_rate()), kLayer,
                ": non_modulated_rate must be finite, got ", *o.non_modulated_rate());
  }
}

}  // namespace

PlasticLSTMImpl::PlasticLSTMImpl(const PlasticLSTMOptions& options) : options(options) {
  reset();
}

void PlasticLSTMImpl::reset() {
  check_options(options);
  const int64_t n = options.hidden_size();
  const bool plastic = options.plasticity() == LstmPlasticity::hebbian;

  input_weight = register_parameter("input_weight", torch::empty({4 * n, options.input_size()}));
  recurrent_weight = register_parameter("recurrent_weight", torch::empty({3 * n, n}));
  bias = register_parameter("bias", torch::empty(4 * n));
  w = register_parameter("w", torch::empty({n, n}));
  {
    torch::NoGradGuard no_grad;
    // torch::nn::LSTMCell's initialisation for the gates, then the forget bias of Mei et al.
    const double bound = 1.0 / std::sqrt(static_cast<double>(n));
    input_weight.uniform_(-bound, bound);
    recurrent_weight.uniform_(-bound, bound);
    bias.uniform_(-bound, bound);
    bias.narrow(0, n, n).fill_(options.forget_bias());
    w.uniform_(-options.w_init(), options.w_init());
  }
  if (plastic) {
    switch (options.alpha()) {
      case AlphaMode::per_connection:
        alpha = register_parameter("alpha", torch::empty({n, n}));
        layer_support::uniform_positive_(alpha, options.alpha_init());
        break;
      case AlphaMode::per_neuron:
        alpha = register_parameter("alpha", torch::empty({n}));
        layer_support::uniform_positive_(alpha, options.alpha_init());
        break;
      case AlphaMode::scalar:
        alpha = register_parameter("alpha", torch::full({}, options.alpha_init()));
        break;
    }
  }
  if (options.non_modulated_rate()) {
    eta = register_parameter("eta", torch::full({}, *options.non_modulated_rate()));
  }
}

void PlasticLSTMImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::PlasticLSTM(input_size=" << options.input_size()
         << ", hidden_size=" << options.hidden_size()
         << ", plasticity=" << config::enum_name(options.plasticity());
  if (options.plasticity() == LstmPlasticity::hebbian) {
    stream << ", alpha=" << config::enum_name(options.alpha()) << ", clip=" << options.clip();
    if (options.non_modulated_rate())
      stream << ", non_modulated_rate=" << *options.non_modulated_rate();
  }
  stream << ")";
}

LayerStep PlasticLSTMImpl::step(const torch::Tensor& input, const LayerState& state,
                                const UnitEffects& effects) {
  using layer_support::state_at;
  layer_support::check_input(input, options.input_size(), kLayer);
  layer_support::check_effects(effects, exposed_effects(), input.size(0), size(), kLayer);
  const bool plastic = options.plasticity() == LstmPlasticity::hebbian;
  const auto& h_last = state_at(state, "h", kLayer);
  const auto& c_last = state_at(state, "c", kLayer);

  torch::Tensor hebb;
  if (plastic) {
    // The pending update (pre h_{t−2}, post ĉ_{t−1}) with the modulator of step t−1, which this
    // step's effects carry (see "Timing" in the header).
    hebb = state_at(state, "hebb", kLayer);
    const auto& pre = state_at(state, "h_prev", kLayer);
    const auto& post = state_at(state, "c_hat", kLayer);
    const auto m = find_effect(effects, {Compartment::synapse, EffectKind::plasticity});
    if (eta.defined()) {
      hebb = m.defined()
                 ? functional::modulated_hebb_update(hebb, pre, post, eta + m, options.clip())
                 : functional::clipped_hebb_update(hebb, pre, post, eta, options.clip());
    } else if (m.defined()) {
      hebb = functional::modulated_hebb_update(hebb, pre, post, m, options.clip());
    }
    // Neither: M = 0 and clip(Hebb + 0) = Hebb.
  }

  const auto from_input = torch::linear(input, input_weight, bias).chunk(4, 1);
  const auto from_state = torch::linear(h_last, recurrent_weight).chunk(3, 1);
  const auto in_gate = torch::sigmoid(from_input[0] + from_state[0]);
  const auto forget_gate = torch::sigmoid(from_input[1] + from_state[1]);
  const auto out_gate = torch::sigmoid(from_input[2] + from_state[2]);
  const auto recurrent =
      plastic ? functional::plastic_input(h_last, w, alpha, hebb) : h_last.matmul(w);
  const auto c_hat = layer_support::soma_response(from_input[3] + recurrent, effects,
                                                  functional::Activation::tanh);
  const auto c = forget_gate * c_last + in_gate * c_hat;
  const auto h = out_gate * torch::tanh(c);

  LayerState next{{"h", h}, {"c", c}};
  if (plastic) {
    next.emplace("h_prev", h_last);
    next.emplace("c_hat", c_hat);
    next.emplace("hebb", hebb);
  }
  return {h, std::move(next)};
}

LayerState PlasticLSTMImpl::initial_state(int64_t batch) const {
  TORCH_CHECK(batch > 0, kLayer, ": batch must be > 0, got ", batch);
  const int64_t n = options.hidden_size();
  const auto like = w.options().requires_grad(false);
  LayerState state{{"h", torch::zeros({batch, n}, like)}, {"c", torch::zeros({batch, n}, like)}};
  if (options.plasticity() == LstmPlasticity::hebbian) {
    state.emplace("h_prev", torch::zeros({batch, n}, like));
    state.emplace("c_hat", torch::zeros({batch, n}, like));
    state.emplace("hebb", torch::zeros({batch, n, n}, like));
  }
  return state;
}

std::vector<EffectKey> PlasticLSTMImpl::exposed_effects() const {
  std::vector<EffectKey> keys{{Compartment::soma, EffectKind::gain},
                              {Compartment::soma, EffectKind::bias},
                              {Compartment::soma, EffectKind::threshold}};
  if (options.plasticity() == LstmPlasticity::hebbian) {
    keys.push_back({Compartment::synapse, EffectKind::plasticity});
  }
  return keys;
}

}  // namespace neuromod
