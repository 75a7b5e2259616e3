#include "neuromod/tasks/fashion_mnist.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/temp_dir.h"

namespace neuromod {
namespace {

const char* kDebianDir = "/usr/share/datasets/fashion-mnist";

TEST(LoadFashionMnist, LoadsTheDebianPackage) {
  const ClassificationData data = load_fashion_mnist(kDebianDir, 1000, 300);
  EXPECT_EQ(data.train_inputs.sizes(), (std::vector<int64_t>{1000, 784}));
  EXPECT_EQ(data.test_inputs.sizes(), (std::vector<int64_t>{300, 784}));
  EXPECT_EQ(data.train_targets.sizes(), (std::vector<int64_t>{1000}));
  EXPECT_EQ(data.classes(), 10);
  // Standardised with training statistics.
  EXPECT_NEAR(data.train_inputs.mean().item<double>(), 0.0, 1e-4);
  EXPECT_NEAR(data.train_inputs.std().item<double>(), 1.0, 1e-3);
  // The first training label of Fashion-MNIST is 9 (ankle boot); all ten classes appear.
  EXPECT_EQ(data.train_targets[0].item<int64_t>(), 9);
  EXPECT_EQ(std::get<0>(torch::_unique(data.train_targets)).numel(), 10);
}

TEST(LoadFashionMnist, MissingDatasetNamesThePackageAndTheKey) {
  testing::TempDir dir;
  try {
    load_fashion_mnist(dir.path(), 0, 0);
    FAIL();
  } catch (const DatasetError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("dataset-fashion-mnist"), std::string::npos) << message;
    EXPECT_NE(message.find("task.data_dir"), std::string::npos) << message;
    EXPECT_NE(message.find((dir / "train-images-idx3-ubyte.gz").string()), std::string::npos);
  }
}

}  // namespace
}  // namespace neuromod
