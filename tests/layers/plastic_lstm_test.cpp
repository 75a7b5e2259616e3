#include "neuromod/layers/plastic_lstm.h"

#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "layers/layer_test_support.h"
#include "neuromod/functional/hebbian.h"
#include "support/gradcheck.h"

namespace nm = neuromod;
namespace nf = neuromod::functional;
using neuromod::Compartment;
using neuromod::LstmPlasticity;
using neuromod::UnitEffects;
using nf::EffectKind;

namespace {

const nm::EffectKey kPlasticity{Compartment::synapse, EffectKind::plasticity};
const nm::EffectKey kGain{Compartment::soma, EffectKind::gain};
const nm::EffectKey kBias{Compartment::soma, EffectKind::bias};

std::set<std::string> keys(const nm::LayerState& state) {
  std::set<std::string> names;
  for (const auto& entry : state) names.insert(entry.first);
  return names;
}

nm::PlasticLSTM double_layer(nm::PlasticLSTMOptions options) {
  nm::PlasticLSTM layer(options);
  layer->to(torch::kDouble);
  return layer;
}

/// Backpropamine's modulator: M = fan_out(tanh(h_t v)), (B, N).
struct Modulator {
  torch::Tensor v, f, g;
  torch::Tensor operator()(const torch::Tensor& h) const {
    return nf::fan_out(torch::tanh(h.matmul(v)), f, g);
  }
};

/// The reference plastic LSTM step by step, in the reference order: the cell with Hebb_t, then
/// M_t from h_t, then Hebb += M_t ⊙ h_{t−1} ⊗ ĉ_t (plus η when non-modulated). Returns (T, B, N).
torch::Tensor reference_episode(const nm::PlasticLSTMImpl& layer, const torch::Tensor& xs,
                                const Modulator& modulator) {
  const int64_t batch = xs.size(1), n = layer.size();
  auto h = torch::zeros({batch, n}, torch::kDouble);
  auto c = torch::zeros({batch, n}, torch::kDouble);
  auto hebb = torch::zeros({batch, n, n}, torch::kDouble);
  const auto gate = [&](int k, const torch::Tensor& x) {
    return torch::sigmoid(
        torch::linear(x, layer.input_weight.narrow(0, k * n, n), layer.bias.narrow(0, k * n, n)) +
        torch::linear(h, layer.recurrent_weight.narrow(0, k * n, n)));
  };
  std::vector<torch::Tensor> outputs;
  for (int64_t t = 0; t < xs.size(0); ++t) {
    const auto i = gate(0, xs[t]), f = gate(1, xs[t]), o = gate(2, xs[t]);
    const auto c_hat = torch::tanh(torch::linear(xs[t], layer.input_weight.narrow(0, 3 * n, n),
                                                 layer.bias.narrow(0, 3 * n, n)) +
                                   h.unsqueeze(1).matmul(layer.w + layer.alpha * hebb).squeeze(1));
    c = f * c + i * c_hat;
    const auto h_new = o * torch::tanh(c);
    auto m = modulator(h_new);
    if (layer.eta.defined()) m = m + layer.eta;
    hebb = torch::clamp(hebb + m.unsqueeze(1) * h.unsqueeze(2) * c_hat.unsqueeze(1),
                        -layer.options.clip(), layer.options.clip());
    h = h_new;
    outputs.push_back(h);
  }
  return torch::stack(outputs);
}

torch::Tensor layer_episode(nm::PlasticLSTMImpl& layer, const torch::Tensor& xs,
                            const Modulator& modulator) {
  auto state = layer.initial_state(xs.size(1));
  torch::Tensor m;
  std::vector<torch::Tensor> outputs;
  for (int64_t t = 0; t < xs.size(0); ++t) {
    UnitEffects effects;
    if (m.defined()) effects[kPlasticity] = m;
    auto step = layer.step(xs[t], state, effects);
    state = std::move(step.state);
    m = modulator(step.output);
    outputs.push_back(step.output);
  }
  return torch::stack(outputs);
}

}  // namespace

