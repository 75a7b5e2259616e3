#include "neuromod/learning/supervised_experiment.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "neuromod/learning/optimizer.h"

namespace neuromod {

namespace {
// Examples per forward pass when evaluating (bounds memory, not results).
constexpr int64_t kEvalChunk = 2000;
}  // namespace

SupervisedExperiment::SupervisedExperiment(ClassificationData data, FeedForward model,
                                           LearningOptions learning, int64_t seed)
    : data_(std::move(data)), model_(std::move(model)), learning_(learning), seed_(seed) {
  optimizer_ = make_optimizer(learning_, model_->parameters());
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

  optimizer_->zero_grad();
  const torch::Tensor logits = model_->forward(inputs);
  const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, targets);
  loss.backward();
  clip_gradients(model_->parameters(), learning_.clip_grad);
  optimizer_->step();

  const double accuracy = logits.argmax(1).eq(targets).to(torch::kFloat64).mean().item<double>();
  return {{"loss", loss.item<double>()}, {"accuracy", accuracy}};
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
    const auto logits = model_->forward(inputs);
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
}

void SupervisedExperiment::load(torch::serialize::InputArchive& archive) {
  torch::serialize::InputArchive model_archive, optimizer_archive;
  archive.read("model", model_archive);
  archive.read("optimizer", optimizer_archive);
  model_->load(model_archive);
  optimizer_->load(optimizer_archive);
}

}  // namespace neuromod
