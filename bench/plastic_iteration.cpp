// What one A2C training iteration of Backpropamine's experiments costs on each path of the
// plastic-recurrent layer (issue 4, "Speed"): the episode replayed as one operation (fused: auto,
// models/episode_replay.h), fused steps with the graph (fused: step) and the generic ops (fused:
// off): milliseconds per iteration (environment, forward, backward and optimiser; median), an
// analytic FLOP count, GFLOP/s, the iteration's peak memory and trace tape, and two parts of the
// time (the network's forward without gradients, i.e. an episode's play, and the environment
// alone). bench_plastic_episode times the recurrent core alone.
//
// Run from the checkout: build/bench/bench_plastic_iteration [--threads N] [--repeats K]
//   [--case maze|cue-reward] [--fused-only] [--episode-only] [--ops]
// (threads: N, else OMP_NUM_THREADS, else 1). --ops instead prints the LibTorch operations one
// fused training iteration dispatches, by name, with calls per episode step and time. Each
// measurement runs in a child process of its own, so that the peak resident memory it reports
// (getrusage ru_maxrss) is its own.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "neuromod/app/experiment_factory.h"
#include "neuromod/config/document.h"
#include "neuromod/config/run_config.h"
#include "neuromod/functional/fused_plastic.h"
#include "neuromod/functional/hebbian.h"
#include "neuromod/layers/plastic_recurrent.h"
#include "neuromod/learning/experiment.h"
#include "neuromod/tasks/task_factory.h"
#include "neuromod/tasks/task_shape.h"

namespace {

using namespace neuromod;
using Clock = std::chrono::steady_clock;

struct Case {
  std::string name;
  std::string config;  // under examples/plasticity
};

// What a child process measures and sends back.
struct Figures {
  double iteration_ms = 0;    // median train_step
  double forward_ms = 0;      // evaluate(): environment + network forward, no gradients
  double environment_ms = 0;  // reset + episode_length steps with random actions
  double peak_mib = 0;        // ru_maxrss after the iterations − before the first
  double tape_peak_mib = 0;   // the fused steps' tapes at their peak
  double flops = 0;           // per iteration, analytic
  double traces_mib = 0;      // P and E of every step of one episode (what plain BPTT keeps)
  int64_t batch = 0, steps = 0, units = 0, inputs = 0;
};

double now_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double max_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

std::filesystem::path config_path(const std::string& file) {
  for (const std::filesystem::path& dir :
       {std::filesystem::path("examples/plasticity"),
        std::filesystem::path(__FILE__).parent_path() / "../examples/plasticity"}) {
    if (std::filesystem::exists(dir / file)) return dir / file;
  }
  throw std::runtime_error("cannot find examples/plasticity/" + file +
                           "; run from the checkout's root");
}

RunConfig load(const std::string& file, int threads, FusedMode fused) {
  RunConfig config = load_run_config(config::Document::load_file(config_path(file)));
  config.threads = threads;
  config.learning.burn_in = 0;  // every iteration trains
  for (auto& layer : config.layers) layer.fused = fused;
  return config;
}

// Analytic FLOPs of one iteration (multiplications and additions of the equations as written,
// clamps and activations not counted; backward taken as twice the forward): per step and sample
// the plastic layer does P' = clip(P + M E) (2N²), E' = (1 − η) E + η h⊗h (4N²), α ⊙ P' (N²),
// h (α ⊙ P') and h w (2N² each), W_in x (2 N N_in); heads and modulator ≈ 2N(A + 1) + 4N.
double iteration_flops(int64_t batch, int64_t steps, int64_t units, int64_t inputs,
                       int64_t actions) {
  const double n = static_cast<double>(units);
  const double forward = 11 * n * n + 2 * n * static_cast<double>(inputs) +
                         2 * n * static_cast<double>(actions + 1) + 4 * n;
  return 3 * forward * static_cast<double>(batch * steps);
}

Figures measure(const Case& experiment, int threads, FusedMode fused, int repeats) {
  Figures figures;
  const RunConfig config = load(experiment.config, threads, fused);
  const NetworkShape shape = task_shape(config.task);
  auto environment = make_environment(config.task);
  figures.batch = config.learning.batch_size;
  figures.steps = environment->episode_length();
  figures.units = config.layers.front().size;
  figures.inputs = shape.inputs;
  figures.flops = iteration_flops(figures.batch, figures.steps, figures.units, figures.inputs,
                                  environment->action_count());
  const bool eligibility = config.layers.front().plasticity == PlasticityRule::retroactive;
  figures.traces_mib = static_cast<double>(figures.steps * figures.batch * figures.units *
                                           figures.units * 4 * (eligibility ? 2 : 1)) /
                       (1024.0 * 1024.0);

  auto run = make_experiment(config);  // sets the thread count and the seed
  const double rss_before = max_rss_mib();
  functional::reset_fused_tape_peak();
  const double tape_before = static_cast<double>(functional::fused_tape_memory().current_bytes);
  std::vector<double> times;
  for (int i = 0; i <= repeats; ++i) {
    const auto start = Clock::now();
    run->train_step(i + 1);
    if (i > 0) times.push_back(now_ms(start));  // the first is a warm-up
  }
  figures.iteration_ms = median(times);
  figures.peak_mib = max_rss_mib() - rss_before;
  figures.tape_peak_mib =
      (static_cast<double>(functional::fused_tape_memory().peak_bytes) - tape_before) /
      (1024.0 * 1024.0);

  std::vector<double> forward;
  for (int i = 0; i < std::max(2, repeats / 2); ++i) {
    const auto start = Clock::now();
    run->evaluate();
    forward.push_back(now_ms(start));
  }
  figures.forward_ms = median(forward);

  std::mt19937_64 rng(7);
  std::vector<double> env_times;
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    environment->reset(figures.batch, rng);
    for (int64_t t = 0; t < figures.steps; ++t) {
      environment->step(torch::randint(environment->action_count(), {figures.batch}, torch::kInt64),
                        rng);
    }
    env_times.push_back(now_ms(start));
  }
  figures.environment_ms = median(env_times);
  return figures;
}