TEST(PlasticLSTM, ShapesStateAndBackward) {
  for (const auto plasticity : {LstmPlasticity::none, LstmPlasticity::hebbian}) {
    torch::manual_seed(0);
    nm::PlasticLSTM layer(nm::PlasticLSTMOptions(3, 4).plasticity(plasticity));
    auto state = layer->initial_state(2);
    const std::set<std::string> expected =
        plasticity == LstmPlasticity::none
            ? std::set<std::string>{"h", "c"}
            : std::set<std::string>{"h", "c", "h_prev", "c_hat", "hebb"};
    EXPECT_EQ(keys(state), expected);
    const auto m = torch::full({2, 4}, 0.5, torch::requires_grad());
    torch::Tensor loss = torch::zeros({});
    for (int t = 0; t < 4; ++t) {
      UnitEffects effects{{kGain, torch::ones({2, 4})}};
      if (plasticity == LstmPlasticity::hebbian) effects[kPlasticity] = m;
      auto step = layer->step(torch::randn({2, 3}), state, effects);
      EXPECT_EQ(step.output.sizes(), (std::vector<int64_t>{2, 4}));
      EXPECT_EQ(keys(step.state), expected);
      state = std::move(step.state);
      loss = loss + step.output.pow(2).sum();
    }
    if (plasticity == LstmPlasticity::hebbian) {
      EXPECT_EQ(state.at("hebb").sizes(), (std::vector<int64_t>{2, 4, 4}));
    }
    loss.backward();
    for (const auto& named : layer->named_parameters()) {
      ASSERT_TRUE(named.value().grad().defined()) << named.key();
      EXPECT_GT(named.value().grad().abs().sum().item<double>(), 0.0) << named.key();
    }
    if (plasticity == LstmPlasticity::hebbian) {
      EXPECT_GT(m.grad().abs().sum().item<double>(), 0.0);
    }
  }
}

TEST(PlasticLSTM, Initialisation) {
  torch::manual_seed(1);
  nm::PlasticLSTM layer(nm::PlasticLSTMOptions(3, 100));
  const int64_t n = 100;
  EXPECT_TRUE(torch::equal(layer->bias.narrow(0, n, n), torch::ones({n})));  // forget gate
  EXPECT_LE(layer->input_weight.abs().max().item<double>(), 0.1);            // U(±1/√N)
  EXPECT_LE(layer->w.abs().max().item<double>(), 0.01);
  EXPECT_EQ(layer->alpha.sizes(), (std::vector<int64_t>{n}));  // per neuron
  EXPECT_GE(layer->alpha.min().item<double>(), 0.0);
  EXPECT_LE(layer->alpha.max().item<double>(), 1e-4);
  EXPECT_FALSE(layer->eta.defined());
  nm::PlasticLSTM plain(nm::PlasticLSTMOptions(3, 5).plasticity(LstmPlasticity::none));
  EXPECT_FALSE(plain->alpha.defined());
  EXPECT_EQ(plain->named_parameters().size(), 4u);
  nm::PlasticLSTM fixed_rate(nm::PlasticLSTMOptions(3, 5).non_modulated_rate(0.01));
  EXPECT_FLOAT_EQ(fixed_rate->eta.item<float>(), 0.01f);
}

TEST(PlasticLSTM, PlasticityNoneIsTorchLSTMCell) {
  torch::manual_seed(2);
  const int64_t n = 4, in = 3;
  torch::nn::LSTMCell cell(in, n);
  cell->to(torch::kDouble);
  auto layer = double_layer(nm::PlasticLSTMOptions(in, n).plasticity(LstmPlasticity::none));
  {
    // LSTMCell stacks i, f, g, o; the layer stacks i, f, o, c and keeps U_c = wᵀ apart.
    torch::NoGradGuard no_grad;
    const auto ih = cell->weight_ih.chunk(4, 0), hh = cell->weight_hh.chunk(4, 0);
    const auto b = (cell->bias_ih + cell->bias_hh).chunk(4, 0);
    layer->input_weight.copy_(torch::cat({ih[0], ih[1], ih[3], ih[2]}));
    layer->recurrent_weight.copy_(torch::cat({hh[0], hh[1], hh[3]}));
    layer->bias.copy_(torch::cat({b[0], b[1], b[3], b[2]}));
    layer->w.copy_(hh[2].t());
  }
  auto state = layer->initial_state(2);
  auto h = torch::zeros({2, n}, torch::kDouble), c = torch::zeros({2, n}, torch::kDouble);
  for (int t = 0; t < 5; ++t) {
    const auto x = torch::randn({2, in}, torch::kDouble);
    std::tie(h, c) = cell(x, std::make_tuple(h, c));
    auto step = layer->step(x, state, {});
    state = std::move(step.state);
    EXPECT_TRUE(torch::allclose(step.output, h, 1e-12, 1e-14)) << "step " << t;
    EXPECT_TRUE(torch::allclose(state.at("c"), c, 1e-12, 1e-14)) << "step " << t;
  }
}

