// What recording costs: training steps per second of an actor–critic agent (a modulated
// plastic recurrent network on cue–reward association) without recording, with a typical
// recording config, and with everything recorded at every step; printed as ratios.
//
// Run: build/bench/bench_recording [--threads N] (default 1)

#include <torch/torch.h>

#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "neuromod/app/experiment_factory.h"
#include "neuromod/config/document.h"
#include "neuromod/config/run_config.h"
#include "neuromod/record/recorder.h"

namespace {

using namespace neuromod;

constexpr int64_t kSteps = 40;

// A mid-sized Backpropamine agent: hidden 100, batch 16, episodes of 60 steps.
constexpr const char* kAgent = R"(
name: bench-recording
seed: 1
task: {kind: cue_reward, cues: 4, cue_bits: 20, episode_length: 60}
layers:
  - {name: rnn, kind: plastic_recurrent, size: 100, plasticity: retroactive, clip: 1.0}
  - {name: policy, kind: linear, from: rnn, size: 2, activation: identity}
  - {name: value, kind: linear, from: rnn, size: 1, activation: identity}
modulators:
  - {name: DA, tau: 1, range: [-1, 1], source: {kind: learned, reads: rnn, out: tanh}}
projections:
  - {modulator: DA, target: rnn.all.synapse, effect: plasticity,
     receptor: {kind: linear, fanout: learned}}
learning: {algorithm: a2c, lr: 1.0e-4, batch_size: 16, steps: 40, burn_in: 0}
)";

struct Setting {
  const char* name;
  const char* record;  // the record: section, YAML
};

// Training steps per second over kSteps steps, recording as `record` says.
double steps_per_second(const std::string& record, int threads,
                        const std::filesystem::path& directory) {
  RunConfig config =
      load_run_config(config::Document::parse(std::string(kAgent) + record, "bench"));
  config.threads = threads;
  auto experiment = make_experiment(config);
  Recorder recorder(config.record, directory, kSteps);
  experiment->set_recorder(&recorder);
  experiment->train_step(1);  // warm-up (allocations, first-call costs); records step 1
  const auto start = std::chrono::steady_clock::now();
  for (int64_t step = 2; step <= kSteps; ++step) experiment->train_step(step);
  recorder.flush();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return static_cast<double>(kSteps - 1) / seconds;
}

std::uintmax_t directory_bytes(const std::filesystem::path& directory) {
  std::uintmax_t bytes = 0;
  if (!std::filesystem::exists(directory)) return 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--threads") threads = std::stoi(argv[i + 1]);
  }
  const Setting settings[] = {
      {"no recording", ""},
      {"typical: every 10 steps, levels, 20 units, trace summary, reward",
       "record: {every: 10, signals: [modulators/*/level, {name: layers/rnn/output, units: "
       "'0:20'}, layers/rnn/state/hebb, task/reward]}\n"},
      {"heavy: every step, all units of all episodes, all effects, traces summarised",
       "record: {every: 1, signals: [{name: 'layers/*/output', batch: []}, {name: "
       "'modulators/*/level', batch: []}, {name: 'effects/*/*', batch: []}, {name: "
       "'layers/rnn/state/*', batch: []}, {name: 'task/*', batch: []}]}\n"},
  };
  const auto scratch = std::filesystem::temp_directory_path() /
                       ("neuromod-bench-recording-" + std::to_string(::getpid()));
  std::printf(
      "recording cost: cue-reward agent, hidden 100, batch 16, episode 60, %lld steps, "
      "%d thread(s)\n",
      static_cast<long long>(kSteps), threads);
  std::printf("%-80s %10s %8s %10s\n", "setting", "steps/s", "ratio", "disk MiB");
  double baseline = 0.0;
  int index = 0;
  for (const auto& setting : settings) {
    const auto directory = scratch / std::to_string(index++);
    const double rate = steps_per_second(setting.record, threads, directory);
    if (baseline == 0.0) baseline = rate;
    std::printf("%-80s %10.2f %8.3f %10.2f\n", setting.name, rate, baseline / rate,
                static_cast<double>(directory_bytes(directory)) / (1024.0 * 1024.0));
  }
  std::printf("ratio = time per step with recording / without (1.000 = free)\n");
  std::filesystem::remove_all(scratch);
  return 0;
}