// The operations of one training iteration, by name, from LibTorch's RecordFunction callbacks
// (forward ops and autograd's backward nodes). Time is inclusive: an op that calls others is
// charged for them too, so only the `top level` column adds up to the iteration.
struct OpCensus {
  struct Entry {
    int64_t calls = 0, top_level_calls = 0;
    double ms = 0, top_level_ms = 0;
  };
  std::map<std::string, Entry> entries;
  int depth = 0;  // of the ops running now (the callbacks run on the training thread)
};
OpCensus* census_in_progress = nullptr;

struct OpStart : at::ObserverContext {
  Clock::time_point start;
  bool top_level = false;
};

std::unique_ptr<at::ObserverContext> census_op_start(const at::RecordFunction&) {
  auto context = std::make_unique<OpStart>();
  context->top_level = census_in_progress->depth++ == 0;
  context->start = Clock::now();
  return context;
}

void census_op_end(const at::RecordFunction& function, at::ObserverContext* context) {
  const auto* started = static_cast<OpStart*>(context);
  const double ms = now_ms(started->start);
  OpCensus::Entry& entry = census_in_progress->entries[function.name()];
  entry.calls += 1;
  entry.ms += ms;
  if (started->top_level) {
    entry.top_level_calls += 1;
    entry.top_level_ms += ms;
  }
  census_in_progress->depth -= 1;
}

