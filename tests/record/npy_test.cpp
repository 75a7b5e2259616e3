#include "neuromod/record/npy.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstring>
#include <fstream>

#include "support/temp_dir.h"

namespace neuromod {
namespace {

using testing::TempDir;

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Npy, HeaderIsVersion1PaddedTo64BytesAsNumpyWritesIt) {
  const auto header = npy::header_bytes(npy::DType::float32, {3, 2});
  ASSERT_EQ(header.size() % 64, 0u);
  EXPECT_EQ(header.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(header[6], '\x01');
  EXPECT_EQ(header[7], '\x00');
  const std::size_t length =
      static_cast<unsigned char>(header[8]) | (static_cast<unsigned char>(header[9]) << 8);
  EXPECT_EQ(length + 10, header.size());
  EXPECT_EQ(header.back(), '\n');
  // Exactly the dictionary numpy.save writes for np.zeros((3, 2), np.float32).
  const std::string dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }";
  EXPECT_EQ(header.substr(10, dictionary.size()), dictionary);
  EXPECT_EQ(header.find_first_not_of(' ', 10 + dictionary.size()), header.size() - 1);
  EXPECT_NE(npy::header_bytes(npy::DType::int64, {5}).find("'shape': (5,)"), std::string::npos);
  EXPECT_NE(npy::header_bytes(npy::DType::float64, {}).find("'shape': ()"), std::string::npos);
}

TEST(Npy, EveryDTypeRoundTripsWithShapeAndValues) {
  TempDir dir;
  const std::vector<torch::Tensor> tensors{torch::randn({4, 3}),
                                           torch::randn({2, 3, 5}, torch::kFloat64),
                                           torch::arange(-7, 7, torch::kInt64),
                                           torch::arange(0, 12, torch::kInt32).reshape({3, 4}),
                                           torch::arange(0, 200, torch::kUInt8),
                                           torch::rand({6}) > 0.5,
                                           torch::tensor(2.5)};
  for (std::size_t i = 0; i < tensors.size(); ++i) {
    const auto path = dir / ("a" + std::to_string(i) + ".npy");
    npy::write(path, tensors[i]);
    const auto header = npy::read_header(path);
    EXPECT_EQ(header.shape,
              std::vector<int64_t>(tensors[i].sizes().begin(), tensors[i].sizes().end()));
    EXPECT_EQ(header.data_offset % 64, 0u);
    const auto back = npy::read(path);
    EXPECT_EQ(back.scalar_type(), tensors[i].scalar_type());
    EXPECT_TRUE(torch::equal(back, tensors[i])) << i;
  }
}

TEST(Npy, DataFollowsTheHeaderInCOrderLittleEndian) {
  TempDir dir;
  npy::write(dir / "x.npy", torch::tensor({1.0f, 2.0f, 3.0f, 4.0f}).reshape({2, 2}).t());
  const auto bytes = file_bytes(dir / "x.npy");
  const auto offset = npy::read_header(dir / "x.npy").data_offset;
  ASSERT_EQ(bytes.size(), offset + 16);
  float values[4];
  std::memcpy(values, bytes.data() + offset, 16);
  // The transpose is written as its logical C-order values, not its storage order.
  EXPECT_EQ(values[0], 1.0f);
  EXPECT_EQ(values[1], 3.0f);
  EXPECT_EQ(values[2], 2.0f);
  EXPECT_EQ(values[3], 4.0f);
}

TEST(Npy, BadFilesAreReportedWithTheirName) {
  TempDir dir;
  std::ofstream(dir / "text.npy") << "hello, this is not numpy";
  EXPECT_THROW(
      {
        try {
          npy::read(dir / "text.npy");
        } catch (const std::runtime_error& error) {
          EXPECT_NE(std::string(error.what()).find("text.npy"), std::string::npos);
          EXPECT_NE(std::string(error.what()).find("magic"), std::string::npos);
          throw;
        }
      },
      std::runtime_error);
  npy::write(dir / "cut.npy", torch::ones({100}));
  std::filesystem::resize_file(dir / "cut.npy", std::filesystem::file_size(dir / "cut.npy") - 8);
  try {
    npy::read(dir / "cut.npy");
    FAIL() << "a cut file was read";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cut.npy"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("(100,)"), std::string::npos) << error.what();
  }
  EXPECT_THROW(npy::write(dir / "c.npy", torch::ones({2}, torch::kComplexFloat)),
               std::invalid_argument);
}

TEST(Npy, RowAppenderKeepsAValidFileAfterEveryFlush) {
  TempDir dir;
  const auto path = dir / "rows.npy";
  npy::RowAppender rows(path, npy::DType::float32, 3);
  EXPECT_EQ(npy::read(path).sizes(), (std::vector<int64_t>{0, 3}));
  const auto block = torch::arange(0, 12, torch::kFloat32);
  rows.append(block.data_ptr<float>(), 2);
  rows.flush();
  EXPECT_TRUE(torch::equal(npy::read(path), block.narrow(0, 0, 6).reshape({2, 3})));
  rows.append(block.data_ptr<float>() + 6, 2);
  rows.flush();
  EXPECT_TRUE(torch::equal(npy::read(path), block.reshape({4, 3})));
  EXPECT_EQ(rows.rows(), 4);
}

TEST(Npy, ReopenedAppenderCutsRowsAndContinues) {
  TempDir dir;
  const auto path = dir / "rows.npy";
  const auto block = torch::arange(0, 30, torch::kInt64);
  {
    npy::RowAppender rows(path, npy::DType::int64, 3);
    rows.append(block.data_ptr<int64_t>(), 10);
  }
  auto rows = npy::RowAppender::reopen(path, npy::DType::int64, 3, 4);
  EXPECT_EQ(npy::read(path).size(0), 4);
  rows.append(block.data_ptr<int64_t>() + 27, 1);
  rows.flush();
  const auto back = npy::read(path);
  ASSERT_EQ(back.size(0), 5);
  EXPECT_TRUE(torch::equal(back.narrow(0, 0, 4), block.narrow(0, 0, 12).reshape({4, 3})));
  EXPECT_EQ(back[4][0].item<int64_t>(), 27);
  EXPECT_THROW(npy::RowAppender::reopen(path, npy::DType::int64, 2, 1), std::runtime_error);
  EXPECT_THROW(npy::RowAppender::reopen(path, npy::DType::int64, 3, 6), std::runtime_error);
}

}  // namespace
}  // namespace neuromod
