#include "neuromod/functional/fused_plastic.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/gradcheck.h"

namespace nf = neuromod::functional;
using neuromod::testing::gradcheck;
using nf::FusedUpdate;

namespace {

const FusedUpdate kUpdates[] = {FusedUpdate::frozen, FusedUpdate::clipped_hebb,
                                FusedUpdate::decaying_hebb, FusedUpdate::retroactive,
                                FusedUpdate::eligibility_only};

bool reads_modulation(FusedUpdate update) {
  return update == FusedUpdate::clipped_hebb || update == FusedUpdate::retroactive;
}
bool reads_rate(FusedUpdate update) {
  return update == FusedUpdate::decaying_hebb || update == FusedUpdate::retroactive ||
         update == FusedUpdate::eligibility_only;
}
bool has_eligibility(FusedUpdate update) {
  return update == FusedUpdate::retroactive || update == FusedUpdate::eligibility_only;
}

/// Shapes a modulation, rate, gain or offset operand may take.
enum class Shape { none, scalar, per_sample, per_sample_column, per_unit_row, full, vector_n };

torch::Tensor operand(Shape shape, int64_t batch, int64_t n, torch::TensorOptions options,
                      double centre, double spread) {
  const auto draw = [&](std::vector<int64_t> sizes) {
    return centre + spread * (2 * torch::rand(sizes, options) - 1);
  };
  switch (shape) {
    case Shape::none:
      return {};
    case Shape::scalar:
      return draw({});
    case Shape::per_sample:
      return draw({batch});
    case Shape::per_sample_column:
      return draw({batch, 1});
    case Shape::per_unit_row:
      return draw({1, n});
    case Shape::full:
      return draw({batch, n});
    case Shape::vector_n:
      return draw({n});
  }
  return {};
}

/// Random inputs of one step. `engage_clip` puts P near ±C and makes m large, so that the clamp
/// is active for a good share of the synapses.
nf::PlasticStepInputs random_inputs(FusedUpdate update, int alpha_dim, int64_t batch, int64_t n,
                                    torch::Dtype dtype, Shape modulation_shape, Shape rate_shape,
                                    Shape gain_shape, Shape offset_shape, double clip,
                                    bool engage_clip) {
  const auto options = torch::TensorOptions().dtype(dtype);
  nf::PlasticStepInputs in;
  in.drive = torch::randn({batch, n}, options);
  in.h_last = torch::tanh(torch::randn({batch, n}, options));
  in.h_before = torch::tanh(torch::randn({batch, n}, options));
  in.plastic = clip * (engage_clip ? 0.95 : 0.5) * (2 * torch::rand({batch, n, n}, options) - 1);
  if (has_eligibility(update)) in.eligibility = torch::randn({batch, n, n}, options);
  if (reads_modulation(update)) {
    in.modulation = operand(modulation_shape, batch, n, options, 0.0, engage_clip ? 3.0 : 0.5);
  }
  if (reads_rate(update)) in.rate = operand(rate_shape, batch, n, options, 0.3, 0.2);
  in.w = 0.5 * torch::randn({n, n}, options);
  in.alpha = alpha_dim == 2   ? torch::randn({n, n}, options)
             : alpha_dim == 1 ? torch::randn({n}, options)
                              : torch::randn({}, options);
  in.gain = operand(gain_shape, batch, n, options, 1.0, 0.5);
  in.offset = operand(offset_shape, batch, n, options, 0.0, 0.5);
  return in;
}

std::vector<torch::Tensor*> tensors_of(nf::PlasticStepInputs& in) {
  return {&in.drive, &in.h_last, &in.h_before, &in.plastic, &in.eligibility, &in.modulation,
          &in.rate,  &in.w,      &in.alpha,    &in.gain,    &in.offset};
}

/// Replaces every defined input by a fresh leaf (a detached copy, requiring grad or not) and
/// returns those leaves in input order.
std::vector<torch::Tensor> make_leaves(nf::PlasticStepInputs& in, bool requires_grad) {
  std::vector<torch::Tensor> leaves;
  for (auto* tensor : tensors_of(in)) {
    if (tensor->defined()) {
      *tensor = tensor->detach().clone().set_requires_grad(requires_grad);
      leaves.push_back(*tensor);
    }
  }
  return leaves;
}

const char* const kInputNames[] = {"drive", "h_last", "h_before", "plastic", "eligibility", "m",
                                   "r",     "w",      "alpha",    "gain",    "offset"};

/// Every output flattened into one vector (h, P', E').
torch::Tensor flat(const nf::PlasticStepOutputs& out) {
  std::vector<torch::Tensor> parts{out.h.reshape(-1), out.plastic.reshape(-1)};
  if (out.eligibility.defined()) parts.push_back(out.eligibility.reshape(-1));
  return torch::cat(parts);
}

using StepFunction = nf::PlasticStepOutputs (*)(const nf::PlasticStepInputs&,
                                                const nf::PlasticStepOptions&);

/// Outputs and the gradients of every defined input under an uneven projection of the outputs.
struct Evaluated {
  torch::Tensor outputs;
  std::vector<torch::Tensor> grads;
};

Evaluated evaluate(StepFunction step, nf::PlasticStepInputs in,
                   const nf::PlasticStepOptions& options) {
  auto leaves = make_leaves(in, true);
  const auto out = flat(step(in, options));
  const auto loss = (out * neuromod::testing::detail::projection_like(out).to(out.dtype())).sum();
  auto grads = torch::autograd::grad({loss}, leaves, {}, false, false, /*allow_unused=*/true);
  return {out.detach(), grads};
}

::testing::AssertionResult close(const torch::Tensor& a, const torch::Tensor& b, double tolerance) {
  if (!a.defined() || !b.defined()) {
    if (a.defined() == b.defined()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "one tensor is undefined";
  }
  const double scale = std::max(1.0, b.abs().max().item<double>());
  const double error = (a - b).abs().max().item<double>();
  if (error <= tolerance * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max difference " << error << " (scale " << scale << ")";
}

}  // namespace

TEST(FusedPlasticStep, MatchesTheReferenceForEveryUpdateAlphaAndShape) {
  torch::manual_seed(1);
  const std::vector<std::vector<Shape>> shapes{
      // modulation, rate, gain, offset
      {Shape::full, Shape::scalar, Shape::none, Shape::none},
      {Shape::per_sample, Shape::full, Shape::full, Shape::full},
      {Shape::scalar, Shape::per_sample_column, Shape::vector_n, Shape::scalar},
      {Shape::per_unit_row, Shape::per_unit_row, Shape::per_sample_column, Shape::per_unit_row}};
  for (const auto dtype : {torch::kDouble, torch::kFloat}) {
    const double tolerance = dtype == torch::kDouble ? 1e-12 : 2e-5;
    for (const auto update : kUpdates) {
      for (const int alpha_dim : {2, 1, 0}) {
        for (const auto& shape : shapes) {
          for (const bool engage : {false, true}) {
            auto in = random_inputs(update, alpha_dim, 3, 6, dtype, shape[0], shape[1], shape[2],
                                    shape[3], 0.8, engage);
            const auto options = nf::PlasticStepOptions(update).clip(0.8);
            ASSERT_EQ(nf::fused_plastic_step_unsupported(in, options), "");
            const auto fused = evaluate(nf::fused_plastic_step, in, options);
            const auto reference = evaluate(nf::plastic_step_reference, in, options);
            const std::string where = neuromod::config::enum_name(update) + ", alpha dim " +
                                      std::to_string(alpha_dim) + ", " + torch::toString(dtype) +
                                      (engage ? ", clamp engaged" : "");
            EXPECT_TRUE(close(fused.outputs, reference.outputs, tolerance)) << where;
            ASSERT_EQ(fused.grads.size(), reference.grads.size());
            size_t k = 0;
            for (size_t slot = 0; slot < 11; ++slot) {
              if (!tensors_of(in)[slot]->defined()) continue;
              EXPECT_TRUE(close(fused.grads[k], reference.grads[k], tolerance))
                  << where << ": gradient of " << kInputNames[slot];
              ++k;
            }
            if (engage && update == FusedUpdate::retroactive) {
              // The clamp did act: some P' sit exactly at ±C.
              const auto next = nf::plastic_step_reference(in, options).plastic;
              EXPECT_GT((next.abs() == 0.8).sum().item<int64_t>(), 0) << where;
            }
          }
        }
      }
    }
  }
}

TEST(FusedPlasticStep, GradcheckOfEveryInputOverAnEpisode) {
  // Six chained steps cross the tape's first snapshot stride (4), so backward recomputes traces.
  torch::manual_seed(2);
  const int64_t batch = 2, n = 3, steps = 6;
  const auto opts = torch::TensorOptions().dtype(torch::kDouble).requires_grad(true);
  for (const auto update : {FusedUpdate::clipped_hebb, FusedUpdate::decaying_hebb,
                            FusedUpdate::retroactive, FusedUpdate::eligibility_only}) {
    for (const int alpha_dim : {2, 1, 0}) {
      // drive (T, B, N), m (T, B, N), r (), w, α, gain (B, N), offset (N), h_0, h_−1, P_0, E_0
      std::vector<torch::Tensor> inputs{
          torch::randn({steps, batch, n}, opts),
          0.5 * torch::randn({steps, batch, n}, opts),
          torch::full({}, 0.3, opts),
          0.5 * torch::randn({n, n}, opts),
          alpha_dim == 2 ? torch::randn({n, n}, opts)
                         : (alpha_dim == 1 ? torch::randn({n}, opts) : torch::randn({}, opts)),
          torch::rand({batch, n}, opts) + 0.5,
          0.3 * torch::randn({n}, opts),
          0.5 * torch::randn({batch, n}, opts),
          0.5 * torch::randn({batch, n}, opts),
          0.3 * torch::randn({batch, n, n}, opts),
          0.3 * torch::randn({batch, n, n}, opts)};
      const auto run = [&](const std::vector<torch::Tensor>& in) {
        nf::PlasticStepInputs step;
        step.w = in[3];
        step.alpha = in[4];
        step.gain = in[5];
        step.offset = in[6];
        step.h_last = in[7];
        step.h_before = in[8];
        step.plastic = in[9];
        if (has_eligibility(update)) step.eligibility = in[10];
        std::vector<torch::Tensor> outputs;
        // A clip far from the traces keeps finite differences off the clamp's kinks.
        const auto options = nf::PlasticStepOptions(update).clip(10.0);
        for (int64_t t = 0; t < steps; ++t) {
          step.drive = in[0][t];
          if (reads_modulation(update)) step.modulation = in[1][t];
          if (reads_rate(update)) step.rate = in[2];
          auto out = nf::fused_plastic_step(step, options);
          step.h_before = step.h_last;
          step.h_last = out.h;
          step.plastic = out.plastic;
          step.eligibility = out.eligibility;
          outputs.push_back(out.h.reshape(-1));
        }
        outputs.push_back(step.plastic.reshape(-1));
        if (step.eligibility.defined()) outputs.push_back(step.eligibility.reshape(-1));
        return torch::cat(outputs);
      };
      std::vector<torch::Tensor> used = inputs;
      neuromod::testing::GradcheckOptions options;
      if (!reads_modulation(update)) used[1] = used[1].detach();
      if (!reads_rate(update)) used[2] = used[2].detach();
      if (!has_eligibility(update)) used[10] = used[10].detach();
      EXPECT_TRUE(gradcheck(run, used, options))
          << neuromod::config::enum_name(update) << ", alpha dim " << alpha_dim;
    }
  }
}

namespace {

/// An episode of `steps` chained steps; returns every h and the final traces, flattened.
torch::Tensor episode(StepFunction step_function, FusedUpdate update, nf::PlasticStepInputs start,
                      const torch::Tensor& drives, const torch::Tensor& modulations, double clip,
                      bool in_place = false) {
  std::vector<torch::Tensor> outputs;
  auto step = start;
  for (int64_t t = 0; t < drives.size(0); ++t) {
    step.drive = drives[t];
    if (reads_modulation(update)) step.modulation = modulations[t];
    auto out = step_function(step, nf::PlasticStepOptions(update).clip(clip).in_place(in_place));
    step.h_before = step.h_last;
    step.h_last = out.h;
    step.plastic = out.plastic;
    step.eligibility = out.eligibility;
    outputs.push_back(out.h.reshape(-1));
  }
  outputs.push_back(step.plastic.reshape(-1));
  if (step.eligibility.defined()) outputs.push_back(step.eligibility.reshape(-1));
  return torch::cat(outputs);
}

}  // namespace

TEST(FusedPlasticStep, LongEpisodeGradientsMatchTheReference) {
  // 40 steps: backward recomputes five segments of 8 (the tape's first stride).
  torch::manual_seed(3);
  const int64_t batch = 3, n = 7, steps = 40;
  for (const auto update :
       {FusedUpdate::retroactive, FusedUpdate::clipped_hebb, FusedUpdate::decaying_hebb}) {
    auto start = random_inputs(update, 2, batch, n, torch::kDouble, Shape::full, Shape::scalar,
                               Shape::full, Shape::full, 0.5, false);
    // Weights small enough for the episode not to be chaotic: rounding differences between the
    // two sums must not grow step after step.
    start.alpha = 0.3 * start.alpha;
    start.w = 0.5 * start.w;
    const auto drives = torch::randn({steps, batch, n}, torch::kDouble);
    const auto modulations = 2.0 * torch::randn({steps, batch, n}, torch::kDouble);
    const auto run = [&](StepFunction function) {
      auto in = start;
      auto leaves = make_leaves(in, true);
      const auto d = drives.clone().set_requires_grad(true);
      const auto m = modulations.clone().set_requires_grad(true);
      leaves.push_back(d);
      leaves.push_back(m);
      const auto out = episode(function, update, in, d, m, 0.5);
      const auto loss = (out * neuromod::testing::detail::projection_like(out)).sum();
      auto grads = torch::autograd::grad({loss}, leaves, {}, false, false, true);
      grads.push_back(out.detach());
      return grads;
    };
    const auto reference = run(nf::plastic_step_reference);
    // Backward keeps every recomputed step of a segment (the default at these sizes), then 5
    // or 4 of its 7: the rest go through the running pair in place and are recomputed again.
    const int64_t pair_bytes = batch * n * n * 8 * (has_eligibility(update) ? 2 : 1);
    for (const int64_t kept : {0, 5, 4}) {
      nf::set_fused_recompute_cache_bytes(kept * pair_bytes);
      const auto fused = run(nf::fused_plastic_step);
      ASSERT_EQ(fused.size(), reference.size());
      for (size_t k = 0; k < fused.size(); ++k) {
        EXPECT_TRUE(close(fused[k], reference[k], 1e-11))
            << neuromod::config::enum_name(update) << ", tensor " << k << ", kept " << kept;
      }
    }
    nf::set_fused_recompute_cache_bytes(0);
    // The clamp was active in this episode (C = 0.5, large M).
    if (update != FusedUpdate::decaying_hebb) {
      torch::NoGradGuard no_grad;
      const auto out = episode(nf::plastic_step_reference, update, start, drives, modulations, 0.5);
      const auto traces = out.slice(0, steps * batch * n, steps * batch * n + batch * n * n);
      EXPECT_GT((traces.abs() == 0.5).sum().item<int64_t>(), 0);
    }
  }
}

TEST(FusedPlasticStep, InPlaceEpisodesMatchTheReferenceAndLeaveTheCallersTensorsAlone) {
  // 300 steps in place: snapshots are copies, and the tape's stride doubles once (from 8 to 16
  // after 256 steps), dropping every other snapshot.
  torch::manual_seed(6);
  const int64_t batch = 3, n = 6, steps = 300;
  for (const auto update : {FusedUpdate::retroactive, FusedUpdate::clipped_hebb,
                            FusedUpdate::decaying_hebb, FusedUpdate::eligibility_only}) {
    auto start = random_inputs(update, 2, batch, n, torch::kDouble, Shape::full, Shape::scalar,
                               Shape::full, Shape::full, 0.5, false);
    start.alpha = 0.3 * start.alpha;
    start.w = 0.5 * start.w;
    const auto drives = torch::randn({steps, batch, n}, torch::kDouble);
    const auto modulations = 2.0 * torch::randn({steps, batch, n}, torch::kDouble);
    const auto run = [&](StepFunction function, bool in_place, bool gradients) {
      auto in = start;
      const auto leaves = make_leaves(in, gradients);
      const auto traces_before = in.plastic.detach().clone();
      const auto out = episode(function, update, in, drives, modulations, 0.5, in_place);
      // The episode's first traces are the caller's: never overwritten.
      EXPECT_TRUE(torch::equal(in.plastic.detach(), traces_before));
      std::vector<torch::Tensor> results{out.detach()};
      if (gradients) {
        const auto loss = (out * neuromod::testing::detail::projection_like(out)).sum();
        for (auto& grad : torch::autograd::grad({loss}, leaves, {}, false, false, true)) {
          results.push_back(grad);
        }
      }
      return results;
    };
    // Backward keeps 4 of each segment's 7 recomputed steps (the other 3 are recomputed again).
    nf::set_fused_recompute_cache_bytes(4 * batch * n * n * 8 * (has_eligibility(update) ? 2 : 1));
    for (const bool gradients : {true, false}) {
      torch::AutoGradMode mode(gradients);
      const auto in_place = run(nf::fused_plastic_step, true, gradients);
      const auto reference = run(nf::plastic_step_reference, false, gradients);
      ASSERT_EQ(in_place.size(), reference.size());
      for (size_t k = 0; k < in_place.size(); ++k) {
        EXPECT_TRUE(close(in_place[k], reference[k], 1e-11))
            << neuromod::config::enum_name(update) << ", tensor " << k
            << (gradients ? "" : ", without gradients");
      }
    }
    nf::set_fused_recompute_cache_bytes(0);
  }
}

TEST(FusedPlasticStep, InPlaceOverwritesOnlyTracesAnEarlierStepMade) {
  torch::manual_seed(7);
  auto in = random_inputs(FusedUpdate::retroactive, 2, 2, 5, torch::kFloat, Shape::full,
                          Shape::scalar, Shape::none, Shape::none, 1.0, false);
  const auto options = nf::PlasticStepOptions(FusedUpdate::retroactive).in_place(true);
  const auto first = nf::fused_plastic_step(in, options);  // from the caller's tensors: new ones
  EXPECT_NE(first.plastic.data_ptr(), in.plastic.data_ptr());
  EXPECT_NE(first.eligibility.data_ptr(), in.eligibility.data_ptr());
  auto next = in;
  next.plastic = first.plastic;
  next.eligibility = first.eligibility;
  const auto expected = nf::plastic_step_reference(next, options);
  const auto second = nf::fused_plastic_step(next, options);  // from the first step's: in place
  EXPECT_EQ(second.plastic.data_ptr(), first.plastic.data_ptr());
  EXPECT_EQ(second.eligibility.data_ptr(), first.eligibility.data_ptr());
  EXPECT_TRUE(close(second.plastic, expected.plastic, 1e-6));
  EXPECT_TRUE(close(second.eligibility, expected.eligibility, 1e-6));
  EXPECT_TRUE(close(second.h, expected.h, 1e-6));
  // A view of those traces is not the whole buffer: never overwritten.
  next.plastic = second.plastic.view({2, 5, 5});
  next.eligibility = second.eligibility;
  const auto third = nf::fused_plastic_step(next, options);
  EXPECT_NE(third.plastic.data_ptr(), second.plastic.data_ptr());
}

TEST(FusedPlasticStep, TapeKeepsAtMostAQuarterOfTheTraces) {
  torch::manual_seed(4);
  const int64_t batch = 2, n = 32;
  for (const int64_t steps : {64, 200}) {
    auto start = random_inputs(FusedUpdate::retroactive, 2, batch, n, torch::kFloat, Shape::full,
                               Shape::scalar, Shape::none, Shape::none, 1.0, false);
    start.w.set_requires_grad(true);
    const auto drives = torch::randn({steps, batch, n});
    const auto modulations = torch::randn({steps, batch, n});
    const int64_t before = nf::fused_tape_memory().current_bytes;
    const int64_t every_step = steps * 2 * batch * n * n * 4;  // P and E of each step, float
    {
      const auto out = episode(nf::fused_plastic_step, FusedUpdate::retroactive, start, drives,
                               modulations, 1.0, /*in_place=*/steps == 200);
      const int64_t held = nf::fused_tape_memory().current_bytes - before;
      EXPECT_GT(held, 0);
      EXPECT_LE(held * 4, every_step) << steps << " steps: after forward";
      nf::reset_fused_tape_peak();
      out.sum().backward();
      const int64_t peak = nf::fused_tape_memory().peak_bytes - before;
      EXPECT_LE(peak * 4, every_step) << steps << " steps: peak in backward";
      EXPECT_TRUE(start.w.grad().defined());
    }
    EXPECT_EQ(nf::fused_tape_memory().current_bytes, before) << "a tape outlived its graph";
  }
}

TEST(FusedPlasticStep, RetainedGraphRunsBackwardTwice) {
  torch::manual_seed(5);
  auto start = random_inputs(FusedUpdate::retroactive, 1, 2, 5, torch::kDouble, Shape::full,
                             Shape::scalar, Shape::none, Shape::none, 1.0, false);
  start.w.set_requires_grad(true);
  const auto drives = torch::randn({11, 2, 5}, torch::kDouble);
  const auto modulations = torch::randn({11, 2, 5}, torch::kDouble);
  const auto out =
      episode(nf::fused_plastic_step, FusedUpdate::retroactive, start, drives, modulations, 1.0);
  const auto loss = (out * neuromod::testing::detail::projection_like(out)).sum();
  loss.backward({}, /*retain_graph=*/true);
  const auto first = start.w.grad().clone();
  loss.backward();
  EXPECT_TRUE(torch::allclose(start.w.grad(), 2 * first, 1e-12, 1e-14));
  EXPECT_THROW(loss.backward(), c10::Error);
}

TEST(FusedPlasticStep, PortableAndVectorLoopsAgree) {
  torch::manual_seed(6);
  const auto in = random_inputs(FusedUpdate::retroactive, 2, 3, 37, torch::kFloat, Shape::full,
                                Shape::scalar, Shape::full, Shape::full, 1.0, true);
  const auto options = nf::PlasticStepOptions(FusedUpdate::retroactive);
  const auto best = evaluate(nf::fused_plastic_step, in, options);
  const std::string best_set = nf::fused_instruction_set();
  nf::force_portable_fused_loops(true);
  EXPECT_EQ(nf::fused_instruction_set(), "portable");
  const auto portable = evaluate(nf::fused_plastic_step, in, options);
  nf::force_portable_fused_loops(false);
  EXPECT_EQ(nf::fused_instruction_set(), best_set);
  EXPECT_TRUE(close(best.outputs, portable.outputs, 1e-5));
  for (size_t k = 0; k < best.grads.size(); ++k) {
    EXPECT_TRUE(close(best.grads[k], portable.grads[k], 1e-5)) << "gradient " << k;
  }
}

TEST(FusedPlasticStep, OneAndTwoThreadsGiveTheSameGradients) {
  // One thread sums the α gradient straight into its tensor; two sum a chunk of samples each
  // and add the chunks under a lock.
  torch::manual_seed(8);
  const auto in = random_inputs(FusedUpdate::retroactive, 2, 4, 9, torch::kDouble, Shape::full,
                                Shape::scalar, Shape::full, Shape::full, 1.0, true);
  const auto options = nf::PlasticStepOptions(FusedUpdate::retroactive);
  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const auto one = evaluate(nf::fused_plastic_step, in, options);
  at::set_num_threads(2);
  const auto two = evaluate(nf::fused_plastic_step, in, options);
  at::set_num_threads(threads);
  const auto reference = evaluate(nf::plastic_step_reference, in, options);
  ASSERT_EQ(one.grads.size(), reference.grads.size());
  for (size_t k = 0; k < reference.grads.size(); ++k) {
    EXPECT_TRUE(close(one.grads[k], reference.grads[k], 1e-12)) << "1 thread, gradient " << k;
    EXPECT_TRUE(close(two.grads[k], reference.grads[k], 1e-12)) << "2 threads, gradient " << k;
  }
}

TEST(FusedPlasticStep, WithoutGradientsNoTapeIsKept) {
  torch::manual_seed(7);
  auto in = random_inputs(FusedUpdate::clipped_hebb, 2, 2, 4, torch::kFloat, Shape::full,
                          Shape::none, Shape::none, Shape::none, 1.0, false);
  in.w.set_requires_grad(true);
  const auto options = nf::PlasticStepOptions(FusedUpdate::clipped_hebb);
  const auto with_grad = nf::fused_plastic_step(in, options);
  const int64_t before = nf::fused_tape_memory().current_bytes;
  torch::NoGradGuard no_grad;
  const auto without = nf::fused_plastic_step(in, options);
  EXPECT_EQ(nf::fused_tape_memory().current_bytes, before);
  EXPECT_FALSE(without.h.requires_grad());
  EXPECT_TRUE(torch::equal(without.h, with_grad.h.detach()));
  EXPECT_TRUE(torch::equal(without.plastic, with_grad.plastic.detach()));
}

TEST(FusedPlasticStep, SaysWhatItCannotTake) {
  torch::manual_seed(8);
  const auto good = random_inputs(FusedUpdate::retroactive, 2, 2, 4, torch::kFloat, Shape::full,
                                  Shape::scalar, Shape::none, Shape::none, 1.0, false);
  const auto options = nf::PlasticStepOptions(FusedUpdate::retroactive);
  EXPECT_EQ(nf::fused_plastic_step_unsupported(good, options), "");

  const auto says = [&](nf::PlasticStepInputs in, const std::string& part) {
    const std::string why = nf::fused_plastic_step_unsupported(in, options);
    EXPECT_NE(why.find(part), std::string::npos) << "got: " << why;
    try {
      (void)nf::fused_plastic_step(in, options);
      ADD_FAILURE() << "expected an error containing " << part;
    } catch (const c10::Error& error) {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
    }
  };
  auto in = good;
  in.modulation = torch::ones({2, 4, 4});
  says(in, "m must broadcast to (B, N) = (2, 4)");
  in = good;
  in.eligibility = torch::Tensor();
  says(in, "E is missing");
  in = good;
  in.w = torch::ones({4, 5});
  says(in, "w must have shape");
  in = good;
  in.gain = torch::ones({2, 4}, torch::kDouble);
  says(in, "gain must be on the traces' device with their dtype");
  in = good;
  for (auto* tensor : tensors_of(in)) {
    if (tensor->defined()) *tensor = tensor->to(torch::kHalf);
  }
  says(in, "float32 and float64 only");
}
