#include "neuromod/core/atomic_file.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace neuromod {
namespace {

TEST(WriteFileAtomically, ReplacesContentAndLeavesNoTemporary) {
  testing::TempDir dir;
  const auto path = dir / "meta.json";
  write_file_atomically(path, "first");
  write_file_atomically(path, "second");
  EXPECT_EQ(read_text_file(path), "second");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(WriteFileAtomically, AFailedWriteKeepsTheOldFile) {
  testing::TempDir dir;
  const auto path = dir / "config.yaml";
  write_file_atomically(path, "good");
  EXPECT_THROW(write_file_atomically(path,
                                     [](const std::filesystem::path& temporary) {
                                       std::ofstream(temporary) << "half";
                                       throw std::runtime_error("disk full");
                                     }),
               std::runtime_error);
  EXPECT_EQ(read_text_file(path), "good");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(ReadTextFile, NamesAMissingFile) {
  try {
    read_text_file("/nonexistent/file.txt");
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/file.txt"), std::string::npos);
  }
}

}  // namespace
}  // namespace neuromod