TEST(PlasticLSTM, AlphaZeroIsThePlainCell) {
  torch::manual_seed(3);
  auto plastic = double_layer(nm::PlasticLSTMOptions(3, 4).w_init(0.5));
  auto plain = double_layer(nm::PlasticLSTMOptions(3, 4).plasticity(LstmPlasticity::none));
  {
    torch::NoGradGuard no_grad;
    plastic->alpha.zero_();
    for (const auto& named : plain->named_parameters()) {
      named.value().copy_(plastic->named_parameters()[named.key()]);
    }
  }
  auto a = plastic->initial_state(2), b = plain->initial_state(2);
  for (int t = 0; t < 5; ++t) {
    const auto x = torch::randn({2, 3}, torch::kDouble);
    auto sa = plastic->step(x, a, {{kPlasticity, torch::randn({2, 4}, torch::kDouble)}});
    auto sb = plain->step(x, b, {});
    EXPECT_TRUE(torch::equal(sa.output, sb.output)) << "step " << t;
    a = std::move(sa.state);
    b = std::move(sb.state);
  }
}

TEST(PlasticLSTM, MatchesTheReferenceLoopOrder) {
  for (const bool non_modulated : {false, true}) {
    torch::manual_seed(4);
    auto options = nm::PlasticLSTMOptions(3, 4).w_init(0.5).alpha_init(1.0);
    if (non_modulated) options.non_modulated_rate(0.2);
    auto layer = double_layer(options);
    const Modulator modulator{torch::randn({4}, torch::kDouble), torch::randn({4}, torch::kDouble),
                              0.1 * torch::randn({4}, torch::kDouble)};
    const auto xs = torch::randn({8, 2, 3}, torch::kDouble);
    const auto expected = reference_episode(*layer, xs, modulator);
    EXPECT_TRUE(torch::allclose(layer_episode(*layer, xs, modulator), expected, 1e-12, 1e-14));
    torch::NoGradGuard no_grad;
    layer->alpha.zero_();
    EXPECT_FALSE(torch::allclose(layer_episode(*layer, xs, modulator), expected, 1e-6, 1e-8));
  }
}

TEST(PlasticLSTM, HebbianTraceByHandAndClip) {
  torch::manual_seed(5);
  auto layer = double_layer(nm::PlasticLSTMOptions(2, 3).clip(2.0));
  auto state = layer->initial_state(1);
  state = layer->step(torch::randn({1, 2}, torch::kDouble), state, {}).state;
  state = layer->step(torch::randn({1, 2}, torch::kDouble), state, {}).state;
  // Absent modulator and no non-modulated rate: Hebb never moves.
  EXPECT_TRUE(torch::equal(state.at("hebb"), torch::zeros({1, 3, 3}, torch::kDouble)));
  const auto pre = state.at("h_prev")[0], post = state.at("c_hat")[0];  // h_1, ĉ_2
  const auto m = torch::tensor({0.5, -1.0, 2.0}, torch::kDouble).unsqueeze(0);
  auto step = layer->step(torch::randn({1, 2}, torch::kDouble), state, {{kPlasticity, m}});
  // Hebb_ij = M_j h_1,i ĉ_2,j.
  EXPECT_TRUE(torch::allclose(step.state.at("hebb")[0], pre.unsqueeze(1) * (m[0] * post)));
  // A large modulator saturates every non-zero entry at ±2.
  step = layer->step(torch::randn({1, 2}, torch::kDouble), state, {{kPlasticity, 1e6 * m}});
  const auto expected = 2.0 * torch::sign(pre.unsqueeze(1) * (m[0] * post));
  EXPECT_TRUE(torch::equal(step.state.at("hebb")[0], expected));

  // A non-modulated rate η moves the trace by itself, and adds to the effect.
  auto fixed = double_layer(nm::PlasticLSTMOptions(2, 3).non_modulated_rate(0.25));
  state = fixed->initial_state(1);
  state = fixed->step(torch::randn({1, 2}, torch::kDouble), state, {}).state;
  state = fixed->step(torch::randn({1, 2}, torch::kDouble), state, {}).state;
  const auto outer = state.at("h_prev")[0].unsqueeze(1) * state.at("c_hat")[0].unsqueeze(0);
  step = fixed->step(torch::randn({1, 2}, torch::kDouble), state, {});
  EXPECT_TRUE(torch::allclose(step.state.at("hebb")[0], 0.25 * outer));
  step = fixed->step(torch::randn({1, 2}, torch::kDouble), state, {{kPlasticity, m}});
  EXPECT_TRUE(torch::allclose(step.state.at("hebb")[0], outer * (0.25 + m[0])));
}

