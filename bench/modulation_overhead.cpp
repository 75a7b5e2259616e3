// What neuromodulation costs: forward + backward time of each layer kind over a short
// episode, without modulators and with a learned modulator acting on it, and their ratio.
//
// Run: build/bench/bench_modulation_overhead [--threads N] (default 1)

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "neuromod/config/document.h"
#include "neuromod/config/reader.h"
#include "neuromod/config/run_config.h"
#include "neuromod/models/modulated_network.h"

namespace {

using namespace neuromod;

constexpr int64_t kBatch = 32;
constexpr int64_t kInputs = 64;
constexpr int64_t kUnits = 128;
constexpr int64_t kSteps = 20;

struct Case {
  std::string name;
  std::string layer;        // the layer entry under test
  std::string projections;  // what the modulator does to it
};

ModulatedNetwork build(const std::string& yaml) {
  RunConfig config = config::read_options<RunConfig>(config::Document::parse(yaml, "bench"));
  for (auto& layer : config.layers) {
    if (!layer.activation) layer.activation = default_activation(layer.kind);
  }
  return ModulatedNetwork(config.layers, modulation_options(config), NetworkShape{kInputs, 8, 0});
}

// Milliseconds per forward + backward pass over an episode of kSteps steps (median of runs).
double time_episode(ModulatedNetwork& network) {
  const auto inputs = torch::randn({kSteps, kBatch, kInputs});
  auto once = [&] {
    auto state = network->initial_state(kBatch);
    torch::Tensor loss = torch::zeros({});
    for (int64_t t = 0; t < kSteps; ++t) {
      auto step = network->step(inputs[t], state, {});
      loss = loss + step.output.pow(2).mean();
      state = std::move(step.state);
    }
    network->zero_grad();
    loss.backward();
  };
  for (int i = 0; i < 3; ++i) once();
  std::vector<double> times;
  for (int i = 0; i < 15; ++i) {
    const auto start = std::chrono::steady_clock::now();
    once();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--threads") threads = std::stoi(argv[i + 1]);
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  const std::string size = std::to_string(kUnits);
  const std::string modulator =
      "modulators: [{name: X, tau: 1, source: {kind: learned, reads: under_test, out: "
      "sigmoid}}]\n";
  const std::string soma =
      "  - {modulator: X, target: under_test.all.soma, effect: gain,\n"
      "     receptor: {kind: linear, offset: 1, fanout: learned}}\n"
      "  - {modulator: X, target: under_test.all.soma, effect: bias, receptor: {kind: linear}}\n";
  const std::vector<Case> cases{
      {"linear", "{name: under_test, kind: linear, size: " + size + "}", soma},
      {"plastic_recurrent (simple)",
       "{name: under_test, kind: plastic_recurrent, size: " + size + ", plasticity: simple}",
       soma + "  - {modulator: X, target: under_test.all.synapse, effect: plasticity,\n"
              "     receptor: {kind: linear, fanout: learned}}\n"},
      {"plastic_recurrent (retroactive)",
       "{name: under_test, kind: plastic_recurrent, size: " + size + ", plasticity: retroactive}",
       soma + "  - {modulator: X, target: under_test.all.synapse, effect: plasticity,\n"
              "     receptor: {kind: linear, fanout: learned}}\n"},
      {"plastic_lstm",
       "{name: under_test, kind: plastic_lstm, size: " + size +
           ", plasticity: simple, alpha: per_neuron, clip: 2}",
       "  - {modulator: X, target: under_test.all.synapse, effect: plasticity,\n"
       "     receptor: {kind: linear, fanout: learned}}\n"},
      {"dendritic", "{name: under_test, kind: dendritic, size: " + size + "}",
       "  - {modulator: X, target: under_test.all.apical, effect: coupling,\n"
       "     receptor: {kind: linear, offset: 1}}\n" +
           soma},
  };

  std::printf(
      "neuromod modulation overhead: batch %lld, %lld inputs, %lld units, %lld steps, "
      "%d thread(s); forward + backward per episode, median of 15\n\n",
      static_cast<long long>(kBatch), static_cast<long long>(kInputs),
      static_cast<long long>(kUnits), static_cast<long long>(kSteps), threads);
  std::printf("%-34s %14s %14s %8s\n", "layer", "plain ms", "modulated ms", "ratio");
  for (const auto& test : cases) {
    const std::string layers = "layers:\n  - " + test.layer + "\n  - {name: out, size: 8}\n";
    auto plain = build(layers);
    auto modulated = build(layers + modulator + "projections:\n" + test.projections);
    const double plain_ms = time_episode(plain);
    const double modulated_ms = time_episode(modulated);
    std::printf("%-34s %14.2f %14.2f %8.2f\n", test.name.c_str(), plain_ms, modulated_ms,
                modulated_ms / plain_ms);
  }
  return 0;
}
