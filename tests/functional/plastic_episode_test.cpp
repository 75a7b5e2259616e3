#include "neuromod/functional/plastic_episode.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/gradcheck.h"

namespace nf = neuromod::functional;
using nf::Activation;
using nf::FusedUpdate;

namespace {

bool reads_modulation(FusedUpdate update) {
  return update == FusedUpdate::clipped_hebb || update == FusedUpdate::retroactive;
}
bool reads_rate(FusedUpdate update) {
  return update == FusedUpdate::decaying_hebb || update == FusedUpdate::retroactive ||
         update == FusedUpdate::eligibility_only;
}

/// One configuration of an episode's operands.
struct Case {
  FusedUpdate update;
  int alpha_dim = 2;           ///< 2 per connection, 1 per neuron, 0 scalar
  bool nucleus = false;        ///< a learned nucleus (updates that read m only)
  bool unit_operands = false;  ///< r, base and slope (N) instead of ()
};

/// Random operands, every one a leaf that requires grad. `engage_clip`: a small clip and a
/// strong modulation, so that the clamp is active on a good share of the synapses.
nf::PlasticEpisodeInputs random_inputs(const Case& c, int64_t steps, int64_t batch, int64_t n,
                                       torch::Dtype dtype, bool engage_clip) {
  const auto options = torch::TensorOptions().dtype(dtype);
  const auto leaf = [](torch::Tensor x) { return x.detach().requires_grad_(true); };
  const auto unit = [&](double centre, double spread) {
    const std::vector<int64_t> sizes =
        c.unit_operands ? std::vector<int64_t>{n} : std::vector<int64_t>{};
    return leaf(centre + spread * (2 * torch::rand(sizes, options) - 1));
  };
  nf::PlasticEpisodeInputs in;
  in.drive = leaf(torch::randn({steps, batch, n}, options));
  // Spectral radius about 0.9: a stable network, whose float and double runs stay close.
  in.w = leaf(0.9 / std::sqrt(static_cast<double>(n)) * torch::randn({n, n}, options));
  in.alpha = leaf(c.alpha_dim == 2   ? torch::randn({n, n}, options)
                  : c.alpha_dim == 1 ? torch::randn({n}, options)
                                     : torch::randn({}, options));
  if (reads_rate(c.update)) in.rate = unit(0.3, 0.2);
  if (reads_modulation(c.update)) in.modulation_base = unit(0.0, engage_clip ? 2.0 : 0.5);
  if (c.nucleus) {
    in.modulation_slope = unit(0.0, engage_clip ? 3.0 : 1.0);
    in.nucleus_weight = leaf(torch::randn({n}, options));
    in.nucleus_bias = leaf(0.3 * torch::randn({}, options));
  }
  return in;
}

std::vector<torch::Tensor> leaves_of(const nf::PlasticEpisodeInputs& in) {
  std::vector<torch::Tensor> leaves;
  for (const auto& x : {in.drive, in.w, in.alpha, in.rate, in.modulation_base, in.modulation_slope,
                        in.nucleus_weight, in.nucleus_bias}) {
    if (x.defined()) leaves.push_back(x);
  }
  return leaves;
}

/// H and the gradients of an uneven projection of H with respect to every leaf.
std::vector<torch::Tensor> outputs_and_gradients(const torch::Tensor& hidden,
                                                 const std::vector<torch::Tensor>& leaves) {
  const auto projection =
      torch::sin(torch::arange(hidden.numel(), hidden.options()) * 0.61 + 0.2).view_as(hidden);
  const auto loss = (hidden * projection).sum();
  auto grads = torch::autograd::grad({loss}, leaves, {}, false, false, true);
  for (size_t k = 0; k < grads.size(); ++k) {
    if (!grads[k].defined()) grads[k] = torch::zeros_like(leaves[k]);  // unused: gradient 0
  }
  grads.insert(grads.begin(), hidden.detach());
  return grads;
}

void expect_close(const std::vector<torch::Tensor>& actual,
                  const std::vector<torch::Tensor>& expected, double tolerance,
                  const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t k = 0; k < actual.size(); ++k) {
    ASSERT_TRUE(expected[k].defined()) << what << ", output " << k;
    ASSERT_TRUE(actual[k].defined()) << what << ", output " << k;
    const double scale = 1.0 + expected[k].abs().max().item<double>();
    const double error = (actual[k] - expected[k]).abs().max().item<double>();
    EXPECT_LE(error, tolerance * scale) << what << ", output " << k << " (0: H, then the leaves)";
  }
}

