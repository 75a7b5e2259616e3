// The recurrent core of Backpropamine's retroactive network alone (plastic layer plus the learned
// nucleus that sets its plasticity; no heads, no environment, no optimiser): forward with the
// graph and backward of one episode, as one `plastic_episode` operation and as the per-step
// fused step with the nucleus in tensor ops (how the network ran before), at the maze's
// (episode 200, batch 30, hidden 100) and cue–reward's (120, 30, 200) sizes, float. Prints the
// median milliseconds of each and the peak of the traces kept for backward.
//
// Run: build/bench/bench_plastic_episode [--repeats K] [--stride S]   (one thread)

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "neuromod/functional/fused_plastic.h"
#include "neuromod/functional/plastic_episode.h"

namespace nf = neuromod::functional;

namespace {

struct Size {
  const char* name;
  int64_t steps, batch, n;
};

struct Operands {
  torch::Tensor drive, w, alpha, rate, base, slope, nucleus_weight, nucleus_bias;
  std::vector<torch::Tensor> leaves() const {
    return {w, alpha, rate, base, slope, nucleus_weight, nucleus_bias};
  }
};

Operands make_operands(const Size& size) {
  torch::manual_seed(1);
  const auto leaf = [](torch::Tensor x) { return x.requires_grad_(true); };
  const int64_t n = size.n;
  Operands o;
  o.drive = torch::randn({size.steps, size.batch, n}).requires_grad_(true);
  o.w = leaf(0.9 / std::sqrt(static_cast<double>(n)) * torch::randn({n, n}));
  o.alpha = leaf(0.01 * torch::randn({n, n}));
  o.rate = leaf(torch::full({}, 0.1));
  o.base = leaf(torch::rand({n}) * 2 - 1);
  o.slope = leaf(torch::rand({n}) * 2 - 1);
  o.nucleus_weight = leaf(0.1 * torch::randn({n}));
  o.nucleus_bias = leaf(torch::zeros({}));
  return o;
}

int64_t episode_stride = 0;  // --stride: steps between snapshots (0: the operation's choice)

// The episode, one operation.
torch::Tensor run_episode(const Operands& o) {
  nf::PlasticEpisodeInputs in;
  in.drive = o.drive;
  in.w = o.w;
  in.alpha = o.alpha;
  in.rate = o.rate;
  in.modulation_base = o.base;
  in.modulation_slope = o.slope;
  in.nucleus_weight = o.nucleus_weight;
  in.nucleus_bias = o.nucleus_bias;
  return nf::plastic_episode(
      in, nf::PlasticEpisodeOptions(nf::FusedUpdate::retroactive).stride(episode_stride));
}

// The same episode step by step: the fused step, the nucleus and the receptor as tensor ops.
torch::Tensor run_steps(const Operands& o) {
  const int64_t batch = o.drive.size(1);
  const int64_t n = o.drive.size(2);
  nf::PlasticStepInputs step;
  step.w = o.w;
  step.alpha = o.alpha;
  step.rate = o.rate;
  step.h_last = torch::zeros({batch, n});
  step.h_before = torch::zeros({batch, n});
  step.plastic = torch::zeros({batch, n, n});
  step.eligibility = torch::zeros({batch, n, n});
  torch::Tensor level = torch::zeros({batch, 1});
  const auto options = nf::PlasticStepOptions(nf::FusedUpdate::retroactive).in_place(true);
  std::vector<torch::Tensor> outputs;
  for (int64_t t = 0; t < o.drive.size(0); ++t) {
    step.modulation = o.base + o.slope * level;
    step.drive = o.drive[t];
    auto out = nf::fused_plastic_step(step, options);
    step.h_before = step.h_last;
    step.h_last = out.h;
    step.plastic = std::move(out.plastic);
    step.eligibility = std::move(out.eligibility);
    level = torch::tanh(torch::mv(out.h, o.nucleus_weight) + o.nucleus_bias).unsqueeze(1);
    outputs.push_back(out.h);
  }
  return torch::stack(outputs);
}

double milliseconds(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

void measure(const Size& size, int repeats) {
  const Operands o = make_operands(size);
  const auto projection = torch::randn({size.steps, size.batch, size.n});
  std::printf("%s: episode %lld, batch %lld, hidden %lld, retroactive, per-connection alpha\n",
              size.name, static_cast<long long>(size.steps), static_cast<long long>(size.batch),
              static_cast<long long>(size.n));
  std::printf("  %-18s %12s %12s %12s %12s\n", "path", "no-grad ms", "forward ms", "backward ms",
              "tape MiB");
  for (const bool whole : {true, false}) {
    const auto run = whole ? run_episode : run_steps;
    std::vector<double> plain, forward, backward;
    double tape = 0;
    for (int k = 0; k < repeats + 1; ++k) {
      double p = 0;
      {
        torch::NoGradGuard no_grad;
        p = milliseconds([&] { run(o); });
      }
      nf::reset_fused_tape_peak();
      torch::Tensor hidden;
      const double f = milliseconds([&] { hidden = run(o); });
      const double b = milliseconds([&] { (hidden * projection).sum().backward(); });
      tape = static_cast<double>(nf::fused_tape_memory().peak_bytes) / (1 << 20);
      if (k == 0) continue;  // warm-up
      plain.push_back(p);
      forward.push_back(f);
      backward.push_back(b);
    }
    std::printf("  %-18s %12.1f %12.1f %12.1f %12.1f\n",
                whole ? "episode operation" : "fused steps", median(plain), median(forward),
                median(backward), tape);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 5;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--repeats") repeats = std::max(1, std::stoi(argv[i + 1]));
    if (std::string(argv[i]) == "--stride") episode_stride = std::max(0, std::stoi(argv[i + 1]));
  }
  torch::set_num_threads(1);
  measure({"maze", 200, 30, 100}, repeats);
  measure({"cue-reward", 120, 30, 200}, repeats);
  return 0;
}
