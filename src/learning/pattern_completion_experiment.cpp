#include "neuromod/learning/pattern_completion_experiment.h"

#include <torch/torch.h>

#include "neuromod/learning/experiment_archive.h"
#include "neuromod/learning/optimizer.h"
#include "neuromod/learning/parameter_groups.h"
#include "neuromod/record/names.h"
#include "neuromod/record/recorder.h"

namespace neuromod {

PatternCompletionExperiment::PatternCompletionExperiment(PatternCompletionOptions task,
                                                         int64_t test_episodes,
                                                         ModulatedNetwork model,
                                                         LearningOptions learning, int64_t seed)
    : task_(task),
      model_(std::move(model)),
      learning_(learning),
      rng_(static_cast<uint64_t>(seed)) {
  std::mt19937_64 test_rng(static_cast<uint64_t>(seed) + 1);
  test_set_ = make_pattern_batch(task_, test_episodes, test_rng);
  LayerParameterGroups grouped = layer_parameter_groups(*model_);
  group_layers_ = grouped.layers;
  optimizer_ = make_optimizer(learning_, std::move(grouped.groups));
}

std::vector<std::string> PatternCompletionExperiment::metric_names() const {
  return {"loss", "bit_error", "test_loss", "test_bit_error"};
}

NetworkStep PatternCompletionExperiment::run_episodes(const PatternBatch& batch,
                                                      int64_t training_step, int64_t record_step) {
  const int64_t episodes = batch.inputs.size(1);
  NetworkStep result{torch::Tensor(), model_->initial_state(episodes, training_step)};
  for (int64_t t = 0; t < batch.inputs.size(0); ++t) {
    SourceSignals signals;
    signals.time_step = t;
    signals.training_step = training_step;
    result = model_->step(batch.inputs[t], result.state, signals);
    if (record_step > 0) recorder_->record(record_step, t, model_->recordables(result.state));
  }
  return result;
}

MetricValues PatternCompletionExperiment::train_step(int64_t step) {
  model_->train();
  const PatternBatch batch = make_pattern_batch(task_, learning_.batch_size, rng_);
  const bool recording = recorder_ != nullptr && recorder_->records_step(step);
  const NetworkStep episode = run_episodes(batch, step - 1, recording ? step : 0);
  const torch::Tensor& output = episode.output;
  const int64_t bits = batch.target.size(1);
  const torch::Tensor loss = torch::mse_loss(output.narrow(1, 0, bits), batch.target);
  optimizer_->zero_grad();
  loss.backward();
  clip_gradients(model_->parameters(), learning_.clip_grad);
  apply_learning_rates(*optimizer_, group_layers_, learning_.lr,
                       model_->learner_effects(episode.state));
  optimizer_->step();
  steps_done_ = step;
  return {{"loss", loss.item<double>()}, {"bit_error", bit_error_rate(output.detach(), batch)}};
}

MetricValues PatternCompletionExperiment::evaluate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  const torch::Tensor output = run_episodes(test_set_, steps_done_).output;
  const int64_t bits = test_set_.target.size(1);
  return {
      {"test_loss", torch::mse_loss(output.narrow(1, 0, bits), test_set_.target).item<double>()},
      {"test_bit_error", bit_error_rate(output, test_set_)}};
}

void PatternCompletionExperiment::save(torch::serialize::OutputArchive& archive) {
  write_model_and_optimizer(archive, *model_, *optimizer_);
  write_generator(archive, "rng", rng_);
  archive.write("steps_done", torch::tensor(steps_done_));
}

void PatternCompletionExperiment::load(torch::serialize::InputArchive& archive) {
  const std::mt19937_64 rng = read_generator(archive, "rng");
  read_model_and_optimizer(archive, *model_, *optimizer_);
  rng_ = rng;
  torch::Tensor steps_done;
  archive.read("steps_done", steps_done);
  steps_done_ = steps_done.item<int64_t>();
}

}  // namespace neuromod
