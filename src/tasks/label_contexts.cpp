#include "neuromod/tasks/label_contexts.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace neuromod {

int64_t contextual_label(int64_t label, int64_t context, int64_t contexts, int64_t classes) {
  return (label + context * (classes / contexts)) % classes;
}

namespace {

torch::Tensor relabel(torch::Tensor& targets, int64_t contexts, int64_t classes, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor context =
      torch::randint(contexts, {targets.size(0)}, generator, torch::kInt64);
  targets = (targets + context * (classes / contexts)).remainder(classes);
  return torch::one_hot(context, contexts).to(torch::kFloat32);
}

}  // namespace

LabelContexts assign_label_contexts(ClassificationData& data, int64_t contexts, uint64_t seed) {
  TORCH_CHECK(contexts >= 1 && contexts <= data.classes(), "contexts must be in [1, classes]");
  LabelContexts result;
  result.train = relabel(data.train_targets, contexts, data.classes(), seed);
  result.test = relabel(data.test_targets, contexts, data.classes(), seed + 1);
  return result;
}

}  // namespace neuromod
