#include "neuromod/functional/hebbian.h"

#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/gradcheck.h"

namespace nf = neuromod::functional;
using neuromod::testing::gradcheck;

namespace {

torch::Tensor doubles(std::initializer_list<double> values) {
  return torch::tensor(std::vector<double>(values), torch::kDouble);
}

torch::Tensor matrix(std::initializer_list<std::initializer_list<double>> rows) {
  std::vector<torch::Tensor> stacked;
  for (const auto& row : rows) stacked.push_back(doubles(row));
  return torch::stack(stacked);
}

enum class Rule { decaying, modulated, modulated_fan_out, clipped, retroactive };

std::string name(Rule rule) {
  switch (rule) {
    case Rule::decaying:
      return "decaying";
    case Rule::modulated:
      return "modulated";
    case Rule::modulated_fan_out:
      return "modulated_fan_out";
    case Rule::clipped:
      return "clipped";
    case Rule::retroactive:
      return "retroactive";
  }
  return "?";
}

const Rule kRules[] = {Rule::decaying, Rule::modulated, Rule::modulated_fan_out, Rule::clipped,
                       Rule::retroactive};

/// A small Backpropamine-style plastic RNN unrolled over the rows of `x` (T, B, N):
/// h(t) = tanh(x(t) + plastic_input(h(t-1), w, alpha, P)), M(t) = tanh(h(t) v), then the rule's
/// trace update with this step's M (DESIGN.md order). Returns the stacked h, (T, B, N).
struct Episode {
  torch::Tensor x, h0, w, alpha, eta, v, f, g;
};

torch::Tensor run_episode(Rule rule, const Episode& e, double clip, torch::Tensor* final_plastic) {
  auto h = e.h0;
  const auto batch = h.size(0), units = h.size(1);
  auto plastic = torch::zeros({batch, units, units}, h.options());
  auto eligibility = torch::zeros_like(plastic);
  std::vector<torch::Tensor> states;
  for (int64_t t = 0; t < e.x.size(0); ++t) {
    const auto h_new = torch::tanh(e.x[t] + nf::plastic_input(h, e.w, e.alpha, plastic));
    const auto m = torch::tanh(h_new.matmul(e.v));  // (B)
    switch (rule) {
      case Rule::decaying:
        plastic = nf::decaying_hebb_update(plastic, h, h_new, e.eta);
        break;
      case Rule::modulated:
        plastic = nf::modulated_hebb_update(plastic, h, h_new, m, clip);
        break;
      case Rule::modulated_fan_out:
        plastic = nf::modulated_hebb_update(plastic, h, h_new, nf::fan_out(m, e.f, e.g), clip);
        break;
      case Rule::clipped:
        plastic = nf::clipped_hebb_update(plastic, h, h_new, e.eta, clip);
        break;
      case Rule::retroactive: {
        auto traces = nf::retroactive_update({plastic, eligibility}, h, h_new, m, e.eta, clip);
        plastic = traces.plastic;
        eligibility = traces.eligibility;
        break;
      }
    }
    h = h_new;
    states.push_back(h);
  }
  if (final_plastic != nullptr) *final_plastic = plastic;
  return torch::stack(states);
}

}  // namespace

