#include "neuromod/layers/plastic_recurrent.h"

#include <cmath>

#include <c10/util/Exception.h>
#include <torch/torch.h>

#include "layers/layer_support.h"
#include "neuromod/functional/fused_plastic.h"
#include "neuromod/functional/hebbian.h"

namespace neuromod {

using functional::EffectKind;

namespace {

constexpr const char* kLayer = "PlasticRecurrent";

void check_options(const PlasticRecurrentOptions& o) {
  TORCH_CHECK(o.input_size() > 0, kLayer, ": input_size must be > 0, got ", o.input_size());
  TORCH_CHECK(o.hidden_size() > 0, kLayer, ": hidden_size must be > 0, got ", o.hidden_size());
  TORCH_CHECK(o.input_weights() || o.input_size() == o.hidden_size(), kLayer,
              ": input_weights(false) adds the input to the units, so input_size must equal "
              "hidden_size, got ",
              o.input_size(), " and ", o.hidden_size());
  TORCH_CHECK(o.clip() > 0.0, kLayer, ": clip must be > 0 (or +inf for none), got ", o.clip());
  TORCH_CHECK(std::isfinite(o.eta_init()), kLayer, ": eta_init must be finite, got ", o.eta_init());
  TORCH_CHECK(std::isfinite(o.rate_init()), kLayer, ": rate_init must be finite, got ",
              o.rate_init());
  TORCH_CHECK(std::isfinite(o.w_init()) && o.w_init() >= 0.0, kLayer,
              ": w_init must be finite and >= 0, got ", o.w_init());
  TORCH_CHECK(std::isfinite(o.alpha_init()) && o.alpha_init() >= 0.0, kLayer,
              ": alpha_init must be finite and >= 0, got ", o.alpha_init());
}

void draw(torch::Tensor& tensor, double scale, WeightInit init) {
  if (init == WeightInit::uniform) {
    layer_support::uniform_positive_(tensor, scale);
  } else {
    torch::NoGradGuard no_grad;
    tensor.normal_(0.0, 1.0).mul_(scale);
  }
}

// x + y where y may be absent (undefined): how an additive effect joins the layer's own value.
torch::Tensor plus_optional(const torch::Tensor& x, const torch::Tensor& y) {
  return y.defined() ? x + y : x;
}

// The soma offset bias − threshold of soma_response, or undefined when neither is present.
torch::Tensor soma_offset(const UnitEffects& effects) {
  const auto bias = find_effect(effects, {Compartment::soma, EffectKind::bias});
  const auto threshold = find_effect(effects, {Compartment::soma, EffectKind::threshold});
  if (bias.defined() && threshold.defined()) return bias - threshold;
  if (threshold.defined()) return -threshold;
  return bias;
}

}  // namespace

PlasticRecurrentImpl::PlasticRecurrentImpl(const PlasticRecurrentOptions& options)
    : options(options) {
  reset();
}

void PlasticRecurrentImpl::reset() {
  check_options(options);
  const int64_t n = options.hidden_size();
  const auto rule = options.plasticity();

  if (options.input_weights()) {
    // W_in and b as torch::nn::Linear initialises them (Backpropamine's `i2h` is an nn.Linear).
    input_weight = register_parameter("input_weight", torch::empty({n, options.input_size()}));
    input_bias = register_parameter("input_bias", torch::empty(n));
    torch::nn::init::kaiming_uniform_(input_weight, std::sqrt(5.0));
    const double bound = 1.0 / std::sqrt(static_cast<double>(options.input_size()));
    torch::nn::init::uniform_(input_bias, -bound, bound);
  }

  w = register_parameter("w", torch::empty({n, n}));
  draw(w, options.w_init(), options.init());

  if (rule != PlasticityRule::none) {
    switch (options.alpha()) {
      case AlphaMode::per_connection:
        alpha = register_parameter("alpha", torch::empty({n, n}));
        draw(alpha, options.alpha_init(), options.init());
        break;
      case AlphaMode::per_neuron:
        alpha = register_parameter("alpha", torch::empty({n}));
        draw(alpha, options.alpha_init(), options.init());
        break;
      case AlphaMode::scalar:
        alpha = register_parameter("alpha", torch::full({}, options.alpha_init()));
        break;
    }
  }

  const auto learned_scalar = [this](const char* name, double value) {
    auto tensor = torch::full({}, value);
    return options.learn_eta() ? register_parameter(name, tensor) : register_buffer(name, tensor);
  };
  if (rule == PlasticityRule::decaying || rule == PlasticityRule::retroactive) {
    eta = learned_scalar("eta", options.eta_init());
  }
  if (rule == PlasticityRule::clipped) {
    rate = learned_scalar("rate", options.rate_init());
  }
}

void PlasticRecurrentImpl::pretty_print(std::ostream& stream) const {
  stream << "neuromod::PlasticRecurrent(input_size=" << options.input_size()
         << ", hidden_size=" << options.hidden_size()
         << ", activation=" << config::enum_name(options.activation())
         << ", plasticity=" << config::enum_name(options.plasticity());
  if (options.plasticity() != PlasticityRule::none) {
    stream << ", alpha=" << config::enum_name(options.alpha()) << ", clip=" << options.clip();
  }
  stream << ")";
}

LayerStep PlasticRecurrentImpl::step(const torch::Tensor& input, const LayerState& state,
                                     const UnitEffects& effects) {
  using layer_support::state_at;
  layer_support::check_input(input, options.input_size(), kLayer);
  layer_support::check_effects(effects, exposed_effects(), input.size(0), size(), kLayer);
  const auto rule = options.plasticity();
  const auto& h_last = state_at(state, "h", kLayer);  // h_{t−1}

  const auto drive_in =
      options.input_weights() ? torch::linear(input, input_weight, input_bias) : input;

  if (rule == PlasticityRule::none) {
    const auto h =
        layer_support::soma_response(drive_in + h_last.matmul(w), effects, options.activation());
    return {h, {{"h", h}}};
  }

  // The pending update of the transition h_{t−2} → h_{t−1}, with the modulator of h_{t−1}, which
  // arrives in this step's effects (see "Timing" in the header).
  const auto& h_before = state_at(state, "h_prev", kLayer);  // h_{t−2}
  auto hebb = state_at(state, "hebb", kLayer);
  torch::Tensor eligibility;
  const auto plasticity = find_effect(effects, {Compartment::synapse, EffectKind::plasticity});
  const auto trace_decay = find_effect(effects, {Compartment::synapse, EffectKind::trace_decay});

  if (options.fused() != FusedMode::off) {
    // The same step as the generic ops below, as one fused operation; each rule's operands as
    // the generic path forms them.
    using functional::FusedUpdate;
    functional::PlasticStepInputs in;
    in.drive = drive_in;
    in.h_last = h_last;
    in.h_before = h_before;
    in.plastic = hebb;
    in.w = w;
    in.alpha = alpha;
    in.gain = find_effect(effects, {Compartment::soma, EffectKind::gain});
    in.offset = soma_offset(effects);
    FusedUpdate update = FusedUpdate::frozen;
    switch (rule) {
      case PlasticityRule::decaying:
        update = FusedUpdate::decaying_hebb;
        in.rate = plus_optional(trace_decay.defined() ? trace_decay : eta, plasticity);
        break;
      case PlasticityRule::clipped:
        update = FusedUpdate::clipped_hebb;
        in.modulation = plus_optional(rate, plasticity);
        break;
      case PlasticityRule::simple:
        update = plasticity.defined() ? FusedUpdate::clipped_hebb : FusedUpdate::frozen;
        in.modulation = plasticity;
        break;
      case PlasticityRule::retroactive:
        update = plasticity.defined() ? FusedUpdate::retroactive : FusedUpdate::eligibility_only;
        in.eligibility = state_at(state, "eligibility", kLayer);
        in.modulation = plasticity;
        in.rate = trace_decay.defined() ? trace_decay : eta;
        break;
      case PlasticityRule::none:
        break;
    }
    const auto step_options = functional::PlasticStepOptions(update)
                                  .activation(options.activation())
                                  .clip(options.clip())
                                  .in_place(options.in_place_traces());
    const std::string why = functional::fused_plastic_step_unsupported(in, step_options);
    if (why.empty()) {
      auto out = functional::fused_plastic_step(in, step_options);
      LayerState next{{"h", out.h}, {"h_prev", h_last}, {"hebb", std::move(out.plastic)}};
      if (rule == PlasticityRule::retroactive) next.emplace("eligibility", out.eligibility);
      return {std::move(out.h), std::move(next)};
    }
    TORCH_CHECK(options.fused() != FusedMode::on, kLayer,
                ": fused is on, but the fused step cannot take this step: ", why);
  }

  switch (rule) {
    case PlasticityRule::decaying: {
      const auto decay_rate = trace_decay.defined() ? trace_decay : eta;
      hebb = functional::decaying_hebb_update(hebb, h_before, h_last,
                                              plus_optional(decay_rate, plasticity));
      break;
    }
    case PlasticityRule::clipped:
      hebb = functional::clipped_hebb_update(hebb, h_before, h_last,
                                             plus_optional(rate, plasticity), options.clip());
      break;
    case PlasticityRule::simple:
      // Without a modulator M = 0: clip(P + 0) = P, since P never leaves [−C, C].
      if (plasticity.defined()) {
        hebb =
            functional::modulated_hebb_update(hebb, h_before, h_last, plasticity, options.clip());
      }
      break;
    case PlasticityRule::retroactive: {
      const auto trace_rate = trace_decay.defined() ? trace_decay : eta;
      eligibility = state_at(state, "eligibility", kLayer);
      if (plasticity.defined()) {
        auto traces = functional::retroactive_update({hebb, eligibility}, h_before, h_last,
                                                     plasticity, trace_rate, options.clip());
        hebb = std::move(traces.plastic);
        eligibility = std::move(traces.eligibility);
      } else {
        // M = 0 leaves P as it is; E decays and takes in the co-activation all the same. Its
        // update is the decaying Hebbian trace.
        eligibility = functional::decaying_hebb_update(eligibility, h_before, h_last, trace_rate);
      }
      break;
    }
    case PlasticityRule::none:
      break;
  }

  const auto recurrent = functional::plastic_input(h_last, w, alpha, hebb);
  const auto h = layer_support::soma_response(drive_in + recurrent, effects, options.activation());
  LayerState next{{"h", h}, {"h_prev", h_last}, {"hebb", hebb}};
  if (rule == PlasticityRule::retroactive) next.emplace("eligibility", eligibility);
  return {h, std::move(next)};
}

functional::FusedUpdate PlasticRecurrentImpl::episode_update(bool modulated) const {
  using functional::FusedUpdate;
  switch (options.plasticity()) {
    case PlasticityRule::decaying:
      return FusedUpdate::decaying_hebb;
    case PlasticityRule::clipped:
      return FusedUpdate::clipped_hebb;
    case PlasticityRule::simple:
      return modulated ? FusedUpdate::clipped_hebb : FusedUpdate::frozen;
    case PlasticityRule::retroactive:
      return modulated ? FusedUpdate::retroactive : FusedUpdate::eligibility_only;
    case PlasticityRule::none:
      break;
  }
  return FusedUpdate::frozen;
}

std::string PlasticRecurrentImpl::episode_unsupported(bool modulated) const {
  using functional::Activation;
  if (options.fused() == FusedMode::off || options.fused() == FusedMode::step) {
    return std::string("fused is ") + config::enum_name(options.fused());
  }
  const auto rule = options.plasticity();
  if (rule == PlasticityRule::none) return "the layer has no plasticity";
  if (rule == PlasticityRule::decaying && modulated) {
    return "a modulator adds to the decaying trace's rate";
  }
  const auto f = options.activation();
  if (f != Activation::identity && f != Activation::relu && f != Activation::tanh &&
      f != Activation::sigmoid) {
    return std::string("activation ") + config::enum_name(f) +
           " (the episode operation takes identity, relu, tanh and sigmoid)";
  }
  return "";
}

torch::Tensor PlasticRecurrentImpl::episode(const torch::Tensor& inputs,
                                            const SelfPlasticityDrive& drive,
                                            const functional::PlayedEpisode& played) {
  const bool modulated = drive.nucleus_weight.defined();
  const std::string why = episode_unsupported(modulated);
  TORCH_CHECK(why.empty(), kLayer, ": no episode operation: ", why);
  TORCH_CHECK(inputs.dim() == 3 && inputs.size(2) == options.input_size(), kLayer,
              ": episode inputs must be (T, B, ", options.input_size(), "), got ", inputs.sizes());
  functional::PlasticEpisodeInputs in;
  in.drive = options.input_weights() ? torch::linear(inputs, input_weight, input_bias) : inputs;
  in.w = w;
  in.alpha = alpha;
  // Each rule's operands as `step` forms them from the plasticity effect base + slope · M.
  switch (options.plasticity()) {
    case PlasticityRule::decaying:
      in.rate = eta;
      break;
    case PlasticityRule::clipped:
      in.modulation_base = modulated ? rate + drive.base : rate;
      break;
    case PlasticityRule::simple:
      in.modulation_base = drive.base;
      break;
    case PlasticityRule::retroactive:
      in.rate = eta;
      in.modulation_base = drive.base;
      break;
    case PlasticityRule::none:
      break;
  }
  if (modulated) {
    in.modulation_slope = drive.slope;
    in.nucleus_weight = drive.nucleus_weight;
    in.nucleus_bias = drive.nucleus_bias;
  }
  const auto episode_options = functional::PlasticEpisodeOptions(episode_update(modulated))
                                   .activation(options.activation())
                                   .nucleus_activation(drive.out)
                                   .clip(options.clip());
  return functional::plastic_episode(in, episode_options, played);
}

LayerState PlasticRecurrentImpl::initial_state(int64_t batch) const {
  TORCH_CHECK(batch > 0, kLayer, ": batch must be > 0, got ", batch);
  const int64_t n = options.hidden_size();
  const auto like = w.options().requires_grad(false);
  LayerState state{{"h", torch::zeros({batch, n}, like)}};
  if (options.plasticity() == PlasticityRule::none) return state;
  state.emplace("h_prev", torch::zeros({batch, n}, like));
  state.emplace("hebb", torch::zeros({batch, n, n}, like));
  if (options.plasticity() == PlasticityRule::retroactive) {
    state.emplace("eligibility", torch::zeros({batch, n, n}, like));
  }
  return state;
}

std::vector<EffectKey> PlasticRecurrentImpl::exposed_effects() const {
  std::vector<EffectKey> keys{{Compartment::soma, EffectKind::gain},
                              {Compartment::soma, EffectKind::bias},
                              {Compartment::soma, EffectKind::threshold}};
  const auto rule = options.plasticity();
  if (rule != PlasticityRule::none) keys.push_back({Compartment::synapse, EffectKind::plasticity});
  if (rule == PlasticityRule::decaying || rule == PlasticityRule::retroactive) {
    keys.push_back({Compartment::synapse, EffectKind::trace_decay});
  }
  return keys;
}

}  // namespace neuromod
