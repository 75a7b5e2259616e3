#include "neuromod/record/tensorboard_writer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>

#include "support/cli.h"
#include "support/temp_dir.h"
#include "support/tiny_run.h"

namespace neuromod {
namespace {

namespace fs = std::filesystem;

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

uint64_t little_endian(const std::string& bytes, std::size_t at, std::size_t size) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i)
    value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
  return value;
}

// Byte offsets of the records of an event file, found by walking the length fields.
std::vector<std::size_t> record_offsets(const std::string& file) {
  std::vector<std::size_t> offsets;
  for (std::size_t at = 0; at + 12 <= file.size(); at += 12 + little_endian(file, at, 8) + 4)
    offsets.push_back(at);
  return offsets;
}

// A file of three records: file_version, scalars at step 10, scalars at step 20.
fs::path write_sample(const fs::path& directory) {
  TensorBoardWriter writer(directory);
  writer.write_scalars(10, {{"loss", 0.5}, {"test_accuracy", 0.75}});
  writer.write_scalars(20, {{"loss", 0.25}});
  return writer.path();
}

// metrics.csv as TensorBoard series: each non-empty cell as (step, float(value)).
TensorBoardSeries csv_series(const fs::path& csv) {
  std::istringstream in(testing::slurp(csv));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> columns;
  std::istringstream header(line);
  for (std::string column; std::getline(header, column, ',');) columns.push_back(column);
  TensorBoardSeries series;
  while (std::getline(in, line)) {
    std::istringstream row(line + ",");
    std::string cell;
    std::getline(row, cell, ',');
    const int64_t step = std::stoll(cell);
    for (std::size_t i = 1; i < columns.size() && std::getline(row, cell, ','); ++i) {
      if (!cell.empty()) series[columns[i]].emplace_back(step, static_cast<float>(std::stod(cell)));
    }
  }
  return series;
}