TEST(Hebbian, OuterProductIsPreTimesPost) {
  const auto h_prev = matrix({{1.0, 2.0}});
  const auto h = matrix({{3.0, -1.0, 0.5}});
  const auto outer = nf::hebbian_outer(h_prev, h);
  ASSERT_EQ(outer.sizes(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_TRUE(torch::equal(outer[0], matrix({{3.0, -1.0, 0.5}, {6.0, -2.0, 1.0}})));
}

TEST(Hebbian, PlasticInputEqualsMaterialisedWeights) {
  const int64_t batch = 3, n_pre = 4, n_post = 5;
  const auto h_prev = torch::randn({batch, n_pre}, torch::kDouble);
  const auto w = torch::randn({n_pre, n_post}, torch::kDouble);
  const auto plastic = torch::randn({batch, n_pre, n_post}, torch::kDouble);
  const torch::Tensor alphas[] = {torch::randn({n_pre, n_post}, torch::kDouble),
                                  torch::randn({n_post}, torch::kDouble),
                                  torch::tensor(0.37, torch::kDouble)};
  for (const auto& alpha : alphas) {
    const auto input = nf::plastic_input(h_prev, w, alpha, plastic);
    ASSERT_EQ(input.sizes(), (std::vector<int64_t>{batch, n_post}));
    for (int64_t b = 0; b < batch; ++b) {
      const auto effective = w + alpha * plastic[b];  // (N_pre, N_post), the slow way
      const auto expected = h_prev[b].unsqueeze(0).matmul(effective).squeeze(0);
      EXPECT_TRUE(torch::allclose(input[b], expected, 1e-12, 1e-12)) << "alpha " << alpha.sizes();
    }
  }
  // Zero plastic traces leave the plain recurrent input.
  EXPECT_TRUE(torch::allclose(nf::plastic_input(h_prev, w, alphas[0], torch::zeros_like(plastic)),
                              h_prev.matmul(w)));
}

TEST(Hebbian, DecayingHebbKnownAnswer) {
  // eta = 0.25: 0.75 * Hebb + 0.25 * outer.
  const auto hebb = matrix({{1.0, 0.0}, {0.0, -1.0}}).unsqueeze(0);
  const auto h_prev = matrix({{1.0, 2.0}});
  const auto h = matrix({{2.0, 1.0}});
  const auto next = nf::decaying_hebb_update(hebb, h_prev, h, torch::tensor(0.25, torch::kDouble));
  EXPECT_TRUE(torch::allclose(next[0], matrix({{1.25, 0.25}, {1.0, -0.25}}), 0.0, 1e-15)) << next;
}

TEST(Hebbian, ModulatedHebbClipsAndFansOut) {
  const auto hebb = torch::full({2, 2, 2}, 0.9, torch::kDouble);
  const auto h_prev = matrix({{1.0, -1.0}, {0.5, 0.0}});
  const auto h = matrix({{0.5, 1.0}, {1.0, 1.0}});
  // Global M = (1, -2): sample 0 gets +outer, sample 1 gets -2 * outer; clip at 1 is active.
  auto m = doubles({1.0, -2.0}).set_requires_grad(true);
  const auto next = nf::modulated_hebb_update(hebb, h_prev, h, m, 1.0);
  EXPECT_TRUE(torch::allclose(next[0], matrix({{1.0, 1.0}, {0.4, -0.1}}), 0.0, 1e-15)) << next;
  EXPECT_TRUE(torch::allclose(next[1], matrix({{-0.1, -0.1}, {0.9, 0.9}}), 0.0, 1e-15)) << next;
  // Hard clamp: where the bound is active the trace carries no gradient back to M.
  next[0][0].sum().backward();
  EXPECT_EQ(m.grad()[0].item<double>(), 0.0);

  // Per-postsynaptic M (B, N_post): element [b, i, j] uses M[b, j].
  const auto m_post = matrix({{1.0, 0.0}, {0.0, -1.0}});
  const auto fanned = nf::modulated_hebb_update(torch::zeros({2, 2, 2}, torch::kDouble), h_prev, h,
                                                m_post, std::numeric_limits<double>::infinity());
  const auto expected = nf::hebbian_outer(h_prev, h) * m_post.unsqueeze(1);
  EXPECT_TRUE(torch::equal(fanned, expected));
  EXPECT_TRUE(torch::equal(fanned[0], matrix({{0.5, 0.0}, {-0.5, 0.0}})));
}

TEST(Hebbian, ClippedHebbIsModulatedWithConstantEta) {
  const auto hebb = torch::randn({3, 4, 2}, torch::kDouble) * 0.5;
  const auto h_prev = torch::randn({3, 4}, torch::kDouble);
  const auto h = torch::randn({3, 2}, torch::kDouble);
  const auto eta = torch::tensor(0.3, torch::kDouble);
  const auto clipped = nf::clipped_hebb_update(hebb, h_prev, h, eta, 0.6);
  EXPECT_TRUE(torch::equal(clipped, nf::modulated_hebb_update(hebb, h_prev, h, eta, 0.6)));
  EXPECT_TRUE(
      torch::equal(clipped, torch::clamp(hebb + 0.3 * nf::hebbian_outer(h_prev, h), -0.6, 0.6)));
  EXPECT_LE(clipped.abs().max().item<double>(), 0.6);
}

TEST(Hebbian, RetroactiveUpdateOrderWorkedByHand) {
  // One sample, 2 x 2, eta = 0.5, clip = 1. P uses the OLD eligibility, then E takes the new
  // co-activation; updating E first would already give P1 = 0.5 * outer1 != 0.
  const auto eta = torch::tensor(0.5, torch::kDouble);
  nf::RetroactiveTraces traces{torch::zeros({1, 2, 2}, torch::kDouble),
                               torch::zeros({1, 2, 2}, torch::kDouble)};
  // Step 1: outer([1, 0], [1, -1]) = [[1, -1], [0, 0]], M = 1.
  traces =
      nf::retroactive_update(traces, matrix({{1, 0}}), matrix({{1, -1}}), doubles({1}), eta, 1);
  EXPECT_TRUE(torch::equal(traces.plastic[0], matrix({{0, 0}, {0, 0}})));
  EXPECT_TRUE(torch::equal(traces.eligibility[0], matrix({{0.5, -0.5}, {0, 0}})));
  // Step 2: outer([1, 1], [1, 1]) = all ones, M = 1.
  traces = nf::retroactive_update(traces, matrix({{1, 1}}), matrix({{1, 1}}), doubles({1}), eta, 1);
  EXPECT_TRUE(torch::equal(traces.plastic[0], matrix({{0.5, -0.5}, {0, 0}})));
  EXPECT_TRUE(torch::equal(traces.eligibility[0], matrix({{0.75, 0.25}, {0.5, 0.5}})));
  // Step 3: outer([0, 1], [1, 0]) = [[0, 0], [1, 0]], M = 2: P = [[0.5 + 1.5, -0.5 + 0.5],
  // [1, 1]] with the first entry clipped from 2 to 1.
  traces = nf::retroactive_update(traces, matrix({{0, 1}}), matrix({{1, 0}}), doubles({2}), eta, 1);
  EXPECT_TRUE(torch::equal(traces.plastic[0], matrix({{1, 0}, {1, 1}})));
  EXPECT_TRUE(torch::equal(traces.eligibility[0], matrix({{0.375, 0.125}, {0.75, 0.25}})));

  // The same third step with M per postsynaptic neuron, M = (2, 0): only column 0 moves.
  const nf::RetroactiveTraces before{matrix({{0.5, -0.5}, {0, 0}}).unsqueeze(0),
                                     matrix({{0.75, 0.25}, {0.5, 0.5}}).unsqueeze(0)};
  const auto per_post =
      nf::retroactive_update(before, matrix({{0, 1}}), matrix({{1, 0}}), matrix({{2, 0}}), eta, 1);
  EXPECT_TRUE(torch::equal(per_post.plastic[0], matrix({{1, -0.5}, {1, 0}})));
}

TEST(Hebbian, FanOutKnownAnswer) {
  const auto m = doubles({0.5, -1.0});
  const auto f = doubles({2.0, 0.0, -1.0});
  const auto g = doubles({0.0, 0.3, 0.1});
  const auto out = nf::fan_out(m, f, g);
  EXPECT_TRUE(torch::allclose(out, matrix({{1.0, 0.3, -0.4}, {-2.0, 0.3, 1.1}}), 0.0, 1e-15));
  EXPECT_TRUE(torch::equal(nf::fan_out(m.unsqueeze(1), f, g), out));
  EXPECT_THROW(nf::fan_out(matrix({{1, 2}}), f, g), c10::Error);
}

TEST(Hebbian, ShapesAndBackward) {
  const int64_t steps = 5, batch = 3, units = 6;
  for (auto rule : kRules) {
    Episode e{torch::randn({steps, batch, units}),
              torch::zeros({batch, units}),
              (torch::randn({units, units}) * 0.3).set_requires_grad(true),
              torch::full({units, units}, 0.1).set_requires_grad(true),
              torch::full({}, 0.2).set_requires_grad(true),
              torch::randn({units}).set_requires_grad(true),
              torch::randn({units}).set_requires_grad(true),
              torch::randn({units}).set_requires_grad(true)};
    torch::Tensor plastic;
    const auto hs = run_episode(rule, e, 1.0, &plastic);
    EXPECT_EQ(hs.sizes(), (std::vector<int64_t>{steps, batch, units}));
    EXPECT_EQ(plastic.sizes(), (std::vector<int64_t>{batch, units, units}));
    hs.pow(2).sum().backward();
    std::vector<torch::Tensor> used = {e.w, e.alpha};
    if (rule == Rule::decaying || rule == Rule::clipped || rule == Rule::retroactive) {
      used.push_back(e.eta);
    }
    if (rule != Rule::decaying && rule != Rule::clipped) used.push_back(e.v);
    if (rule == Rule::modulated_fan_out) used.insert(used.end(), {e.f, e.g});
    for (const auto& p : used) {
      ASSERT_TRUE(p.grad().defined()) << name(rule);
      EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>()) << name(rule);
      EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0) << name(rule);
    }
  }
}