std::vector<Case> every_case() {
  std::vector<Case> cases;
  for (const auto update :
       {FusedUpdate::frozen, FusedUpdate::clipped_hebb, FusedUpdate::decaying_hebb,
        FusedUpdate::retroactive, FusedUpdate::eligibility_only}) {
    for (const int alpha_dim : {2, 1, 0}) {
      for (const bool nucleus : {false, true}) {
        if (nucleus && !reads_modulation(update)) continue;
        for (const bool unit_operands : {false, true}) {
          cases.push_back({update, alpha_dim, nucleus, unit_operands});
        }
      }
    }
  }
  return cases;
}

std::string describe(const Case& c, int64_t stride) {
  return std::string(neuromod::config::enum_name(c.update)) + ", alpha dim " +
         std::to_string(c.alpha_dim) + (c.nucleus ? ", nucleus" : "") +
         (c.unit_operands ? ", (N) operands" : ", () operands") + ", stride " +
         std::to_string(stride);
}

/// What `play_reference_steps` shows its observer before step t: the traces at the step's input
/// and the level its plasticity reads (undefined without a nucleus); after it: h_t.
struct StepObserver {
  std::function<void(int64_t, const torch::Tensor&, const torch::Tensor&, const torch::Tensor&)>
      before;
  std::function<void(int64_t, const torch::Tensor&)> after;
};

/// The episode played step by step by plastic_step_reference, without gradients; returns the
/// traces after the last step.
nf::PlasticStepOutputs play_reference_steps(const nf::PlasticEpisodeInputs& in,
                                            const nf::PlasticEpisodeOptions& options,
                                            const StepObserver& observer = {}) {
  torch::NoGradGuard no_grad;
  const int64_t steps = in.drive.size(0), batch = in.drive.size(1), n = in.drive.size(2);
  const auto per_unit = [n](const torch::Tensor& x) {
    return x.defined() && x.dim() == 1 ? x.view({1, n}) : x;
  };
  const auto like = in.drive.options();
  nf::PlasticStepInputs step;
  step.w = in.w;
  step.alpha = in.alpha;
  step.rate = per_unit(in.rate);
  step.h_last = torch::zeros({batch, n}, like);
  step.h_before = torch::zeros({batch, n}, like);
  step.plastic = torch::zeros({batch, n, n}, like);
  step.eligibility = torch::zeros({batch, n, n}, like);
  torch::Tensor level = torch::zeros({batch, 1}, like);
  const bool nucleus = in.nucleus_weight.defined();
  nf::PlasticStepOutputs out;
  for (int64_t t = 0; t < steps; ++t) {
    if (observer.before) {
      observer.before(t, step.plastic, step.eligibility, nucleus ? level : torch::Tensor());
    }
    if (in.modulation_base.defined()) {
      step.modulation = per_unit(in.modulation_base);
      if (nucleus) step.modulation = step.modulation + per_unit(in.modulation_slope) * level;
    }
    step.drive = in.drive[t];
    out = nf::plastic_step_reference(step, nf::PlasticStepOptions(options.update())
                                               .activation(options.activation())
                                               .clip(options.clip()));
    if (observer.after) observer.after(t, out.h);
    step.h_before = step.h_last;
    step.h_last = out.h;
    step.plastic = out.plastic;
    if (out.eligibility.defined()) step.eligibility = out.eligibility;
    if (nucleus) {
      level = nf::activate(torch::mv(out.h, in.nucleus_weight) + in.nucleus_bias,
                           options.nucleus_activation())
                  .unsqueeze(1);
    }
  }
  return out;
}

