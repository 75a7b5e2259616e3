#pragma once
/// TensorBoard scalar event files, written and read without TensorFlow or protobuf, so that
/// `tensorboard --logdir runs/` shows every run's metrics.
///
/// A file `tb/events.out.tfevents.<unix seconds>.<hostname>` is a sequence of TFRecords:
///
///   uint64 length | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
///
/// (little-endian), each `data` one `Event` protobuf, encoded by hand:
///
/// | message    | field                      | number | wire type            |
/// |------------|----------------------------|--------|----------------------|
/// | Event      | wall_time (double, s)      | 1      | 64-bit               |
/// | Event      | step (int64)               | 2      | varint               |
/// | Event      | file_version (string)      | 3      | length-delimited     |
/// | Event      | summary (Summary)          | 5      | length-delimited     |
/// | Event      | session_log (SessionLog)   | 6      | length-delimited     |
/// | Summary    | value (repeated Value)     | 1      | length-delimited     |
/// | Value      | tag (string)               | 1      | length-delimited     |
/// | Value      | simple_value (float)       | 2      | 32-bit               |
/// | SessionLog | status (enum, START = 1)   | 1      | varint               |
///
/// The first event of a file carries file_version "brain.Event:2". Reference: TensorFlow's
/// core/util/event.proto, core/framework/summary.proto and core/lib/io/record_writer.cc.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "neuromod/record/metrics_writer.h"

namespace neuromod {

/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and final xor
/// 0xFFFFFFFF) of `size` bytes.
/// Example: crc32c("123456789", 9) == 0xE3069283
uint32_t crc32c(const void* data, std::size_t size);

/// The CRC a TFRecord stores: ((crc >> 15) | (crc << 17)) + 0xa282ead8 with crc = crc32c.
uint32_t masked_crc32c(const void* data, std::size_t size);

/// SessionLog.status. TensorBoard drops the values logged earlier at steps >= the step of a
/// `start` event: that is how a restarted run hides what it is about to log again.
enum class SessionStatus { unspecified = 0, start = 1, stop = 2, checkpoint = 3 };

/// One Summary.Value holding a simple_value.
struct TensorBoardScalar {
  std::string tag;  ///< e.g. "loss", "test_accuracy"
  float value = 0;
};

/// One decoded Event (the fields this format uses; others are skipped when reading).
struct TensorBoardEvent {
  double wall_time = 0;                    ///< seconds since the Unix epoch
  int64_t step = 0;                        ///< training step
  std::string file_version;                ///< "brain.Event:2" in a file's first event, else empty
  std::vector<TensorBoardScalar> scalars;  ///< summary values with a simple_value
  std::optional<SessionStatus> session_status;  ///< set on SessionLog events
};

/// An event file that cannot be read: a bad CRC, a truncated record or a malformed Event.
class TensorBoardFormatError : public std::runtime_error {
 public:
  TensorBoardFormatError(std::filesystem::path path, uint64_t offset, const std::string& problem);

  /// The event file.
  const std::filesystem::path& path() const { return path_; }
  /// Byte offset of the start of the bad record in the file.
  uint64_t offset() const { return offset_; }

 private:
  std::filesystem::path path_;
  uint64_t offset_;
};

/// Writes one new event file; each call writes one Event and flushes it, so a crash loses at
/// most the step being written.
class TensorBoardWriter {
 public:
  /// Creates `directory` if needed and a new file `events.out.tfevents.<unix seconds>.<host>`
  /// in it (`.<n>` appended when that name is taken, so files sort in creation order), and
  /// writes the file_version event. Throws std::runtime_error naming the file on failure.
  /// Example: TensorBoardWriter events(run.tb());
  explicit TensorBoardWriter(const std::filesystem::path& directory);

  /// Writes one Event at `step` holding every value as a scalar tagged with its name
  /// (converted to float, as simple_value is).
  void write_scalars(int64_t step, const MetricValues& values);

  /// Writes a SessionLog START event at `step`: TensorBoard then drops the values of earlier
  /// files at steps >= `step`. A run resumed after step s calls it with s + 1.
  void write_session_start(int64_t step);

  /// The file being written.
  const std::filesystem::path& path() const { return path_; }

 private:
  void write_event(const std::string& event);

  std::filesystem::path path_;
  std::ofstream out_;
};

/// Decodes every record of an event file, checking both CRCs of each. Throws
/// TensorBoardFormatError naming the file and the record's byte offset on a bad CRC, a
/// truncated record or a malformed Event; std::runtime_error if the file cannot be read.
std::vector<TensorBoardEvent> read_tensorboard_events(const std::filesystem::path& path);

/// The event files (names containing "tfevents") in `directory`, in the order TensorBoard
/// reads them: by name. Empty if the directory does not exist.
std::vector<std::filesystem::path> list_tensorboard_event_files(
    const std::filesystem::path& directory);

/// Scalar values by tag as (step, value), in the order written.
using TensorBoardSeries = std::map<std::string, std::vector<std::pair<int64_t, float>>>;

/// The scalars of a directory of event files as TensorBoard shows them: all files in name
/// order, a SessionLog START at step s dropping the values read so far at steps >= s.
TensorBoardSeries read_tensorboard_scalars(const std::filesystem::path& directory);

}  // namespace neuromod