TEST(TensorBoardCrc32c, KnownAnswers) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  const std::string zeros(32, '\0');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  const std::string ones(32, '\xFF');
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62A8AB43u);  // RFC 3720, B.4
  EXPECT_EQ(crc32c("", 0), 0u);
  const uint32_t crc = 0xE3069283u;
  EXPECT_EQ(masked_crc32c("123456789", 9), ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

TEST(TensorBoardWriter, FileDecodesToTheEventsWritten) {
  testing::TempDir dir;
  const double before = now_seconds();
  TensorBoardWriter writer(dir / "tb");
  writer.write_scalars(10, {{"loss", 0.1}, {"test_accuracy", 0.875}});
  writer.write_session_start(11);
  writer.write_scalars(-3, {{"tiny", 1e-30}, {"huge", -3e38}});
  const double after = now_seconds();

  const auto events = read_tensorboard_events(writer.path());
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_TRUE(events[0].scalars.empty());
  EXPECT_FALSE(events[0].session_status.has_value());
  for (const auto& event : events) {
    EXPECT_GE(event.wall_time, before - 1);
    EXPECT_LE(event.wall_time, after + 1);
  }
  EXPECT_EQ(events[1].step, 10);
  ASSERT_EQ(events[1].scalars.size(), 2u);
  EXPECT_EQ(events[1].scalars[0].tag, "loss");
  EXPECT_EQ(events[1].scalars[0].value, 0.1f);
  EXPECT_EQ(events[1].scalars[1].tag, "test_accuracy");
  EXPECT_EQ(events[1].scalars[1].value, 0.875f);
  EXPECT_TRUE(events[1].file_version.empty());
  EXPECT_EQ(events[2].step, 11);
  EXPECT_EQ(events[2].session_status, SessionStatus::start);
  EXPECT_TRUE(events[2].scalars.empty());
  EXPECT_EQ(events[3].step, -3);
  ASSERT_EQ(events[3].scalars.size(), 2u);
  EXPECT_EQ(events[3].scalars[0].tag, "huge");
  EXPECT_EQ(events[3].scalars[0].value, -3e38f);
  EXPECT_EQ(events[3].scalars[1].tag, "tiny");
  EXPECT_EQ(events[3].scalars[1].value, 1e-30f);
}

TEST(TensorBoardWriter, EveryRecordCarriesBothValidCrcs) {
  testing::TempDir dir;
  const std::string file = read_bytes(write_sample(dir.path()));
  const auto offsets = record_offsets(file);
  ASSERT_EQ(offsets.size(), 3u);
  std::size_t end = 0;
  for (const std::size_t at : offsets) {
    const uint64_t length = little_endian(file, at, 8);
    ASSERT_LE(at + 12 + length + 4, file.size());
    EXPECT_EQ(little_endian(file, at + 8, 4), masked_crc32c(file.data() + at, 8)) << at;
    EXPECT_EQ(little_endian(file, at + 12 + length, 4),
              masked_crc32c(file.data() + at + 12, length))
        << at;
    end = at + 12 + length + 4;
  }
  EXPECT_EQ(end, file.size());
}

TEST(TensorBoardWriter, FilesAreNamedLikeTensorFlowsAndNeverShared) {
  testing::TempDir dir;
  const auto first = write_sample(dir.path());
  const auto second = write_sample(dir.path());
  EXPECT_NE(first, second);
  EXPECT_EQ(first.filename().string().rfind("events.out.tfevents.", 0), 0u) << first;
  const auto seconds = std::stoll(first.filename().string().substr(20));
  EXPECT_NEAR(static_cast<double>(seconds), now_seconds(), 60);
  // Listed in the order written, which is the order TensorBoard reads them.
  EXPECT_EQ(list_tensorboard_event_files(dir.path()), (std::vector<fs::path>{first, second}));
  EXPECT_TRUE(list_tensorboard_event_files(dir / "missing").empty());
}

TEST(TensorBoardReader, CorruptedByteIsReportedWithTheRecordOffset) {
  testing::TempDir dir;
  const auto path = write_sample(dir.path());
  const std::string good = read_bytes(path);
  const auto offsets = record_offsets(good);
  ASSERT_EQ(offsets.size(), 3u);

  struct Case {
    std::size_t byte;
    std::string problem;
  };
  for (const Case& test :
       {Case{offsets[1] + 20, "bad CRC of the data"}, Case{offsets[2] + 3, "bad CRC of the length"},
        Case{offsets[2] + 9, "bad CRC of the length"}}) {
    std::string bad = good;
    bad[test.byte] = static_cast<char>(bad[test.byte] ^ 0x10);
    write_bytes(path, bad);
    const std::size_t record = test.byte < offsets[2] ? offsets[1] : offsets[2];
    try {
      read_tensorboard_events(path);
      ADD_FAILURE() << "corrupted byte " << test.byte << " was not detected";
    } catch (const TensorBoardFormatError& error) {
      const std::string message = error.what();
      EXPECT_EQ(error.offset(), record);
      EXPECT_EQ(error.path(), path);
      EXPECT_NE(message.find(path.string()), std::string::npos) << message;
      EXPECT_NE(message.find("byte offset " + std::to_string(record)), std::string::npos)
          << message;
      EXPECT_NE(message.find(test.problem), std::string::npos) << message;
    }
  }
}

TEST(TensorBoardReader, TruncatedLastRecordIsReported) {
  testing::TempDir dir;
  const auto path = write_sample(dir.path());
  const std::string good = read_bytes(path);
  const auto offsets = record_offsets(good);
  ASSERT_EQ(offsets.size(), 3u);
  // Cut in the data, in the data CRC, and in the header.
  for (const std::size_t cut : {good.size() - 10, good.size() - 1, offsets[2] + 5}) {
    write_bytes(path, good.substr(0, cut));
    try {
      read_tensorboard_events(path);
      ADD_FAILURE() << "a file cut to " << cut << " bytes was read";
    } catch (const TensorBoardFormatError& error) {
      const std::string message = error.what();
      EXPECT_EQ(error.offset(), offsets[2]);
      EXPECT_NE(message.find("truncated"), std::string::npos) << message;
      EXPECT_NE(message.find(path.string()), std::string::npos) << message;
      EXPECT_NE(message.find("byte offset " + std::to_string(offsets[2])), std::string::npos)
          << message;
    }
  }
  write_bytes(path, good.substr(0, offsets[2]));
  EXPECT_EQ(read_tensorboard_events(path).size(), 2u);  // whole records only: fine
}

TEST(TensorBoardReader, StartEventDropsEarlierValuesFromItsStepOn) {
  testing::TempDir dir;
  {
    TensorBoardWriter crashed(dir.path());
    for (int64_t step : {10, 20, 30}) crashed.write_scalars(step, {{"loss", step / 10.0}});
  }
  {
    TensorBoardWriter resumed(dir.path());
    resumed.write_session_start(21);
    resumed.write_scalars(30, {{"loss", 7}});
  }
  const auto series = read_tensorboard_scalars(dir.path());
  EXPECT_EQ(series.at("loss"), (std::vector<std::pair<int64_t, float>>{{10, 1}, {20, 2}, {30, 7}}));
}

// A real run through the CLI writes tb/ with exactly the values of metrics.csv.
TEST(TensorBoardRun, EventsHoldTheValuesOfMetricsCsv) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const auto result = testing::run_cli(
      {"run", config.string(), "learning.steps=40", "--out", (dir / "runs").string()}, dir.path());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto run = testing::printed_run_directory(result.out);
  const auto files = list_tensorboard_event_files(run / "tb");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename().string().rfind("events.out.tfevents.", 0), 0u);

  const auto events = read_tensorboard_events(files[0]);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  const auto expected = csv_series(run / "metrics.csv");
  ASSERT_TRUE(expected.count("loss"));
  ASSERT_TRUE(expected.count("test_accuracy"));
  EXPECT_EQ(expected.at("loss").size(), 4u);  // rows at 10, 20, 30, 40
  EXPECT_EQ(read_tensorboard_scalars(run / "tb"), expected);
}

