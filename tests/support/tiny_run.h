#pragma once
// A small real run (Fashion-MNIST subset, one hidden layer) that trains in about a second,
// used by the trainer, checkpoint and CLI tests.

#include <filesystem>
#include <fstream>
#include <string>

namespace neuromod::testing {

inline const char* tiny_run_yaml() {
  return "name: tiny\n"
         "seed: 3\n"
         "threads: 1\n"
         "task: {kind: fashion_mnist, train_examples: 2000, test_examples: 500}\n"
         "layers:\n"
         "  - {name: hidden, kind: linear, size: 32, activation: relu}\n"
         "  - {name: drop, kind: dropout, p: 0.1}\n"
         "  - {name: output, kind: linear, activation: identity}\n"
         "learning: {optimizer: adam, lr: 2.0e-3, steps: 120, batch_size: 32}\n"
         "log: {every: 10, eval_every: 40}\n"
         "checkpoint: {every: 20, keep_last: 2}\n";
}

/// Writes the tiny config to `directory/tiny.yaml` and returns its path.
inline std::filesystem::path write_tiny_config(const std::filesystem::path& directory) {
  const auto path = directory / "tiny.yaml";
  std::ofstream(path) << tiny_run_yaml();
  return path;
}

}  // namespace neuromod::testing
