#include "neuromod/record/metrics_writer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "neuromod/core/atomic_file.h"
#include "support/temp_dir.h"

namespace neuromod {
namespace {

TEST(MetricsWriter, WritesWideCsvAndLongJsonl) {
  testing::TempDir dir;
  {
    MetricsWriter writer(dir / "metrics.csv", dir / "metrics.jsonl", {"loss", "test_accuracy"});
    writer.write(10, {{"loss", 0.5}});
    writer.write(20, {{"loss", 0.25}, {"test_accuracy", 0.75}});
  }
  EXPECT_EQ(read_text_file(dir / "metrics.csv"),
            "step,loss,test_accuracy\n10,0.5,\n20,0.25,0.75\n");
  EXPECT_EQ(read_text_file(dir / "metrics.jsonl"),
            "{\"metric\":\"loss\",\"step\":10,\"value\":0.5}\n"
            "{\"metric\":\"loss\",\"step\":20,\"value\":0.25}\n"
            "{\"metric\":\"test_accuracy\",\"step\":20,\"value\":0.75}\n");
}

TEST(MetricsWriter, AppendsToAnExistingFileWithTheSameHeader) {
  testing::TempDir dir;
  { MetricsWriter(dir / "m.csv", dir / "m.jsonl", {"loss"}).write(1, {{"loss", 1.0}}); }
  { MetricsWriter(dir / "m.csv", dir / "m.jsonl", {"loss"}).write(2, {{"loss", 2.0}}); }
  EXPECT_EQ(read_text_file(dir / "m.csv"), "step,loss\n1,1\n2,2\n");
  EXPECT_THROW(MetricsWriter(dir / "m.csv", dir / "m.jsonl", {"reward"}), std::runtime_error);
}

TEST(TruncateMetricsAfter, DropsLaterRowsAndATornLine) {
  testing::TempDir dir;
  write_file_atomically(dir / "m.csv", "step,loss\n10,1\n20,2\n30,3\n40,4");
  write_file_atomically(dir / "m.jsonl",
                        "{\"metric\":\"loss\",\"step\":10,\"value\":1}\n"
                        "{\"metric\":\"loss\",\"step\":30,\"value\":3}\n{\"metric\":\"lo");
  truncate_metrics_after(dir / "m.csv", dir / "m.jsonl", 20);
  EXPECT_EQ(read_text_file(dir / "m.csv"), "step,loss\n10,1\n20,2\n");
  EXPECT_EQ(read_text_file(dir / "m.jsonl"), "{\"metric\":\"loss\",\"step\":10,\"value\":1}\n");
}

}  // namespace
}  // namespace neuromod