/// The episode played step by step by the reference, recorded as a PlayedEpisode.
nf::PlayedEpisode play_reference(const nf::PlasticEpisodeInputs& in,
                                 const nf::PlasticEpisodeOptions& options) {
  nf::PlayedEpisodeRecorder recorder(options.update(), in.drive.size(0), in.drive.size(1),
                                     in.drive.size(2), in.drive.scalar_type());
  StepObserver observer;
  observer.before = [&](int64_t t, const torch::Tensor& plastic, const torch::Tensor& eligibility,
                        const torch::Tensor& level) {
    recorder.before_step(t, plastic, eligibility, level);
  };
  observer.after = [&](int64_t t, const torch::Tensor& h) { recorder.after_step(t, h); };
  play_reference_steps(in, options, observer);
  return recorder.finish();
}

}  // namespace

TEST(PlasticEpisode, MatchesTheStepByStepReferenceForEveryUpdateAndShape) {
  torch::manual_seed(3);
  for (const auto& c : every_case()) {
    for (const int64_t stride : {1, 3, 0}) {
      const auto in = random_inputs(c, 11, 3, 6, torch::kDouble, /*engage_clip=*/true);
      const auto options = nf::PlasticEpisodeOptions(c.update).clip(0.4).stride(stride);
      const auto leaves = leaves_of(in);
      const auto fused = outputs_and_gradients(nf::plastic_episode(in, options), leaves);
      const auto reference =
          outputs_and_gradients(nf::plastic_episode_reference(in, options), leaves);
      expect_close(fused, reference, 1e-11, describe(c, stride));
    }
  }
}

TEST(PlasticEpisode, ClampIsActiveInTheTestedEpisodes) {
  // The comparison above means something for the clamp only if it acts: the traces reach ±C.
  torch::manual_seed(3);
  const Case c{FusedUpdate::retroactive, 2, true, true};
  const auto in = random_inputs(c, 11, 3, 6, torch::kDouble, true);
  const auto traces =
      play_reference_steps(in, nf::PlasticEpisodeOptions(c.update).clip(0.4)).plastic;
  const double clamped = (traces.abs() >= 0.4 - 1e-12).to(torch::kDouble).mean().item<double>();
  EXPECT_GT(clamped, 0.2);
}

TEST(PlasticEpisode, GradcheckOfEveryInput) {
  torch::manual_seed(5);
  for (const Case& c : {Case{FusedUpdate::retroactive, 2, true, true},
                        Case{FusedUpdate::clipped_hebb, 1, true, false},
                        Case{FusedUpdate::clipped_hebb, 0, false, false},
                        Case{FusedUpdate::decaying_hebb, 2, false, true}}) {
    // A large clip: the finite differences must not straddle the clamp's corner.
    const auto in = random_inputs(c, 6, 2, 4, torch::kDouble, /*engage_clip=*/false);
    const auto options = nf::PlasticEpisodeOptions(c.update).clip(50.0).stride(2);
    const auto leaves = leaves_of(in);
    const auto episode = [&](const std::vector<torch::Tensor>& x) {
      nf::PlasticEpisodeInputs v = in;
      size_t k = 0;
      for (auto* field : {&v.drive, &v.w, &v.alpha, &v.rate, &v.modulation_base,
                          &v.modulation_slope, &v.nucleus_weight, &v.nucleus_bias}) {
        if (field->defined()) *field = x[k++];
      }
      return nf::plastic_episode(v, options);
    };
    neuromod::testing::GradcheckOptions tolerances;
    tolerances.rtol = 1e-5;
    tolerances.atol = 1e-8;
    EXPECT_TRUE(neuromod::testing::gradcheck(episode, leaves, tolerances))
        << describe(c, options.stride());
  }
}

