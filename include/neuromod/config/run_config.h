#pragma once
/// A run's whole configuration: the YAML file a user writes, as typed options.
///
///   name: quickstart
///   seed: 1
///   threads: 2
///   task: {kind: fashion_mnist, train_examples: 20000}
///   layers:
///     - {name: hidden, kind: linear, size: 128, activation: relu}
///     - {name: output, kind: linear, activation: identity}
///   learning: {optimizer: adam, lr: 1.0e-3, steps: 1500, batch_size: 64}
///   log: {every: 50, eval_every: 500}
///   checkpoint: {every: 500, keep_last: 3}
///   record: {every: 500, signals: [layers/hidden/output]}

#include <cstdint>
#include <string>
#include <vector>

#include "neuromod/config/checks.h"
#include "neuromod/config/document.h"
#include "neuromod/layers/layer_options.h"
#include "neuromod/learning/learning_options.h"
#include "neuromod/learning/trainer_options.h"
#include "neuromod/modulation/modulation_options.h"
#include "neuromod/record/record_options.h"
#include "neuromod/tasks/task_options.h"

namespace neuromod {

/// Every option of a run.
struct RunConfig {
  std::string name = "run";  ///< prefix of the run directory's name
  int64_t seed = 1;          ///< seeds LibTorch's generator and the data order
  int64_t threads = 2;       ///< LibTorch intra-op threads (recorded in meta.json)
  TaskOptions task;
  std::vector<LayerOptions> layers;
  std::vector<ModulatorOptions> modulators;
  std::vector<ProjectionOptions> projections;
  std::vector<InteractionOptions> interactions;
  std::vector<BrainStateOptions> states;
  std::vector<StateSegmentOptions> state_cycle;
  LearningOptions learning;
  LogOptions log;
  CheckpointOptions checkpoint;
  RecordOptions record;

  template <class V>
  void visit(V& v) {
    using namespace config::check;
    v("name", name, "run name (the run directory is <name>-<timestamp>)", non_empty());
    v("seed", seed, "random seed", at_least(int64_t{0}));
    v("threads", threads, "LibTorch intra-op threads", at_least(int64_t{1}));
    v("task", task, "the task to learn");
    v("layers", layers, "the network's layers, input to output");
    v("modulators", modulators, "neuromodulators: level dynamics and source");
    v("projections", projections, "where each modulator acts: target, receptor, effect");
    v("interactions", interactions, "modulators scaling or opposing other modulators");
    v("states", states, "named brain states: tonic baselines of modulators");
    v("state_cycle", state_cycle, "repeating cycle of brain states over training steps");
    v("learning", learning, "how parameters are trained");
    v("log", log, "when metrics are written");
    v("checkpoint", checkpoint, "when checkpoints are written");
    v("record", record, "what is recorded to recordings/ during training (as .npy)");
  }
};

/// Reads and validates a run's config (types, ranges, unknown keys, and the rules that
/// relate several keys). Throws config::ConfigError naming the key, value and origin.
RunConfig load_run_config(const config::Document& document);

/// The modulation sections of a config, as the network takes them.
ModulationOptions modulation_options(const RunConfig& config);

/// The resolved config as YAML, every default written out.
std::string run_config_yaml(const RunConfig& config);

}  // namespace neuromod
