#include "neuromod/tasks/idx_file.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "support/temp_dir.h"

namespace neuromod {
namespace {

std::string idx_bytes(const std::vector<uint32_t>& shape, const std::vector<uint8_t>& data) {
  std::string bytes{'\0', '\0', '\x08', static_cast<char>(shape.size())};
  for (uint32_t size : shape) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes += static_cast<char>((size >> shift) & 0xff);
  }
  bytes.append(data.begin(), data.end());
  return bytes;
}

void write_gzip(const std::filesystem::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

TEST(ReadIdxFile, ReadsGzipAndPlainFiles) {
  testing::TempDir dir;
  const std::vector<uint8_t> data{1, 2, 3, 4, 5, 6};
  write_gzip(dir / "a.gz", idx_bytes({2, 3}, data));
  std::ofstream(dir / "b.idx", std::ios::binary) << idx_bytes({6}, data);
  const IdxArray gzipped = read_idx_file(dir / "a.gz");
  EXPECT_EQ(gzipped.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(gzipped.data, data);
  const IdxArray plain = read_idx_file(dir / "b.idx");
  EXPECT_EQ(plain.shape, (std::vector<int64_t>{6}));
  EXPECT_EQ(plain.data, data);
}

void expect_dataset_error(const std::filesystem::path& path, const std::string& fragment) {
  try {
    read_idx_file(path);
    FAIL() << "expected DatasetError for " << path;
  } catch (const DatasetError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

TEST(ReadIdxFile, UnreadableFilesGiveErrorsNamingTheFile) {
  testing::TempDir dir;
  expect_dataset_error(dir / "missing.gz", "not found");
  write_gzip(dir / "magic.gz", "PK\x03\x04 not idx");
  expect_dataset_error(dir / "magic.gz", "not an IDX file");
  write_gzip(dir / "short.gz", idx_bytes({10, 10}, {1, 2, 3}));
  expect_dataset_error(dir / "short.gz", "truncated data");
  write_gzip(dir / "empty.gz", "");
  expect_dataset_error(dir / "empty.gz", "empty or truncated");
}

}  // namespace
}  // namespace neuromod
