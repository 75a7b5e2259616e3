#include "neuromod/layers/plastic_recurrent.h"

#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "layers/layer_test_support.h"
#include "neuromod/functional/hebbian.h"
#include "support/gradcheck.h"

namespace nm = neuromod;
namespace nf = neuromod::functional;
using neuromod::Compartment;
using neuromod::PlasticityRule;
using neuromod::UnitEffects;
using nf::EffectKind;

namespace {

const nm::EffectKey kPlasticity{Compartment::synapse, EffectKind::plasticity};
const nm::EffectKey kTraceDecay{Compartment::synapse, EffectKind::trace_decay};
const nm::EffectKey kGain{Compartment::soma, EffectKind::gain};

const PlasticityRule kRules[] = {PlasticityRule::none, PlasticityRule::decaying,
                                 PlasticityRule::clipped, PlasticityRule::simple,
                                 PlasticityRule::retroactive};

bool reads_modulator(PlasticityRule rule) {
  return rule != PlasticityRule::none;
}
bool reads_trace_decay(PlasticityRule rule) {
  return rule == PlasticityRule::decaying || rule == PlasticityRule::retroactive;
}

torch::Tensor rows(std::vector<std::vector<double>> values) {
  std::vector<torch::Tensor> stacked;
  for (const auto& row : values) stacked.push_back(torch::tensor(row, torch::kDouble));
  return torch::stack(stacked);
}

std::set<std::string> keys(const nm::LayerState& state) {
  std::set<std::string> names;
  for (const auto& entry : state) names.insert(entry.first);
  return names;
}

/// A learned modulator as Backpropamine computes it from h_t: M = fan_out(tanh(h v)), (B, N).
struct Modulator {
  torch::Tensor v, f, g;
  torch::Tensor operator()(const torch::Tensor& h) const {
    return nf::fan_out(torch::tanh(h.matmul(v)), f, g);
  }
};

Modulator random_modulator(int64_t n) {
  return {torch::randn({n}, torch::kDouble), torch::randn({n}, torch::kDouble),
          0.1 * torch::randn({n}, torch::kDouble)};
}

/// The reference loop in the order of the reference code: h_t with P_t, then M_t from h_t, then
/// the trace update with M_t. Returns h_1 … h_T stacked, (T, B, N).
torch::Tensor reference_episode(const nm::PlasticRecurrentImpl& layer, const torch::Tensor& xs,
                                const Modulator& modulator) {
  const int64_t batch = xs.size(1), n = layer.size();
  auto h = torch::zeros({batch, n}, torch::kDouble);
  auto plastic = torch::zeros({batch, n, n}, torch::kDouble);
  auto eligibility = torch::zeros_like(plastic);
  const double clip = layer.options.clip();
  std::vector<torch::Tensor> outputs;
  for (int64_t t = 0; t < xs.size(0); ++t) {
    const auto drive = torch::linear(xs[t], layer.input_weight, layer.input_bias);
    const auto recurrent = layer.options.plasticity() == PlasticityRule::none
                               ? h.matmul(layer.w)
                               : nf::plastic_input(h, layer.w, layer.alpha, plastic);
    const auto h_new = torch::tanh(drive + recurrent);
    const auto m = modulator(h_new);
    switch (layer.options.plasticity()) {
      case PlasticityRule::none:
        break;
      case PlasticityRule::decaying:
        plastic = nf::decaying_hebb_update(plastic, h, h_new, layer.eta);
        break;
      case PlasticityRule::clipped:
        plastic = nf::clipped_hebb_update(plastic, h, h_new, layer.rate, clip);
        break;
      case PlasticityRule::simple:
        plastic = nf::modulated_hebb_update(plastic, h, h_new, m, clip);
        break;
      case PlasticityRule::retroactive: {
        const auto traces =
            nf::retroactive_update({plastic, eligibility}, h, h_new, m, layer.eta, clip);
        plastic = traces.plastic;
        eligibility = traces.eligibility;
        break;
      }
    }
    h = h_new;
    outputs.push_back(h);
  }
  return torch::stack(outputs);
}

/// The same episode through `step`: the modulator computed from the layer's output h_t reaches
/// the layer with the next step's effects, as the modulatory system delivers it.
torch::Tensor layer_episode(nm::PlasticRecurrentImpl& layer, const torch::Tensor& xs,
                            const Modulator& modulator) {
  auto state = layer.initial_state(xs.size(1));
  torch::Tensor m;
  std::vector<torch::Tensor> outputs;
  for (int64_t t = 0; t < xs.size(0); ++t) {
    UnitEffects effects;
    const auto rule = layer.options.plasticity();
    if (m.defined() && (rule == PlasticityRule::simple || rule == PlasticityRule::retroactive)) {
      effects[kPlasticity] = m;
    }
    auto step = layer.step(xs[t], state, effects);
    state = std::move(step.state);
    m = modulator(step.output);
    outputs.push_back(step.output);
  }
  return torch::stack(outputs);
}

nm::PlasticRecurrent double_layer(nm::PlasticRecurrentOptions options) {
  nm::PlasticRecurrent layer(options);
  layer->to(torch::kDouble);
  return layer;
}

/// A 2-unit layer whose drive is the input itself, f = identity, w = 0, scalar α = 1: the
/// hand-worked examples below follow it on paper.
nm::PlasticRecurrent hand_layer(PlasticityRule rule) {
  auto layer = double_layer(nm::PlasticRecurrentOptions(2, 2)
                                .plasticity(rule)
                                .activation(nf::Activation::identity)
                                .alpha(nm::AlphaMode::scalar)
                                .input_weights(false)
                                .eta_init(0.5)
                                .rate_init(0.5)
                                .clip(1.0));
  torch::NoGradGuard no_grad;
  layer->w.zero_();
  layer->alpha.fill_(1.0);
  return layer;
}

class PlasticRecurrentRule : public ::testing::TestWithParam<PlasticityRule> {};

std::string rule_name(const ::testing::TestParamInfo<PlasticityRule>& info) {
  return nm::config::enum_name(info.param);
}

}  // namespace