// Resuming opens a second file that starts with file_version and a SessionLog START just
// after the checkpoint's step, so TensorBoard shows each step once, as metrics.csv does.
TEST(TensorBoardRun, ResumedRunStartsANewFileWithASessionStart) {
  testing::TempDir dir;
  const auto config = testing::write_tiny_config(dir.path());
  const auto first = testing::run_cli(
      {"run", config.string(), "learning.steps=40", "--out", (dir / "runs").string()}, dir.path());
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const auto run = testing::printed_run_directory(first.out);
  // As if the run had crashed after logging step 40 but before its checkpoint: it resumes
  // from step 20, and the values logged at 30 and 40 are stale.
  fs::remove(run / "checkpoints/step-00000040.pt");

  const auto resumed =
      testing::run_cli({"run", "--resume", run.string(), "learning.steps=60"}, dir.path());
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  const auto files = list_tensorboard_event_files(run / "tb");
  ASSERT_EQ(files.size(), 2u);
  const auto events = read_tensorboard_events(files[1]);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_EQ(events[1].session_status, SessionStatus::start);
  EXPECT_EQ(events[1].step, 21);
  EXPECT_EQ(events[2].step, 30);
  // The old file still holds 30 and 40; TensorBoard's view has each step once.
  EXPECT_EQ(read_tensorboard_events(files[0]).back().step, 40);
  const auto expected = csv_series(run / "metrics.csv");
  EXPECT_EQ(expected.at("loss").size(), 6u);  // rows at 10, ..., 60
  EXPECT_EQ(read_tensorboard_scalars(run / "tb"), expected);
}

}  // namespace
}  // namespace neuromod
