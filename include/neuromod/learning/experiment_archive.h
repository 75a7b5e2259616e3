#pragma once
/// What every Experiment writes into its checkpoint archive the same way: its model and
/// optimiser, and the state of its own random generators.

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <random>
#include <string>

namespace neuromod {

/// Writes the module under "model" and the optimiser under "optimizer".
void write_model_and_optimizer(torch::serialize::OutputArchive& archive, torch::nn::Module& model,
                               torch::optim::Optimizer& optimizer);

/// Restores what write_model_and_optimizer wrote (in place).
void read_model_and_optimizer(torch::serialize::InputArchive& archive, torch::nn::Module& model,
                              torch::optim::Optimizer& optimizer);

/// Writes a generator's full state under `key`, as the standard library prints it.
void write_generator(torch::serialize::OutputArchive& archive, const std::string& key,
                     const std::mt19937_64& generator);

/// The generator state stored under `key`; throws c10::Error naming the key if it is not one.
std::mt19937_64 read_generator(torch::serialize::InputArchive& archive, const std::string& key);

}  // namespace neuromod