TEST_P(PlasticRecurrentRule, ShapesStateAndBackward) {
  const auto rule = GetParam();
  torch::manual_seed(0);
  nm::PlasticRecurrent layer(nm::PlasticRecurrentOptions(3, 4).plasticity(rule));
  auto state = layer->initial_state(2);
  std::set<std::string> expected{"h"};
  if (rule != PlasticityRule::none) expected.insert({"h_prev", "hebb"});
  if (rule == PlasticityRule::retroactive) expected.insert("eligibility");
  EXPECT_EQ(keys(state), expected);

  const auto m = torch::full({2, 4}, 0.5, torch::requires_grad());
  torch::Tensor loss = torch::zeros({});
  for (int t = 0; t < 4; ++t) {
    UnitEffects effects{{kGain, torch::ones({2, 4})}};
    if (reads_modulator(rule)) effects[kPlasticity] = m;
    auto step = layer->step(torch::randn({2, 3}), state, effects);
    EXPECT_EQ(step.output.sizes(), (std::vector<int64_t>{2, 4}));
    EXPECT_EQ(keys(step.state), expected);
    state = std::move(step.state);
    loss = loss + step.output.pow(2).sum();
  }
  if (rule != PlasticityRule::none) {
    EXPECT_EQ(state.at("hebb").sizes(), (std::vector<int64_t>{2, 4, 4}));
    EXPECT_EQ(state.at("h_prev").sizes(), (std::vector<int64_t>{2, 4}));
  }
  loss.backward();
  for (const auto& named : layer->named_parameters()) {
    ASSERT_TRUE(named.value().grad().defined()) << named.key();
    EXPECT_GT(named.value().grad().abs().sum().item<double>(), 0.0) << named.key();
  }
  if (reads_modulator(rule)) {
    ASSERT_TRUE(m.grad().defined());
    EXPECT_GT(m.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST_P(PlasticRecurrentRule, ParametersAndInitialisation) {
  const auto rule = GetParam();
  torch::manual_seed(4);
  nm::PlasticRecurrent layer(nm::PlasticRecurrentOptions(3, 50).plasticity(rule));
  std::set<std::string> names;
  for (const auto& named : layer->named_parameters()) names.insert(named.key());
  std::set<std::string> expected{"input_weight", "input_bias", "w"};
  if (rule != PlasticityRule::none) expected.insert("alpha");
  if (rule == PlasticityRule::decaying || rule == PlasticityRule::retroactive) {
    expected.insert("eta");
  }
  if (rule == PlasticityRule::clipped) expected.insert("rate");
  EXPECT_EQ(names, expected);
  // Backpropamine sr/: w, α ~ 0.01·U(0, 1); η = 0.1.
  EXPECT_GE(layer->w.min().item<double>(), 0.0);
  EXPECT_LE(layer->w.max().item<double>(), 0.01);
  EXPECT_NEAR(layer->w.mean().item<double>(), 0.005, 0.0005);
  if (rule != PlasticityRule::none) {
    EXPECT_EQ(layer->alpha.sizes(), (std::vector<int64_t>{50, 50}));
    EXPECT_LE(layer->alpha.max().item<double>(), 0.01);
  }
  if (layer->eta.defined()) {
    EXPECT_DOUBLE_EQ(layer->eta.item<double>(), 0.1f);
  }
  if (layer->rate.defined()) {
    EXPECT_DOUBLE_EQ(layer->rate.item<double>(), 0.1f);
  }

  // Fixed η: a buffer, not a parameter.
  nm::PlasticRecurrent fixed(nm::PlasticRecurrentOptions(3, 5).plasticity(rule).learn_eta(false));
  for (const auto& named : fixed->named_parameters()) {
    EXPECT_NE(named.key(), "eta");
    EXPECT_NE(named.key(), "rate");
  }
  if (rule == PlasticityRule::decaying || rule == PlasticityRule::retroactive) {
    EXPECT_TRUE(fixed->named_buffers().contains("eta"));
  }
}

TEST_P(PlasticRecurrentRule, MatchesTheReferenceLoopOrder) {
  const auto rule = GetParam();
  torch::manual_seed(5);
  auto layer = double_layer(nm::PlasticRecurrentOptions(3, 4)
                                .plasticity(rule)
                                .init(nm::WeightInit::normal)
                                .w_init(0.5)
                                .alpha_init(0.5)
                                .eta_init(0.3)
                                .rate_init(0.4));
  const auto modulator = random_modulator(4);
  const auto xs = torch::randn({8, 2, 3}, torch::kDouble);
  const auto expected = reference_episode(*layer, xs, modulator);
  const auto actual = layer_episode(*layer, xs, modulator);
  EXPECT_TRUE(torch::allclose(actual, expected, 1e-12, 1e-14))
      << (actual - expected).abs().max().item<double>();
  if (rule != PlasticityRule::none) {
    // The plastic path matters in this episode: without it the outputs differ.
    torch::NoGradGuard no_grad;
    layer->alpha.zero_();
    EXPECT_FALSE(torch::allclose(layer_episode(*layer, xs, modulator), expected, 1e-6, 1e-8));
  }
}

TEST_P(PlasticRecurrentRule, AlphaZeroIsAPlainTanhRnn) {
  const auto rule = GetParam();
  torch::manual_seed(6);
  auto layer = double_layer(
      nm::PlasticRecurrentOptions(3, 4).plasticity(rule).w_init(0.5).init(nm::WeightInit::normal));
  if (layer->alpha.defined()) {
    torch::NoGradGuard no_grad;
    layer->alpha.zero_();
  }
  auto state = layer->initial_state(2);
  auto h = torch::zeros({2, 4}, torch::kDouble);
  for (int t = 0; t < 5; ++t) {
    const auto x = torch::randn({2, 3}, torch::kDouble);
    UnitEffects effects;
    if (reads_modulator(rule)) effects[kPlasticity] = torch::randn({2, 4}, torch::kDouble);
    auto step = layer->step(x, state, effects);
    state = std::move(step.state);
    h = torch::tanh(torch::linear(x, layer->input_weight, layer->input_bias) + h.matmul(layer->w));
    EXPECT_TRUE(torch::equal(step.output, h)) << "step " << t;
  }
}

TEST_P(PlasticRecurrentRule, GradcheckThroughUnrolledSteps) {
  const auto rule = GetParam();
  torch::manual_seed(7);
  auto layer = double_layer(nm::PlasticRecurrentOptions(2, 3)
                                .plasticity(rule)
                                .init(nm::WeightInit::normal)
                                .w_init(0.5)
                                .alpha_init(0.8)
                                .eta_init(0.3)
                                .rate_init(0.3)
                                .clip(10.0));  // away from the clamp's kinks
  const int64_t steps = 5, batch = 2, n = 3;
  const auto opts = torch::TensorOptions().dtype(torch::kDouble).requires_grad(true);
  // inputs: x (T, B, N_in), h_0 (B, N), soma gain (B, N), M (T, B, N), trace decay (T, B, N).
  std::vector<torch::Tensor> inputs{torch::randn({steps, batch, 2}, opts),
                                    0.5 * torch::randn({batch, n}, opts),
                                    torch::rand({batch, n}, opts) + 0.5};
  if (reads_modulator(rule)) inputs.push_back(0.5 * torch::randn({steps, batch, n}, opts));
  if (reads_trace_decay(rule)) inputs.push_back(0.1 + 0.3 * torch::rand({steps, batch, n}, opts));

  const auto run = [&](const std::vector<torch::Tensor>& in) {
    auto state = layer->initial_state(batch);
    state["h"] = in[1];
    std::vector<torch::Tensor> outputs;
    for (int64_t t = 0; t < steps; ++t) {
      UnitEffects effects{{kGain, in[2]}};
      size_t next = 3;
      if (reads_modulator(rule)) effects[kPlasticity] = in[next++][t];
      if (reads_trace_decay(rule) && next < in.size()) effects[kTraceDecay] = in[next][t];
      auto step = layer->step(in[0][t], state, effects);
      state = std::move(step.state);
      outputs.push_back(step.output);
    }
    return torch::stack(outputs);
  };
  EXPECT_TRUE(neuromod::testing::gradcheck(run, inputs));

  // Parameters (w, α, η or rate, W_in, b), without the trace_decay effect that would replace η.
  std::vector<torch::Tensor> fixed;
  for (size_t k = 0; k < inputs.size() && k < 4; ++k) fixed.push_back(inputs[k].detach());
  EXPECT_TRUE(neuromod::testing::check_parameter_gradients(*layer, [&] { return run(fixed); }));
}

TEST_P(PlasticRecurrentRule, SaveLoadMidEpisode) {
  const auto rule = GetParam();
  torch::manual_seed(8);
  nm::PlasticRecurrent saved(nm::PlasticRecurrentOptions(3, 4).plasticity(rule).alpha_init(0.5));
  torch::manual_seed(9);
  nm::PlasticRecurrent loaded(nm::PlasticRecurrentOptions(3, 4).plasticity(rule).alpha_init(0.5));
  const auto xs = torch::randn({6, 2, 3});
  const auto ms = torch::randn({6, 2, 4});
  const auto effects_at = [&](int t) {
    UnitEffects effects;
    if (reads_modulator(rule)) effects[kPlasticity] = ms[t];
    return effects;
  };
  auto state = saved->initial_state(2);
  for (int t = 0; t < 3; ++t) state = saved->step(xs[t], state, effects_at(t)).state;

  neuromod::testing::round_trip_module(saved, loaded);
  auto restored = neuromod::testing::load_state(neuromod::testing::save_state(state));
  ASSERT_TRUE(neuromod::testing::states_equal(state, restored));
  for (int t = 3; t < 6; ++t) {
    auto a = saved->step(xs[t], state, effects_at(t));
    auto b = loaded->step(xs[t], restored, effects_at(t));
    EXPECT_TRUE(torch::equal(a.output, b.output)) << "step " << t;
    state = std::move(a.state);
    restored = std::move(b.state);
  }
  EXPECT_TRUE(neuromod::testing::states_equal(state, restored));
}

INSTANTIATE_TEST_SUITE_P(PlasticRecurrent, PlasticRecurrentRule, ::testing::ValuesIn(kRules),
                         rule_name);

TEST(PlasticRecurrent, RetroactiveHandWorkedUpdateOrder) {
  auto layer = hand_layer(PlasticityRule::retroactive);
  const std::vector<torch::Tensor> xs{rows({{1, 2}}), rows({{1, -1}}), rows({{2, 0}}),
                                      rows({{0, 0}})};
  // M reaches the layer one step after the activity it was computed from; step 1 has none.
  const std::vector<UnitEffects> effects{{},
                                         {{kPlasticity, rows({{0.5, 0.5}})}},
                                         {{kPlasticity, rows({{1, 2}})}},
                                         {{kPlasticity, rows({{1, 2}})}}};
  auto state = layer->initial_state(1);
  std::vector<nm::LayerStep> steps;
  for (size_t t = 0; t < xs.size(); ++t) {
    steps.push_back(layer->step(xs[t], state, effects[t]));
    state = steps.back().state;
  }
  // h_1 = x_1, h_2 = x_2, h_3 = x_3: P stays 0 for three steps although M ≠ 0 from step 2 on.
  EXPECT_TRUE(torch::equal(steps[0].output, rows({{1, 2}})));
  EXPECT_TRUE(torch::equal(steps[1].output, rows({{1, -1}})));
  EXPECT_TRUE(torch::equal(steps[2].output, rows({{2, 0}})));
  // Step 3 applies the transition h_1 → h_2 with M = [1, 2]: P reads the OLD E (still 0 — it has
  // only seen h_0 ⊗ h_1 = 0), then E = (1 − ½)·0 + ½·h_1 ⊗ h_2 = ½ [[1, −1], [2, −2]].
  EXPECT_TRUE(torch::equal(steps[2].state.at("hebb")[0], torch::zeros({2, 2}, torch::kDouble)));
  EXPECT_TRUE(torch::allclose(steps[2].state.at("eligibility")[0], rows({{0.5, -0.5}, {1, -1}})));
  // Step 4 applies h_2 → h_3 with M = [1, 2] per postsynaptic unit:
  //   P = clip(M_j E_ij) = clip([[0.5, −1], [1, −2]]) = [[0.5, −1], [1, −1]]   (clip active)
  //   E = ½ E + ½ h_2 ⊗ h_3 = [[0.25, −0.25], [0.5, −0.5]] + [[1, 0], [−1, 0]]
  //   h_4 = x_4 + h_3 (w + α P) = [2, 0] P = [1, −2]
  EXPECT_TRUE(torch::allclose(steps[3].state.at("hebb")[0], rows({{0.5, -1}, {1, -1}})));
  EXPECT_TRUE(
      torch::allclose(steps[3].state.at("eligibility")[0], rows({{1.25, -0.25}, {-0.5, -0.5}})));
  EXPECT_TRUE(torch::allclose(steps[3].output, rows({{1, -2}})));
  EXPECT_TRUE(torch::equal(steps[3].state.at("h_prev"), rows({{2, 0}})));

  // Without a modulator at step 4, P does not move but E still integrates the co-activation.
  const auto unmodulated = layer->step(xs[3], steps[2].state, {});
  EXPECT_TRUE(torch::equal(unmodulated.state.at("hebb"), steps[2].state.at("hebb")));
  EXPECT_TRUE(
      torch::allclose(unmodulated.state.at("eligibility")[0], rows({{1.25, -0.25}, {-0.5, -0.5}})));
  EXPECT_TRUE(torch::equal(unmodulated.output, rows({{0, 0}})));

  // {synapse, trace_decay} replaces η of the eligibility trace: η = 1 forgets the old E.
  const auto fast = layer->step(xs[3], steps[2].state,
                                {{kPlasticity, rows({{1, 2}})}, {kTraceDecay, rows({{1, 1}})}});
  EXPECT_TRUE(torch::allclose(fast.state.at("eligibility")[0], rows({{2, 0}, {-2, 0}})));
}

TEST(PlasticRecurrent, SimpleHandWorkedWithClip) {
  auto layer = hand_layer(PlasticityRule::simple);
  auto state = layer->initial_state(1);
  state = layer->step(rows({{1, 2}}), state, {}).state;
  state = layer->step(rows({{1, 0.5}}), state, {{kPlasticity, rows({{0.5, 0.5}})}}).state;
  // P_2 = clip(M ⊙ h_0 ⊗ h_1) = 0 since h_0 = 0.
  EXPECT_TRUE(torch::equal(state.at("hebb"), torch::zeros({1, 2, 2}, torch::kDouble)));
  // Transition h_1 = [1, 2] → h_2 = [1, 0.5] with M = [1, 2]:
  //   M_j h_1,i h_2,j = [[1, 1], [2, 2]] → clip ±1 → [[1, 1], [1, 1]]; h_3 = h_2 P = [1.5, 1.5].
  const auto step = layer->step(rows({{0, 0}}), state, {{kPlasticity, rows({{1, 2}})}});
  EXPECT_TRUE(torch::allclose(step.state.at("hebb")[0], rows({{1, 1}, {1, 1}})));
  EXPECT_TRUE(torch::allclose(step.output, rows({{1.5, 1.5}})));

  // No modulator: the non-modulated twin of modplast has no plasticity.
  auto quiet = layer->initial_state(1);
  for (const auto& x : {rows({{1, 2}}), rows({{1, 0.5}}), rows({{0.3, 0.2}})}) {
    quiet = layer->step(x, quiet, {}).state;
  }
  EXPECT_TRUE(torch::equal(quiet.at("hebb"), torch::zeros({1, 2, 2}, torch::kDouble)));
}

TEST(PlasticRecurrent, ClippedAndDecayingAddTheModulatorToTheirRate) {
  // clipped: P = clip((η + M) h_1 ⊗ h_2) with η = 0.5.
  auto clipped = hand_layer(PlasticityRule::clipped);
  auto state = clipped->initial_state(1);
  state = clipped->step(rows({{1, 0.5}}), state, {}).state;
  state = clipped->step(rows({{0.5, 1}}), state, {}).state;
  auto step = clipped->step(rows({{0, 0}}), state, {{kPlasticity, rows({{0.5, -1}})}});
  // (η + M) = [1, −0.5]; h_1 ⊗ h_2 = [[0.5, 1], [0.25, 0.5]] → [[0.5, −0.5], [0.25, −0.25]].
  EXPECT_TRUE(torch::allclose(step.state.at("hebb")[0], rows({{0.5, -0.5}, {0.25, -0.25}})));
  // Without the effect the learned rate alone: ½ h_1 ⊗ h_2.
  step = clipped->step(rows({{0, 0}}), state, {});
  EXPECT_TRUE(torch::allclose(step.state.at("hebb")[0], rows({{0.25, 0.5}, {0.125, 0.25}})));

  // decaying: η replaced by trace_decay = 0.25, then the plasticity effect 0.25 added: η' = 0.5.
  auto decaying = hand_layer(PlasticityRule::decaying);
  state = decaying->initial_state(1);
  state = decaying->step(rows({{1, 0.5}}), state, {}).state;
  state = decaying->step(rows({{0.5, 1}}), state, {}).state;
  step = decaying->step(rows({{0, 0}}), state,
                        {{kTraceDecay, rows({{0.25, 0.25}})}, {kPlasticity, rows({{0.25, 0.25}})}});
  EXPECT_TRUE(torch::allclose(step.state.at("hebb")[0], rows({{0.25, 0.5}, {0.125, 0.25}})));
}

TEST(PlasticRecurrent, AlphaModesAgreeWhenExpanded) {
  torch::manual_seed(10);
  for (const auto mode : {nm::AlphaMode::per_neuron, nm::AlphaMode::scalar}) {
    auto compact = double_layer(nm::PlasticRecurrentOptions(3, 4)
                                    .plasticity(PlasticityRule::simple)
                                    .alpha(mode)
                                    .alpha_init(0.7));
    auto full = double_layer(nm::PlasticRecurrentOptions(3, 4)
                                 .plasticity(PlasticityRule::simple)
                                 .alpha(nm::AlphaMode::per_connection));
    {
      torch::NoGradGuard no_grad;
      full->input_weight.copy_(compact->input_weight);
      full->input_bias.copy_(compact->input_bias);
      full->w.copy_(compact->w);
      full->alpha.copy_(compact->alpha.expand({4, 4}));
    }
    EXPECT_EQ(compact->alpha.dim(), mode == nm::AlphaMode::scalar ? 0 : 1);
    const auto modulator = random_modulator(4);
    const auto xs = torch::randn({6, 2, 3}, torch::kDouble);
    EXPECT_TRUE(torch::allclose(layer_episode(*compact, xs, modulator),
                                layer_episode(*full, xs, modulator), 1e-12, 1e-14));
  }
}

TEST(PlasticRecurrent, RejectsBadOptionsAndEffects) {
  EXPECT_THROW(nm::PlasticRecurrent(nm::PlasticRecurrentOptions(3, 4).clip(0.0)), c10::Error);
  EXPECT_THROW(nm::PlasticRecurrent(nm::PlasticRecurrentOptions(3, 4).input_weights(false)),
               c10::Error);
  EXPECT_THROW(nm::PlasticRecurrent(nm::PlasticRecurrentOptions(0, 4)), c10::Error);
  nm::PlasticRecurrent simple(nm::PlasticRecurrentOptions(3, 4).plasticity(PlasticityRule::simple));
  auto state = simple->initial_state(2);
  try {
    (void)simple->step(torch::randn({2, 3}), state, {{kTraceDecay, torch::ones({2, 4})}});
    FAIL() << "expected an error";
  } catch (const c10::Error& error) {
    EXPECT_NE(std::string(error.what()).find("synapse.trace_decay"), std::string::npos);
  }
  EXPECT_THROW((void)simple->step(torch::randn({2, 3}), {}, {}), c10::Error);
  nm::PlasticRecurrent none(nm::PlasticRecurrentOptions(3, 4).plasticity(PlasticityRule::none));
  EXPECT_THROW((void)none->step(torch::randn({2, 3}), none->initial_state(2),
                                {{kPlasticity, torch::ones({2, 4})}}),
               c10::Error);
}

TEST(PlasticRecurrent, PrettyPrintAndClone) {
  nm::PlasticRecurrent layer(
      nm::PlasticRecurrentOptions(27, 200).plasticity(PlasticityRule::retroactive));
  std::ostringstream printed;
  printed << *layer;
  EXPECT_EQ(printed.str(),
            "neuromod::PlasticRecurrent(input_size=27, hidden_size=200, activation=tanh, "
            "plasticity=retroactive, alpha=per_connection, clip=1)");
  const auto copy = std::dynamic_pointer_cast<nm::PlasticRecurrentImpl>(layer->clone());
  ASSERT_TRUE(copy);
  EXPECT_TRUE(torch::equal(copy->alpha, layer->alpha));
  EXPECT_NE(copy->alpha.data_ptr(), layer->alpha.data_ptr());
  EXPECT_EQ(copy->eta.data_ptr(), copy->named_parameters()["eta"].data_ptr());
}
