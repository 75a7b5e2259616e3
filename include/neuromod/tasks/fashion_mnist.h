#pragma once
/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, arXiv:1708.07747), read straight from the
/// gzip'd IDX files that Debian's `dataset-fashion-mnist` installs in
/// /usr/share/datasets/fashion-mnist.

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "neuromod/tasks/idx_file.h"

namespace neuromod {

/// A classification dataset split into training and test examples.
struct ClassificationData {
  torch::Tensor train_inputs;   ///< (N_train, D) float32, standardised
  torch::Tensor train_targets;  ///< (N_train) int64 class indices
  torch::Tensor test_inputs;    ///< (N_test, D) float32, standardised like the training set
  torch::Tensor test_targets;   ///< (N_test) int64
  std::vector<std::string> class_names;

  int64_t input_size() const { return train_inputs.size(1); }
  int64_t classes() const { return static_cast<int64_t>(class_names.size()); }
};

/// Loads the first `train_limit` / `test_limit` examples (0 = all) from `directory`.
/// Pixels are scaled to [0, 1], then standardised with the training set's mean and std.
/// Throws DatasetError naming the file and the package to install when a file is missing.
ClassificationData load_fashion_mnist(const std::filesystem::path& directory, int64_t train_limit,
                                      int64_t test_limit);

}  // namespace neuromod
