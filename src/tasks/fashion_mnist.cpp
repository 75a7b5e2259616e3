#include "neuromod/tasks/fashion_mnist.h"

#include <torch/torch.h>

namespace neuromod {

namespace {

const std::vector<std::string> kClassNames{"T-shirt/top", "Trouser",   "Pullover", "Dress",
                                           "Coat",        "Sandal",    "Shirt",    "Sneaker",
                                           "Bag",         "Ankle boot"};

IdxArray read_part(const std::filesystem::path& directory, const std::string& file) {
  const std::filesystem::path path = directory / file;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw DatasetError("Fashion-MNIST file " + path.string() +
                       " not found: install Debian's package dataset-fashion-mnist "
                       "(bash scripts/setup.sh does), or point task.data_dir at a directory "
                       "holding " +
                       file);
  }
  return read_idx_file(path);
}

torch::Tensor images_tensor(const IdxArray& images, const std::string& name, int64_t limit) {
  if (images.shape.size() != 3) {
    throw DatasetError(name + ": expected 3 dimensions (count, rows, columns), got " +
                       std::to_string(images.shape.size()));
  }
  const int64_t count = limit > 0 ? std::min(limit, images.shape[0]) : images.shape[0];
  const int64_t pixels = images.shape[1] * images.shape[2];
  auto bytes =
      torch::from_blob(const_cast<uint8_t*>(images.data.data()), {count, pixels}, torch::kUInt8);
  return bytes.to(torch::kFloat32).div_(255.0f);
}

torch::Tensor labels_tensor(const IdxArray& labels, const std::string& name, int64_t count) {
  if (labels.shape.size() != 1 || labels.shape[0] < count) {
    throw DatasetError(name + ": expected at least " + std::to_string(count) + " labels");
  }
  auto bytes = torch::from_blob(const_cast<uint8_t*>(labels.data.data()), {count}, torch::kUInt8);
  auto targets = bytes.to(torch::kInt64);
  if (targets.max().item<int64_t>() >= static_cast<int64_t>(kClassNames.size())) {
    throw DatasetError(name + ": label out of range (expected 0..9)");
  }
  return targets;
}

}  // namespace

ClassificationData load_fashion_mnist(const std::filesystem::path& directory, int64_t train_limit,
                                      int64_t test_limit) {
  ClassificationData data;
  const auto train_images = read_part(directory, "train-images-idx3-ubyte.gz");
  const auto train_labels = read_part(directory, "train-labels-idx1-ubyte.gz");
  const auto test_images = read_part(directory, "t10k-images-idx3-ubyte.gz");
  const auto test_labels = read_part(directory, "t10k-labels-idx1-ubyte.gz");

  data.train_inputs = images_tensor(train_images, "train-images-idx3-ubyte.gz", train_limit);
  data.train_targets =
      labels_tensor(train_labels, "train-labels-idx1-ubyte.gz", data.train_inputs.size(0));
  data.test_inputs = images_tensor(test_images, "t10k-images-idx3-ubyte.gz", test_limit);
  data.test_targets =
      labels_tensor(test_labels, "t10k-labels-idx1-ubyte.gz", data.test_inputs.size(0));

  // Standardise with training statistics only, so the test set stays unseen.
  const auto mean = data.train_inputs.mean();
  const auto std = data.train_inputs.std();
  data.train_inputs = (data.train_inputs - mean) / std;
  data.test_inputs = (data.test_inputs - mean) / std;
  data.class_names = kClassNames;
  return data;
}

}  // namespace neuromod