TEST(PlasticEpisode, OtherActivationsMatchTheReference) {
  torch::manual_seed(9);
  const Case c{FusedUpdate::clipped_hebb, 2, true, true};
  for (const auto f : {Activation::identity, Activation::relu, Activation::sigmoid}) {
    const auto in = random_inputs(c, 7, 2, 5, torch::kDouble, false);
    const auto options =
        nf::PlasticEpisodeOptions(c.update).clip(0.5).stride(2).activation(f).nucleus_activation(
            f == Activation::relu ? Activation::sigmoid : f);
    const auto leaves = leaves_of(in);
    expect_close(outputs_and_gradients(nf::plastic_episode(in, options), leaves),
                 outputs_and_gradients(nf::plastic_episode_reference(in, options), leaves), 1e-11,
                 std::string(neuromod::config::enum_name(f)));
  }
}

TEST(PlasticEpisode, FloatAgreesWithDouble) {
  torch::manual_seed(4);
  const Case c{FusedUpdate::retroactive, 2, true, false};
  const auto in = random_inputs(c, 40, 4, 16, torch::kDouble, false);
  const auto options = nf::PlasticEpisodeOptions(c.update).clip(1.0);
  nf::PlasticEpisodeInputs single;
  const auto to_float = [](const torch::Tensor& x) {
    return x.defined() ? x.detach().to(torch::kFloat).requires_grad_(true) : x;
  };
  single.drive = to_float(in.drive);
  single.w = to_float(in.w);
  single.alpha = to_float(in.alpha);
  single.rate = to_float(in.rate);
  single.modulation_base = to_float(in.modulation_base);
  single.modulation_slope = to_float(in.modulation_slope);
  single.nucleus_weight = to_float(in.nucleus_weight);
  single.nucleus_bias = to_float(in.nucleus_bias);
  const auto expected = outputs_and_gradients(nf::plastic_episode(in, options), leaves_of(in));
  auto actual = outputs_and_gradients(nf::plastic_episode(single, options), leaves_of(single));
  for (auto& x : actual) x = x.to(torch::kDouble);
  // Float's rounding (about 6e-8 per operation) grows over 40 steps and sums over T·B·N terms.
  expect_close(actual, expected, 1e-3, "float vs double");
}

TEST(PlasticEpisode, OneAndTwoThreadsGiveTheSameResult) {
  torch::manual_seed(6);
  const Case c{FusedUpdate::retroactive, 2, true, true};
  const auto in = random_inputs(c, 12, 5, 8, torch::kDouble, true);
  const auto options = nf::PlasticEpisodeOptions(c.update).clip(0.4);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto one = outputs_and_gradients(nf::plastic_episode(in, options), leaves_of(in));
  at::set_num_threads(2);
  const auto two = outputs_and_gradients(nf::plastic_episode(in, options), leaves_of(in));
  at::set_num_threads(threads);
  expect_close(two, one, 1e-13, "2 threads vs 1");
}

TEST(PlasticEpisode, SnapshotsTakeAtMostAFifthOfEveryStepsTraces) {
  torch::manual_seed(7);
  const Case c{FusedUpdate::retroactive, 2, true, false};
  const int64_t steps = 60, batch = 2, n = 64;
  const auto in = random_inputs(c, steps, batch, n, torch::kFloat, false);
  const auto before = nf::fused_tape_memory().current_bytes;
  const auto hidden = nf::plastic_episode(in, nf::PlasticEpisodeOptions(c.update));
  const auto held = nf::fused_tape_memory().current_bytes - before;
  const int64_t every_step = steps * batch * 2 * n * n * 4;
  EXPECT_GT(held, 0);
  EXPECT_LE(held * 5, every_step);
  hidden.sum().backward();
  EXPECT_EQ(nf::fused_tape_memory().current_bytes, before);  // backward let them go
  EXPECT_THROW(hidden.sum().backward(), c10::Error);         // so a second one cannot run
}