TEST(PlasticLSTM, GradcheckThroughUnrolledSteps) {
  torch::manual_seed(6);
  auto layer = double_layer(
      nm::PlasticLSTMOptions(2, 3).w_init(0.5).alpha_init(1.0).non_modulated_rate(0.2).clip(
          20.0));  // away from the clamp's kinks
  const int64_t steps = 5, batch = 2, n = 3;
  const auto opts = torch::TensorOptions().dtype(torch::kDouble).requires_grad(true);
  // x (T, B, N_in), h_0, c_0 (B, N), soma gain and bias (B, N), M (T, B, N).
  const std::vector<torch::Tensor> inputs{
      torch::randn({steps, batch, 2}, opts), 0.5 * torch::randn({batch, n}, opts),
      0.5 * torch::randn({batch, n}, opts),  torch::rand({batch, n}, opts) + 0.5,
      0.3 * torch::randn({batch, n}, opts),  torch::randn({steps, batch, n}, opts)};
  const auto run = [&](const std::vector<torch::Tensor>& in) {
    auto state = layer->initial_state(batch);
    state["h"] = in[1];
    state["c"] = in[2];
    std::vector<torch::Tensor> outputs;
    for (int64_t t = 0; t < steps; ++t) {
      auto step =
          layer->step(in[0][t], state, {{kGain, in[3]}, {kBias, in[4]}, {kPlasticity, in[5][t]}});
      state = std::move(step.state);
      outputs.push_back(step.output);
    }
    return torch::stack(outputs);
  };
  EXPECT_TRUE(neuromod::testing::gradcheck(run, inputs));
  std::vector<torch::Tensor> fixed;
  for (const auto& input : inputs) fixed.push_back(input.detach());
  EXPECT_TRUE(neuromod::testing::check_parameter_gradients(*layer, [&] { return run(fixed); }));
}

TEST(PlasticLSTM, SaveLoadMidEpisode) {
  torch::manual_seed(7);
  nm::PlasticLSTM saved(nm::PlasticLSTMOptions(3, 4).alpha_init(0.5).non_modulated_rate(0.1));
  torch::manual_seed(8);
  nm::PlasticLSTM loaded(nm::PlasticLSTMOptions(3, 4).alpha_init(0.5).non_modulated_rate(0.1));
  const auto xs = torch::randn({6, 2, 3});
  const auto ms = torch::randn({6, 2, 4});
  auto state = saved->initial_state(2);
  for (int t = 0; t < 3; ++t) state = saved->step(xs[t], state, {{kPlasticity, ms[t]}}).state;
  neuromod::testing::round_trip_module(saved, loaded);
  auto restored = neuromod::testing::load_state(neuromod::testing::save_state(state));
  for (int t = 3; t < 6; ++t) {
    auto a = saved->step(xs[t], state, {{kPlasticity, ms[t]}});
    auto b = loaded->step(xs[t], restored, {{kPlasticity, ms[t]}});
    EXPECT_TRUE(torch::equal(a.output, b.output)) << "step " << t;
    state = std::move(a.state);
    restored = std::move(b.state);
  }
  EXPECT_TRUE(neuromod::testing::states_equal(state, restored));

  std::ostringstream printed;
  printed << *saved;
  EXPECT_EQ(printed.str(),
            "neuromod::PlasticLSTM(input_size=3, hidden_size=4, plasticity=hebbian, "
            "alpha=per_neuron, clip=2, non_modulated_rate=0.1)");
}

TEST(PlasticLSTM, RejectsBadOptionsAndEffects) {
  EXPECT_THROW(nm::PlasticLSTM(nm::PlasticLSTMOptions(3, 4).clip(-1.0)), c10::Error);
  EXPECT_THROW(
      nm::PlasticLSTM(
          nm::PlasticLSTMOptions(3, 4).plasticity(LstmPlasticity::none).non_modulated_rate(0.1)),
      c10::Error);
  nm::PlasticLSTM plain(nm::PlasticLSTMOptions(3, 4).plasticity(LstmPlasticity::none));
  EXPECT_THROW((void)plain->step(torch::randn({2, 3}), plain->initial_state(2),
                                 {{kPlasticity, torch::ones({2, 4})}}),
               c10::Error);
  EXPECT_THROW((void)plain->step(torch::randn({2, 3}), {}, {}), c10::Error);
}
