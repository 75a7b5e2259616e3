#include "neuromod/learning/supervised_experiment.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "neuromod/learning/experiment_archive.h"
#include "neuromod/learning/optimizer.h"
#include "neuromod/learning/parameter_groups.h"
#include "neuromod/record/names.h"
#include "neuromod/record/recorder.h"

namespace neuromod {

namespace {
// Examples per forward pass when evaluating (bounds memory, not results).
constexpr int64_t kEvalChunk = 2000;

torch::Tensor rows(const torch::Tensor& tensor, const torch::Tensor& indices) {
  return tensor.defined() ? tensor.index_select(0, indices) : torch::Tensor();
}
}  // namespace

SupervisedExperiment::SupervisedExperiment(ClassificationData data, LabelContexts contexts,
                                           ModulatedNetwork model, LearningOptions learning,
                                           int64_t seed)
    : data_(std::move(data)),
      contexts_(std::move(contexts)),
      model_(std::move(model)),
      learning_(learning),
      seed_(seed) {
  LayerParameterGroups grouped = layer_parameter_groups(*model_);
  group_layers_ = grouped.layers;
  optimizer_ = make_optimizer(learning_, std::move(grouped.groups));
}

std::vector<std::string> SupervisedExperiment::metric_names() const {
  return {"loss", "accuracy", "test_loss", "test_accuracy"};
}

torch::Tensor SupervisedExperiment::batch_indices(int64_t step) {
  const int64_t examples = data_.train_inputs.size(0);
  const int64_t batch = std::min(learning_.batch_size, examples);
  const int64_t batches_per_epoch = examples / batch;  // the ragged tail is dropped
  const int64_t epoch = (step - 1) / batches_per_epoch;
  const int64_t position = (step - 1) % batches_per_epoch;
  if (epoch != permutation_epoch_) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(
        static_cast<uint64_t>(seed_) * 1000003u + static_cast<uint64_t>(epoch));
    permutation_ = torch::randperm(examples, generator, torch::kInt64);
    permutation_epoch_ = epoch;
  }
  return permutation_.narrow(0, position * batch, batch);
}

MetricValues SupervisedExperiment::train_step(int64_t step) {
  model_->train();
  const torch::Tensor indices = batch_indices(step);
  const torch::Tensor inputs = data_.train_inputs.index_select(0, indices);
  const torch::Tensor targets = data_.train_targets.index_select(0, indices);

  SourceSignals signals;
  signals.context = rows(contexts_.train, indices);
  signals.training_step = step - 1;
  signals.epoch = (step - 1) * learning_.batch_size / data_.train_inputs.size(0);
  signals.loss = last_loss_;
  const auto initial = model_->initial_state(inputs.size(0), step - 1);
  const NetworkStep result = model_->step(inputs, initial, signals);

  optimizer_->zero_grad();
  const torch::Tensor loss = torch::nn::functional::cross_entropy(result.output, targets);
  loss.backward();
  clip_gradients(model_->parameters(), learning_.clip_grad);
  apply_learning_rates(*optimizer_, group_layers_, learning_.lr,
                       model_->learner_effects(result.state));
  optimizer_->step();

  const double loss_value = loss.item<double>();
  last_loss_ = loss_value;
  steps_done_ = step;
  const double accuracy =
      result.output.argmax(1).eq(targets).to(torch::kFloat64).mean().item<double>();
  if (recorder_ != nullptr && recorder_->records_step(step)) {
    auto recorded = model_->recordables(result.state);
    recorded[names::task_signal("label")] = targets;
    recorded[names::task_signal("loss")] = loss.detach();
    recorder_->record(step, 0, recorded);
  }
  return {{"loss", loss_value}, {"accuracy", accuracy}};
}

MetricValues SupervisedExperiment::evaluate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  // Sources with memory (meta, loss_change, uncertainty) keep it in buffers; evaluating must
  // not move them, or how often a run evaluates would change how it trains.
  std::vector<torch::Tensor> buffers = model_->buffers();
  std::vector<torch::Tensor> saved;
  for (const auto& buffer : buffers) saved.push_back(buffer.clone());
  const int64_t examples = data_.test_inputs.size(0);
  double loss_sum = 0.0;
  int64_t correct = 0;
  for (int64_t start = 0; start < examples; start += kEvalChunk) {
    const int64_t count = std::min(kEvalChunk, examples - start);
    const auto inputs = data_.test_inputs.narrow(0, start, count);
    const auto targets = data_.test_targets.narrow(0, start, count);
    const auto context =
        contexts_.test.defined() ? contexts_.test.narrow(0, start, count) : torch::Tensor();
    const auto logits = model_->forward(inputs, context, steps_done_);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, targets,
                    torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(targets).sum().item<int64_t>();
  }
  for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
  return {{"test_loss", loss_sum / static_cast<double>(examples)},
          {"test_accuracy", static_cast<double>(correct) / static_cast<double>(examples)}};
}

void SupervisedExperiment::save(torch::serialize::OutputArchive& archive) {
  write_model_and_optimizer(archive, *model_, *optimizer_);
  archive.write("last_loss", torch::tensor(last_loss_.value_or(NAN), torch::kFloat64));
  archive.write("steps_done", torch::tensor(steps_done_));
}

void SupervisedExperiment::load(torch::serialize::InputArchive& archive) {
  read_model_and_optimizer(archive, *model_, *optimizer_);
  torch::Tensor last_loss;
  archive.read("last_loss", last_loss);
  const double value = last_loss.item<double>();
  last_loss_ = std::isnan(value) ? std::nullopt : std::optional<double>(value);
  torch::Tensor steps_done;
  archive.read("steps_done", steps_done);
  steps_done_ = steps_done.item<int64_t>();
}

}  // namespace neuromod