void print_op_census(const Case& experiment, int threads) {
  const RunConfig config = load(experiment.config, threads, FusedMode::automatic);
  auto run = make_experiment(config);
  run->train_step(1);  // warm-up, uncounted
  OpCensus census;
  census_in_progress = &census;
  const auto handle = at::addGlobalCallback(
      at::RecordFunctionCallback(census_op_start, census_op_end)
          .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
  const auto start = Clock::now();
  run->train_step(2);
  const double total_ms = now_ms(start);
  at::removeCallback(handle);
  census_in_progress = nullptr;

  const double steps = static_cast<double>(make_environment(config.task)->episode_length());
  std::vector<std::pair<std::string, OpCensus::Entry>> rows(census.entries.begin(),
                                                            census.entries.end());
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
  int64_t top_level_calls = 0;
  for (const auto& [name, entry] : rows) top_level_calls += entry.top_level_calls;
  std::printf("%s: one iteration (with the callbacks) %.1f ms, %.1f top-level ops per step\n",
              experiment.name.c_str(), total_ms, static_cast<double>(top_level_calls) / steps);
  std::printf("  %-56s %10s %10s %12s %12s\n", "op", "calls/step", "top/step", "incl. ms",
              "top-level ms");
  for (std::size_t i = 0; i < rows.size() && i < 40; ++i) {
    const auto& [name, entry] = rows[i];
    std::printf("  %-56s %10.2f %10.2f %12.2f %12.2f\n", name.substr(0, 56).c_str(),
                static_cast<double>(entry.calls) / steps,
                static_cast<double>(entry.top_level_calls) / steps, entry.ms, entry.top_level_ms);
  }
  std::printf("\n");
}

// Runs `measure` in a child process and reads its figures back through a pipe.
Figures in_child(const std::function<Figures()>& measure) {
  int channel[2];
  if (pipe(channel) != 0) throw std::runtime_error("pipe failed");
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    close(channel[0]);
    Figures figures;
    try {
      figures = measure();
    } catch (const std::exception& error) {
      std::fprintf(stderr, "measurement failed: %s\n", error.what());
      _exit(1);
    }
    const bool written = write(channel[1], &figures, sizeof figures) == sizeof figures;
    _exit(written ? 0 : 1);
  }
  close(channel[1]);
  Figures figures;
  const bool read_all = read(channel[0], &figures, sizeof figures) == sizeof figures;
  close(channel[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!read_all || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("a measurement process failed");
  }
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  if (const char* omp = std::getenv("OMP_NUM_THREADS")) threads = std::max(1, std::atoi(omp));
  int repeats = 5;
  bool with_generic = true;
  bool with_steps = true;
  bool ops = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--threads" && i + 1 < argc) threads = std::stoi(argv[i + 1]);
    if (flag == "--repeats" && i + 1 < argc) repeats = std::stoi(argv[i + 1]);
    if (flag == "--case" && i + 1 < argc) only = argv[i + 1];         // "maze" or "cue-reward"
    if (flag == "--fused-only") with_generic = false;                 // skip the slow reference
    if (flag == "--episode-only") with_generic = with_steps = false;  // A/B timing of one path
    if (flag == "--ops") ops = true;
  }
  std::vector<Case> experiments;
  for (const Case& c : std::vector<Case>{{"maze (modul)", "maze_modul.yaml"},
                                         {"cue-reward (modul)", "cue_reward_modul.yaml"}}) {
    if (only.empty() || c.name.rfind(only, 0) == 0) experiments.push_back(c);
  }
  if (ops) {
    for (const auto& experiment : experiments) print_op_census(experiment, threads);
    return 0;
  }

  std::printf(
      "neuromod plastic iteration: one A2C training iteration (environment, forward, backward, "
      "Adam) of Backpropamine's experiments, %d thread(s), fused loops: %s; median of %d "
      "iterations (generic path: %d) after a warm-up\n\n",
      threads, functional::fused_instruction_set().c_str(), repeats, std::max(1, repeats / 2));
  for (const auto& experiment : experiments) {
    const Figures episode =
        in_child([&] { return measure(experiment, threads, FusedMode::automatic, repeats); });
    const Figures steps =
        with_steps
            ? in_child([&] { return measure(experiment, threads, FusedMode::step, repeats); })
            : Figures{};
    const Figures generic = with_generic ? in_child([&] {
      return measure(experiment, threads, FusedMode::off, std::max(1, repeats / 2));
    })
                                         : Figures{};
    std::printf("%s: batch %lld, episode %lld, hidden %lld, inputs %lld; %.2f GFLOP/iteration\n",
                experiment.name.c_str(), static_cast<long long>(episode.batch),
                static_cast<long long>(episode.steps), static_cast<long long>(episode.units),
                static_cast<long long>(episode.inputs), episode.flops * 1e-9);
    std::printf("  %-22s %10s %9s %12s %12s %10s %10s\n", "path", "ms/iter", "GFLOP/s",
                "no-grad fwd", "environment", "peak MiB", "tape MiB");
    const std::pair<const char*, const Figures*> rows[] = {{"episode (fused: auto)", &episode},
                                                           {"steps (fused: step)", &steps},
                                                           {"generic (fused: off)", &generic}};
    for (const auto& [name, figures] : rows) {
      if ((figures == &generic && !with_generic) || (figures == &steps && !with_steps)) continue;
      std::printf("  %-22s %10.1f %9.2f %12.1f %12.1f %10.1f %10.1f\n", name, figures->iteration_ms,
                  figures->flops / (figures->iteration_ms * 1e6), figures->forward_ms,
                  figures->environment_ms, figures->peak_mib, figures->tape_peak_mib);
    }
    if (with_steps) {
      std::printf("  speed-up of the episode path: %.2fx over fused steps",
                  steps.iteration_ms / episode.iteration_ms);
      if (with_generic) {
        std::printf(", %.1fx over the generic ops; peak memory episode/generic %.2f",
                    generic.iteration_ms / episode.iteration_ms,
                    episode.peak_mib / std::max(generic.peak_mib, 1e-9));
      }
      std::printf("\n");
    }
    std::printf("  traces of every step would be %.1f MiB\n\n", episode.traces_mib);
  }
  return 0;
}
