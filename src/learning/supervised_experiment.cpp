#include "neuromod/learning/supervised_experiment.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "neuromod/learning/optimizer.h"

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
  // One parameter group per layer (its learning rate can be modulated), one for the rest.
  std::vector<torch::optim::OptimizerParamGroup> groups;
  std::size_t grouped = 0;
  for (const auto& layer : model_->layers()) {
    auto parameters = model_->layer_parameters(layer.name);
    if (parameters.empty()) continue;
    grouped += parameters.size();
    groups.emplace_back(parameters);
    group_layers_.push_back(layer.name);
  }
  std::vector<torch::Tensor> rest = model_->modulation()->parameters();
  if (!rest.empty()) {
    groups.emplace_back(rest);
    group_layers_.push_back("");
  }
  TORCH_CHECK(grouped + rest.size() == model_->parameters().size(),
              "every parameter belongs to one optimiser group");
  optimizer_ = make_optimizer(learning_, std::move(groups));
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

void SupervisedExperiment::apply_learning_rates(const LearnerEffects& effects) {
  auto& groups = optimizer_->param_groups();
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto found = effects.learning_rate.find(group_layers_[i]);
    const double multiplier = found == effects.learning_rate.end() ? 1.0 : found->second;
    groups[i].options().set_lr(learning_.lr * multiplier);
  }
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
  apply_learning_rates(model_->learner_effects(result.state));
  optimizer_->step();

  const double loss_value = loss.item<double>();
  last_loss_ = loss_value;
  const double accuracy =
      result.output.argmax(1).eq(targets).to(torch::kFloat64).mean().item<double>();
  return {{"loss", loss_value}, {"accuracy", accuracy}};
}

MetricValues SupervisedExperiment::evaluate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  const int64_t examples = data_.test_inputs.size(0);
  double loss_sum = 0.0;
  int64_t correct = 0;
  for (int64_t start = 0; start < examples; start += kEvalChunk) {
    const int64_t count = std::min(kEvalChunk, examples - start);
    const auto inputs = data_.test_inputs.narrow(0, start, count);
    const auto targets = data_.test_targets.narrow(0, start, count);
    const auto context =
        contexts_.test.defined() ? contexts_.test.narrow(0, start, count) : torch::Tensor();
    const auto logits = model_->forward(inputs, context);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, targets,
                    torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .item<double>();
    correct += logits.argmax(1).eq(targets).sum().item<int64_t>();
  }
  return {{"test_loss", loss_sum / static_cast<double>(examples)},
          {"test_accuracy", static_cast<double>(correct) / static_cast<double>(examples)}};
}

void SupervisedExperiment::save(torch::serialize::OutputArchive& archive) {
  torch::serialize::OutputArchive model_archive, optimizer_archive;
  model_->save(model_archive);
  optimizer_->save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("last_loss", torch::tensor(last_loss_.value_or(NAN), torch::kFloat64));
}

void SupervisedExperiment::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive model_archive, optimizer_archive;
  archive.read("model", model_archive);
  archive.read("optimizer", optimizer_archive);
  model_->load(model_archive);
  optimizer_->load(optimizer_archive);
  torch::Tensor last_loss;
  archive.read("last_loss", last_loss);
  const double value = last_loss.item<double>();
  last_loss_ = std::isnan(value) ? std::nullopt : std::optional<double>(value);
}

}  // namespace neuromod
