// PlasticRecurrent with the fused step (functional/fused_plastic.h) against its generic ops.

#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "layers/layer_test_support.h"
#include "neuromod/functional/fused_plastic.h"
#include "neuromod/functional/hebbian.h"
#include "neuromod/layers/plastic_recurrent.h"
#include "neuromod/learning/actor_critic_experiment.h"
#include "neuromod/tasks/cue_reward.h"
#include "support/gradcheck.h"
#include "support/network_from_yaml.h"

namespace nm = neuromod;
namespace nf = neuromod::functional;
using neuromod::Compartment;
using neuromod::FusedMode;
using neuromod::PlasticityRule;
using neuromod::UnitEffects;
using nf::EffectKind;

namespace {

const nm::EffectKey kPlasticity{Compartment::synapse, EffectKind::plasticity};
const nm::EffectKey kTraceDecay{Compartment::synapse, EffectKind::trace_decay};
const nm::EffectKey kGain{Compartment::soma, EffectKind::gain};
const nm::EffectKey kBias{Compartment::soma, EffectKind::bias};
const nm::EffectKey kThreshold{Compartment::soma, EffectKind::threshold};

bool reads_trace_decay(PlasticityRule rule) {
  return rule == PlasticityRule::decaying || rule == PlasticityRule::retroactive;
}

::testing::AssertionResult close(const torch::Tensor& a, const torch::Tensor& b, double tolerance) {
  const double scale = std::max(1.0, b.abs().max().item<double>());
  const double error = (a - b).abs().max().item<double>();
  if (error <= tolerance * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max difference " << error << " (scale " << scale << ")";
}

double tolerance_of(torch::Dtype dtype) {
  return dtype == torch::kDouble ? 1e-12 : 2e-5;
}

/// Backpropamine's learned modulator M = fan_out(tanh(h v)), plus soma effects that depend on h,
/// all with learnable tensors.
struct Drivers {
  torch::Tensor v, f, g;      // modulator
  torch::Tensor gain, bias;   // (B, N) and (N)
  torch::Tensor threshold;    // (B, 1)
  torch::Tensor trace_decay;  // (B, N)

  static Drivers random(int64_t batch, int64_t n, torch::Dtype dtype, double modulation) {
    const auto o = torch::TensorOptions().dtype(dtype);
    return {torch::randn({n}, o),
            modulation * torch::randn({n}, o),
            0.1 * torch::randn({n}, o),
            1.0 + 0.2 * torch::randn({batch, n}, o),
            0.1 * torch::randn({n}, o),
            0.1 * torch::randn({batch, 1}, o),
            0.1 + 0.3 * torch::rand({batch, n}, o)};
  }
  std::vector<torch::Tensor*> all() { return {&v, &f, &g, &gain, &bias, &threshold, &trace_decay}; }
  void require_grad() {
    for (auto* t : all()) *t = t->detach().clone().set_requires_grad(true);
  }

  /// The effects of step t after output h_{t−1} (undefined at t = 0: no modulator yet).
  UnitEffects effects(PlasticityRule rule, int64_t t, const torch::Tensor& previous_output) const {
    UnitEffects effects{{kGain, gain}, {kBias, bias}, {kThreshold, threshold}};
    if (previous_output.defined()) {
      effects[kPlasticity] = nf::fan_out(torch::tanh(previous_output.matmul(v)), f, g);
    }
    if (reads_trace_decay(rule) && t % 2 == 1) effects[kTraceDecay] = trace_decay;
    return effects;
  }
};

struct Episode {
  std::vector<torch::Tensor> outputs;
  std::vector<nm::LayerState> states;
};

Episode run_episode(nm::PlasticRecurrentImpl& layer, const torch::Tensor& xs,
                    const Drivers& drivers) {
  Episode episode;
  auto state = layer.initial_state(xs.size(1));
  torch::Tensor output;
  for (int64_t t = 0; t < xs.size(0); ++t) {
    auto step = layer.step(xs[t], state, drivers.effects(layer.options.plasticity(), t, output));
    output = step.output;
    state = step.state;
    episode.outputs.push_back(step.output);
    episode.states.push_back(std::move(step.state));
  }
  return episode;
}

nm::PlasticRecurrent make_layer(PlasticityRule rule, nm::AlphaMode alpha, torch::Dtype dtype,
                                double clip) {
  nm::PlasticRecurrent layer(nm::PlasticRecurrentOptions(5, 8)
                                 .plasticity(rule)
                                 .alpha(alpha)
                                 .init(nm::WeightInit::normal)
                                 .w_init(0.4)
                                 .alpha_init(0.6)
                                 .eta_init(0.3)
                                 .rate_init(0.4)
                                 .clip(clip));
  layer->to(dtype);
  return layer;
}

const PlasticityRule kPlasticRules[] = {PlasticityRule::decaying, PlasticityRule::clipped,
                                        PlasticityRule::simple, PlasticityRule::retroactive};
const nm::AlphaMode kAlphaModes[] = {nm::AlphaMode::per_connection, nm::AlphaMode::per_neuron,
                                     nm::AlphaMode::scalar};

using Combination = std::tuple<PlasticityRule, nm::AlphaMode, torch::Dtype>;

class FusedPlasticRecurrentRule : public ::testing::TestWithParam<Combination> {};
class FusedPlasticRecurrentBptt : public ::testing::TestWithParam<Combination> {};

std::string combination_name(const ::testing::TestParamInfo<Combination>& info) {
  return nm::config::enum_name(std::get<0>(info.param)) + "_" +
         nm::config::enum_name(std::get<1>(info.param)) + "_" +
         (std::get<2>(info.param) == torch::kDouble ? "double" : "float");
}

}  // namespace

TEST_P(FusedPlasticRecurrentRule, OutputsAndStatesMatchTheGenericPathWithTheClampEngaged) {
  const auto [rule, alpha, dtype] = GetParam();
  torch::manual_seed(11);
  const double clip = 0.05;  // small enough for the traces to reach it
  auto layer = make_layer(rule, alpha, dtype, clip);
  const auto xs = torch::randn({24, 3, 5}, dtype);
  // A large M drives P to the clamp; under `decaying` it adds to η, where it must stay small for
  // (1 − η − M) to keep the trace bounded.
  const auto drivers = Drivers::random(3, 8, dtype, rule == PlasticityRule::decaying ? 0.1 : 2.0);

  layer->options.fused(FusedMode::on);
  const auto fused = run_episode(*layer, xs, drivers);
  layer->options.fused(FusedMode::off);
  const auto generic = run_episode(*layer, xs, drivers);

  const double tolerance = tolerance_of(dtype);
  for (size_t t = 0; t < generic.outputs.size(); ++t) {
    ASSERT_TRUE(close(fused.outputs[t], generic.outputs[t], tolerance)) << "output, step " << t;
    ASSERT_EQ(fused.states[t].size(), generic.states[t].size());
    for (const auto& [key, value] : generic.states[t]) {
      EXPECT_TRUE(close(fused.states[t].at(key), value, tolerance))
          << "state " << key << ", step " << t;
    }
  }
  // In place, every output and the last state are the same; earlier states are the last one's
  // storage (which is why in_place_traces is off by default).
  layer->options.fused(FusedMode::on);
  layer->options.in_place_traces(true);
  const auto in_place = run_episode(*layer, xs, drivers);
  for (size_t t = 0; t < generic.outputs.size(); ++t) {
    ASSERT_TRUE(close(in_place.outputs[t], generic.outputs[t], tolerance))
        << "in place, step " << t;
  }
  for (const auto& [key, value] : generic.states.back()) {
    EXPECT_TRUE(close(in_place.states.back().at(key), value, tolerance)) << "in place, " << key;
  }
  const auto storage = [](const torch::Tensor& x) { return x.data_ptr(); };
  EXPECT_EQ(storage(in_place.states[1].at("hebb")), storage(in_place.states.back().at("hebb")));
  EXPECT_NE(storage(fused.states[1].at("hebb")), storage(fused.states.back().at("hebb")));

  const auto& hebb = generic.states.back().at("hebb");
  if (rule != PlasticityRule::decaying) {
    // The clamp was active: some traces sit at ±C.
    EXPECT_GT((hebb.abs() == clip).sum().item<int64_t>(), 0);
  }
  EXPECT_GT(hebb.abs().max().item<double>(), 0.0);
}

TEST_P(FusedPlasticRecurrentBptt, GradientsMatchTheGenericPath) {
  const auto [rule, alpha, dtype] = GetParam();
  torch::manual_seed(12);
  auto layer = make_layer(rule, alpha, dtype, 0.3);
  const auto xs = torch::randn({24, 3, 5}, dtype);
  auto drivers = Drivers::random(3, 8, dtype, 1.0);

  // Gradients of the parameters, of the inputs x and of every tensor the effects come from.
  const auto gradients = [&](FusedMode mode, bool in_place) {
    layer->options.fused(mode);
    layer->options.in_place_traces(in_place);
    layer->zero_grad();
    drivers.require_grad();
    const auto x = xs.clone().set_requires_grad(true);
    const auto episode = run_episode(*layer, x, drivers);
    auto out = torch::stack(episode.outputs).reshape(-1);
    auto loss = (out * nm::testing::detail::projection_like(out)).sum();
    const auto& last = episode.states.back();
    for (const char* key : {"hebb", "eligibility"}) {
      if (last.count(key)) loss = loss + (last.at(key) * last.at(key)).sum();
    }
    loss.backward();
    std::vector<std::pair<std::string, torch::Tensor>> grads;
    for (const auto& named : layer->named_parameters()) {
      grads.emplace_back(named.key(), named.value().grad().clone());
    }
    grads.emplace_back("x", x.grad());
    const char* names[] = {"v", "f", "g", "gain", "bias", "threshold", "trace_decay"};
    const auto tensors = drivers.all();
    for (size_t k = 0; k < tensors.size(); ++k) {
      const auto grad = tensors[k]->grad();
      grads.emplace_back(names[k], grad.defined() ? grad : torch::zeros_like(*tensors[k]));
    }
    return grads;
  };
  const auto fused = gradients(FusedMode::on, false);
  // In place, and with backward keeping only 4 of a segment's 7 recomputed steps: under
  // `retroactive` the episode's first step has no modulator (E only), so the recomputation's
  // next step finds P still the snapshot's and E in the running pair.
  const int64_t pair_bytes = 3 * 8 * 8 * 8 * 2;
  nf::set_fused_recompute_cache_bytes(4 * pair_bytes);
  const auto in_place = gradients(FusedMode::on, true);
  nf::set_fused_recompute_cache_bytes(0);
  const auto generic = gradients(FusedMode::off, false);
  ASSERT_EQ(fused.size(), generic.size());
  ASSERT_EQ(in_place.size(), generic.size());
  for (size_t k = 0; k < generic.size(); ++k) {
    ASSERT_TRUE(generic[k].second.defined()) << generic[k].first;
    EXPECT_TRUE(close(fused[k].second, generic[k].second, 1e-10)) << generic[k].first;
    EXPECT_TRUE(close(in_place[k].second, generic[k].second, 1e-10))
        << generic[k].first << ", traces in place";
    if (generic[k].first != "trace_decay" || reads_trace_decay(rule)) {
      EXPECT_GT(generic[k].second.abs().max().item<double>(), 0.0) << generic[k].first;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(FusedPlasticRecurrent, FusedPlasticRecurrentRule,
                         ::testing::Combine(::testing::ValuesIn(kPlasticRules),
                                            ::testing::ValuesIn(kAlphaModes),
                                            ::testing::Values(torch::kDouble, torch::kFloat)),
                         combination_name);
INSTANTIATE_TEST_SUITE_P(FusedPlasticRecurrent, FusedPlasticRecurrentBptt,
                         ::testing::Combine(::testing::ValuesIn(kPlasticRules),
                                            ::testing::ValuesIn(kAlphaModes),
                                            ::testing::Values(torch::kDouble)),
                         combination_name);

TEST(FusedPlasticRecurrent, GradcheckThroughFusedSteps) {
  torch::manual_seed(13);
  for (const auto rule : kPlasticRules) {
    auto layer = make_layer(rule, nm::AlphaMode::per_connection, torch::kDouble, 10.0);
    layer->options.fused(FusedMode::on);
    const int64_t steps = 6, batch = 2, n = 8;
    const auto opts = torch::TensorOptions().dtype(torch::kDouble).requires_grad(true);
    // x (T, B, N_in), h_0 (B, N), gain (B, N), M (T, B, N)
    std::vector<torch::Tensor> inputs{
        torch::randn({steps, batch, 5}, opts), 0.5 * torch::randn({batch, n}, opts),
        torch::rand({batch, n}, opts) + 0.5, 0.5 * torch::randn({steps, batch, n}, opts)};
    const auto run = [&](const std::vector<torch::Tensor>& in) {
      auto state = layer->initial_state(batch);
      state["h"] = in[1];
      std::vector<torch::Tensor> outputs;
      for (int64_t t = 0; t < steps; ++t) {
        UnitEffects effects{{kGain, in[2]}, {kPlasticity, in[3][t]}};
        auto step = layer->step(in[0][t], state, effects);
        state = std::move(step.state);
        outputs.push_back(step.output);
      }
      return torch::stack(outputs);
    };
    EXPECT_TRUE(nm::testing::gradcheck(run, inputs)) << nm::config::enum_name(rule);
    std::vector<torch::Tensor> fixed;
    for (const auto& input : inputs) fixed.push_back(input.detach());
    EXPECT_TRUE(nm::testing::check_parameter_gradients(*layer, [&] { return run(fixed); }))
        << nm::config::enum_name(rule);
  }
}

TEST(FusedPlasticRecurrent, SaveLoadMidEpisode) {
  for (const auto rule : kPlasticRules) {
    torch::manual_seed(14);
    auto saved = make_layer(rule, nm::AlphaMode::per_connection, torch::kFloat, 1.0);
    torch::manual_seed(15);
    auto loaded = make_layer(rule, nm::AlphaMode::per_connection, torch::kFloat, 1.0);
    const auto xs = torch::randn({8, 2, 5});
    const auto drivers = Drivers::random(2, 8, torch::kFloat, 1.0);
    auto state = saved->initial_state(2);
    torch::Tensor output;
    for (int t = 0; t < 4; ++t) {
      auto step = saved->step(xs[t], state, drivers.effects(rule, t, output));
      state = std::move(step.state);
      output = step.output;
    }
    nm::testing::round_trip_module(saved, loaded);
    const std::string bytes = nm::testing::save_state(state);
    auto restored = nm::testing::load_state(bytes);
    ASSERT_TRUE(nm::testing::states_equal(state, restored));
    const auto middle_output = output.detach();
    torch::Tensor output_loaded = middle_output;
    for (int t = 4; t < 8; ++t) {
      auto a = saved->step(xs[t], state, drivers.effects(rule, t, output));
      auto b = loaded->step(xs[t], restored, drivers.effects(rule, t, output_loaded));
      EXPECT_TRUE(torch::equal(a.output, b.output)) << "step " << t;
      state = std::move(a.state);
      restored = std::move(b.state);
      output = a.output;
      output_loaded = b.output;
    }
    EXPECT_TRUE(nm::testing::states_equal(state, restored));

    // A restored state starts a new tape: backward through the second half agrees with the
    // generic path's.
    const auto second_half = [&](FusedMode mode) {
      loaded->options.fused(mode);
      loaded->zero_grad();
      auto s = nm::testing::load_state(bytes);
      torch::Tensor out = middle_output;
      torch::Tensor loss = torch::zeros({});
      for (int t = 4; t < 8; ++t) {
        auto step = loaded->step(xs[t], s, drivers.effects(rule, t, out));
        s = std::move(step.state);
        out = step.output;
        loss = loss + out.pow(2).sum();
      }
      loss.backward();
      return loaded->w.grad().clone();
    };
    const auto fused_grad = second_half(FusedMode::on);
    const auto generic_grad = second_half(FusedMode::off);
    EXPECT_TRUE(close(fused_grad, generic_grad, 2e-5)) << nm::config::enum_name(rule);
    EXPECT_GT(fused_grad.abs().sum().item<double>(), 0.0) << nm::config::enum_name(rule);
  }
}

TEST(FusedPlasticRecurrent, OnThrowsWhereAutoFallsBack) {
  torch::manual_seed(16);
  auto layer =
      make_layer(PlasticityRule::retroactive, nm::AlphaMode::per_connection, torch::kDouble, 1.0);
  auto state = layer->initial_state(2);
  state = layer->step(torch::randn({2, 5}, torch::kDouble), state, {}).state;
  // A float gain on a double layer: the generic ops promote it, the fused step does not take it.
  const UnitEffects effects{{kGain, torch::full({2, 8}, 1.5)},
                            {kPlasticity, torch::randn({2, 8}, torch::kDouble)}};
  const auto x = torch::randn({2, 5}, torch::kDouble);
  layer->options.fused(FusedMode::off);
  const auto generic = layer->step(x, state, effects);
  layer->options.fused(FusedMode::automatic);
  const auto automatic = layer->step(x, state, effects);
  EXPECT_TRUE(torch::equal(automatic.output, generic.output));
  layer->options.fused(FusedMode::on);
  try {
    (void)layer->step(x, state, effects);
    FAIL() << "expected an error";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("fused is on"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("gain"), std::string::npos) << error.what();
  }
}

TEST(FusedPlasticRecurrent, ConfigKeyReachesTheLayer) {
  const std::string layers =
      "layers:\n"
      "  - {name: rnn, kind: plastic_recurrent, size: 6, plasticity: simple, fused: off}\n"
      "  - {name: out, size: 2}\n";
  const auto config = nm::testing::config_from_yaml(layers);
  EXPECT_EQ(config.layers[0].fused, FusedMode::off);
  EXPECT_EQ(nm::testing::config_from_yaml("layers: [{name: rnn, kind: plastic_recurrent, size: 3}]")
                .layers[0]
                .fused,
            FusedMode::automatic);
  auto network = nm::testing::network_from_yaml(layers, nm::NetworkShape{3, 2, 0});
  bool found = false;
  for (const auto& module : network->modules(/*include_self=*/false)) {
    if (const auto rnn = std::dynamic_pointer_cast<nm::PlasticRecurrentImpl>(module)) {
      EXPECT_EQ(rnn->options.fused(), FusedMode::off);
      found = true;
    }
  }
  EXPECT_TRUE(found);
  EXPECT_ANY_THROW(nm::testing::config_from_yaml(
      "layers: [{name: rnn, kind: plastic_recurrent, size: 3, fused: maybe}]"));
}

namespace {

const char* kAgent =
    "layers:\n"
    "  - {name: rnn, kind: plastic_recurrent, size: 16, plasticity: retroactive, fused: FUSED}\n"
    "  - {name: policy, kind: linear, from: rnn, size: 2, activation: identity}\n"
    "  - {name: value, kind: linear, from: rnn, size: 1, activation: identity}\n"
    "modulators: [{name: DA, tau: 1, range: [-1, 1], source: {kind: learned, reads: rnn, out: "
    "tanh}}]\n"
    "projections:\n"
    "  - {modulator: DA, target: rnn.all.synapse, effect: plasticity,\n"
    "     receptor: {kind: linear, fanout: learned}}\n";

nm::ActorCriticExperiment agent(const std::string& fused) {
  std::string yaml = kAgent;
  yaml.replace(yaml.find("FUSED"), 5, fused);
  auto environment = std::make_unique<nm::CueRewardEnvironment>(
      nm::CueRewardOptions().cues(2).cue_bits(4).episode_length(30));
  const nm::NetworkShape shape{environment->observation_size(), environment->action_count(), 0};
  torch::manual_seed(17);
  nm::LearningOptions learning;
  learning.lr = 1e-2;
  learning.clip_grad = 2.0;
  nm::ActorCriticOptions options;
  options.batch = 4;
  return nm::ActorCriticExperiment(
      std::move(environment), nm::testing::network_from_yaml(yaml, shape), learning, options, 5);
}

}  // namespace

TEST(FusedPlasticRecurrent, A2CIterationsMatchTheGenericPath) {
  auto fused = agent("on");
  auto generic = agent("off");
  for (int64_t step = 1; step <= 3; ++step) {
    const auto a = fused.train_step(step);
    const auto b = generic.train_step(step);
    EXPECT_NEAR(a.at("loss"), b.at("loss"), 1e-4 * std::max(1.0, std::abs(b.at("loss"))))
        << "step " << step;
    EXPECT_DOUBLE_EQ(a.at("reward"), b.at("reward")) << "step " << step;
  }
  const auto p = fused.model()->parameters();
  const auto q = generic.model()->parameters();
  ASSERT_EQ(p.size(), q.size());
  for (size_t k = 0; k < p.size(); ++k) EXPECT_TRUE(close(p[k], q[k], 1e-5)) << "parameter " << k;
}