TEST(Hebbian, UnrolledStepGradientsMatchFiniteDifferences) {
  const int64_t steps = 4, batch = 2, units = 3;
  torch::manual_seed(7);
  const auto x = torch::randn({steps, batch, units}, torch::kDouble).set_requires_grad(true);
  const auto h0 = (torch::rand({batch, units}, torch::kDouble) - 0.5).set_requires_grad(true);
  const auto w = (torch::randn({units, units}, torch::kDouble) * 0.5).set_requires_grad(true);
  const auto eta = torch::tensor(0.3, torch::kDouble).set_requires_grad(true);
  const auto v = torch::randn({units}, torch::kDouble).set_requires_grad(true);
  const auto f = torch::randn({units}, torch::kDouble).set_requires_grad(true);
  const auto g = (torch::randn({units}, torch::kDouble) * 0.3).set_requires_grad(true);
  const torch::Tensor alphas[] = {torch::randn({units, units}, torch::kDouble),
                                  torch::randn({units}, torch::kDouble),
                                  torch::tensor(0.8, torch::kDouble)};
  // clip = 1 is inactive at these sizes; clip = 0.08 binds for part of the traces, so the check
  // also covers the hard clamp (away from its kinks).
  for (double clip : {1.0, 0.08}) {
    for (auto rule : kRules) {
      for (const auto& alpha_value : alphas) {
        const auto alpha = alpha_value.clone().set_requires_grad(true);
        const auto episode = [rule, clip](const std::vector<torch::Tensor>& p) {
          torch::Tensor plastic;
          const auto hs =
              run_episode(rule, {p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]}, clip, &plastic);
          return torch::cat({hs.flatten(), plastic.flatten()});
        };
        std::vector<torch::Tensor> inputs = {x, h0, w, alpha, eta, v, f, g};
        // Inputs a rule does not read are passed without requires_grad.
        const bool reads_eta =
            rule == Rule::decaying || rule == Rule::clipped || rule == Rule::retroactive;
        const bool reads_m = rule != Rule::decaying && rule != Rule::clipped;
        if (!reads_eta) inputs[4] = eta.detach();
        if (!reads_m) inputs[5] = v.detach();
        if (rule != Rule::modulated_fan_out) {
          inputs[6] = f.detach();
          inputs[7] = g.detach();
        }
        EXPECT_TRUE(gradcheck(episode, inputs))
            << name(rule) << ", alpha " << alpha.sizes() << ", clip " << clip;
        if (clip < 1.0 && rule != Rule::decaying) {
          torch::Tensor plastic;
          at::NoGradGuard no_grad;
          run_episode(rule, {x, h0, w, alpha, eta, v, f, g}, clip, &plastic);
          EXPECT_GT((plastic.abs() == clip).sum().item<int64_t>(), 0)
              << name(rule) << ": the clip was meant to bind";
        }
      }
    }
  }
}

TEST(Hebbian, RejectsBadArguments) {
  const auto hebb = torch::zeros({2, 3, 3});
  const auto h = torch::zeros({2, 3});
  EXPECT_THROW(nf::modulated_hebb_update(hebb, h, h, torch::zeros({2}), 0.0), c10::Error);
  EXPECT_THROW(nf::modulated_hebb_update(hebb, h, h, torch::zeros({2, 1, 1, 1}), 1.0), c10::Error);
  EXPECT_THROW(nf::hebbian_outer(torch::zeros({2, 3}), torch::zeros({3, 3})), c10::Error);
  EXPECT_THROW(nf::plastic_input(h, torch::zeros({3, 3}), torch::zeros({1, 3, 3}), hebb),
               c10::Error);
}
