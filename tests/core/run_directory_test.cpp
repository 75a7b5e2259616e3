#include "neuromod/core/run_directory.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace neuromod {
namespace {

TEST(SanitizeRunName, KeepsSafeCharactersOnly) {
  EXPECT_EQ(sanitize_run_name("quickstart"), "quickstart");
  EXPECT_EQ(sanitize_run_name("../../etc/passwd"), "_.._etc_passwd");
  EXPECT_EQ(sanitize_run_name(".hidden"), "hidden");
  EXPECT_EQ(sanitize_run_name(".."), "run");
  EXPECT_EQ(sanitize_run_name(""), "run");
  EXPECT_EQ(sanitize_run_name("a b/c\\d:e*f"), "a_b_c_d_e_f");
  EXPECT_EQ(sanitize_run_name(std::string(200, 'x')).size(), 64u);
  EXPECT_EQ(sanitize_run_name("caf\xc3\xa9"), "caf__");
}

TEST(RunDirectory, CreatesUniqueDirectoriesWithSubdirectories) {
  testing::TempDir root;
  const RunDirectory first = RunDirectory::create(root.path(), "../escape");
  const RunDirectory second = RunDirectory::create(root.path(), "../escape");
  EXPECT_NE(first.path(), second.path());
  for (const auto& run : {first, second}) {
    EXPECT_EQ(run.path().parent_path(), root.path());
    EXPECT_EQ(run.path().filename().string().rfind("_escape-", 0), 0u);
    EXPECT_TRUE(std::filesystem::is_directory(run.checkpoints()));
    EXPECT_TRUE(std::filesystem::is_directory(run.recordings()));
    EXPECT_TRUE(std::filesystem::is_directory(run.plots()));
  }
}

TEST(RunDirectory, OpenRejectsWhatIsNotARun) {
  testing::TempDir root;
  EXPECT_THROW(RunDirectory::open(root / "missing"), std::runtime_error);
  EXPECT_THROW(RunDirectory::open(root.path()), std::runtime_error);
  std::ofstream(root / "config.yaml") << "name: x\n";
  EXPECT_EQ(RunDirectory::open(root.path()).path(), root.path());
}

}  // namespace
}  // namespace neuromod