TEST(PlasticEpisode, SaysWhatItCannotTake) {
  const Case c{FusedUpdate::retroactive, 2, true, false};
  auto in = random_inputs(c, 3, 2, 4, torch::kDouble, false);
  const auto options = nf::PlasticEpisodeOptions(c.update);
  EXPECT_EQ(nf::plastic_episode_unsupported(in, options), "");
  auto bad = in;
  bad.w = torch::zeros({4, 5}, torch::kDouble);
  EXPECT_NE(nf::plastic_episode_unsupported(bad, options).find("w has shape"), std::string::npos);
  bad = in;
  bad.rate = torch::Tensor();
  EXPECT_NE(nf::plastic_episode_unsupported(bad, options).find("rate is missing"),
            std::string::npos);
  bad = in;
  bad.nucleus_bias = torch::Tensor();
  EXPECT_NE(nf::plastic_episode_unsupported(bad, options).find("nucleus_bias is missing"),
            std::string::npos);
  EXPECT_NE(nf::plastic_episode_unsupported(
                in, nf::PlasticEpisodeOptions(c.update).activation(Activation::softplus))
                .find("activations"),
            std::string::npos);
  EXPECT_THROW(nf::plastic_episode(bad, options), c10::Error);
}

TEST(PlasticEpisode, APlayedEpisodeGivesTheSameOutputsAndGradients) {
  torch::manual_seed(8);
  for (const Case& c : {Case{FusedUpdate::retroactive, 2, true, false},
                        Case{FusedUpdate::clipped_hebb, 2, true, true},
                        Case{FusedUpdate::clipped_hebb, 0, false, false},
                        Case{FusedUpdate::eligibility_only, 1, false, false},
                        Case{FusedUpdate::frozen, 2, false, false}}) {
    const auto in = random_inputs(c, 23, 3, 6, torch::kDouble, /*engage_clip=*/true);
    const auto options = nf::PlasticEpisodeOptions(c.update).clip(0.4);
    const auto played = play_reference(in, options);
    const auto leaves = leaves_of(in);
    expect_close(outputs_and_gradients(nf::plastic_episode(in, options, played), leaves),
                 outputs_and_gradients(nf::plastic_episode(in, options), leaves), 1e-11,
                 describe(c, played.stride));
    // The caller's record stays as it was: the output is a copy.
    EXPECT_FALSE(played.hidden.requires_grad());
  }
}

TEST(PlasticEpisode, APlayedEpisodeThatDoesNotFitIsRefused) {
  torch::manual_seed(8);
  const Case c{FusedUpdate::retroactive, 2, true, false};
  const auto in = random_inputs(c, 12, 2, 5, torch::kDouble, false);
  const auto options = nf::PlasticEpisodeOptions(c.update);
  auto played = play_reference(in, options);
  played.stride += 1;
  EXPECT_THROW(nf::plastic_episode(in, options, played), c10::Error);
  played = play_reference(in, options);
  played.hidden = played.hidden.narrow(0, 0, 11).contiguous();
  EXPECT_THROW(nf::plastic_episode(in, options, played), c10::Error);
  nf::PlayedEpisodeRecorder recorder(c.update, 3, 2, 5, torch::kDouble);
  EXPECT_THROW(recorder.finish(), c10::Error);  // no step recorded
}

TEST(PlasticEpisode, SeveralThreadsGiveTheSameGradientsEveryRun) {
  // The chunks' gradient sums are added in sample order, not in the order the threads end.
  torch::manual_seed(12);
  const Case c{FusedUpdate::retroactive, 2, true, true};
  const auto in = random_inputs(c, 9, 7, 6, torch::kFloat, true);
  const auto options = nf::PlasticEpisodeOptions(c.update).clip(0.4);
  const int threads = at::get_num_threads();
  at::set_num_threads(3);
  const auto first = outputs_and_gradients(nf::plastic_episode(in, options), leaves_of(in));
  for (int run = 0; run < 5; ++run) {
    const auto again = outputs_and_gradients(nf::plastic_episode(in, options), leaves_of(in));
    for (std::size_t k = 0; k < first.size(); ++k) {
      EXPECT_TRUE(torch::equal(first[k], again[k])) << "run " << run << ", output " << k;
    }
  }
  at::set_num_threads(threads);
}
