#include "neuromod/learning/experiment_archive.h"

#include <torch/torch.h>

#include <sstream>

namespace neuromod {

void write_model_and_optimizer(torch::serialize::OutputArchive& archive, torch::nn::Module& model,
                               torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive model_archive, optimizer_archive;
  model.save(model_archive);
  optimizer.save(optimizer_archive);
  archive.write("model", model_archive);
  archive.write("optimizer", optimizer_archive);
}

void read_model_and_optimizer(torch::serialize::InputArchive& archive, torch::nn::Module& model,
                              torch::optim::Optimizer& optimizer) {
  torch::serialize::InputArchive model_archive, optimizer_archive;
  archive.read("model", model_archive);
  archive.read("optimizer", optimizer_archive);
  model.load(model_archive);
  optimizer.load(optimizer_archive);
}

void write_generator(torch::serialize::OutputArchive& archive, const std::string& key,
                     const std::mt19937_64& generator) {
  std::ostringstream state;
  state << generator;
  archive.write(key, c10::IValue(state.str()));
}

std::mt19937_64 read_generator(torch::serialize::InputArchive& archive, const std::string& key) {
  c10::IValue state;
  archive.read(key, state);
  std::istringstream in(state.toStringRef());
  std::mt19937_64 generator;
  in >> generator;
  TORCH_CHECK(!in.fail(), "checkpoint: ", key, " is not a std::mt19937_64 state");
  return generator;
}

}  // namespace neuromod
