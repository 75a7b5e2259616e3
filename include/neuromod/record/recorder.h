#pragma once
/// \file
/// The Recorder: keeps, by canonical name (record/names.h), what the network and the task do
/// during the training steps the `record:` section selects, and streams it to `.npy` files that
/// NumPy loads without neuromod. Nothing is plotted or analysed during training.
///
/// For each recorded name `recordings/` holds
///
///   <file>.npy        float32 (rows, columns): one row per kept (time step, episode)
///   <file>.rows.npy   int64 (rows, 3): the training step, time step and batch element of a row
///
/// and `recordings/index.json` describes every file: its name, shape, what its columns are (unit
/// indices, or the summary statistics of a trace), the units and episodes kept, the stride, and
/// the rows dropped past `max_rows`. The index is replaced atomically at each flush; a file's
/// header always matches the rows on disk.
///
/// Memory is bounded by `buffer_mb`: when the buffered rows exceed it, they are appended to the
/// files. A resumed run reopens the files and cuts the rows of steps after its checkpoint.
///
/// Example:
///   Recorder recorder(config.record, run.recordings(), config.learning.steps);
///   if (recorder.records_step(step)) {
///     for (int64_t t = 0; t < T; ++t) recorder.record(step, t, model->recordables(state));
///   }
///   recorder.flush();

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "neuromod/record/record_options.h"

namespace neuromod {

/// Summary statistics recorded for a trace unless `full`: columns of its file, in order.
inline const std::vector<std::string>& trace_summary_columns() {
  static const std::vector<std::string> columns{"mean", "sd", "min", "max", "mean_abs"};
  return columns;
}

/// The file stem of a canonical name: '/' becomes '.', anything but letters, digits, '.', '-'
/// and '_' becomes '_'. Example: recording_stem("effects/rnn/soma.gain") ==
/// "effects.rnn.soma.gain".
std::string recording_stem(const std::string& name);

/// Records the selected signals of the selected training steps to `.npy` files.
class Recorder {
 public:
  /// A recorder writing to `directory` (created if missing) for a run of `total_steps` training
  /// steps. `resume_step`: the run resumes after this step; the recordings already in
  /// `directory` are reopened and their rows of later steps cut off.
  /// Throws std::runtime_error naming a file that cannot be created or reopened.
  Recorder(RecordOptions options, std::filesystem::path directory, int64_t total_steps,
           std::optional<int64_t> resume_step = std::nullopt);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  /// Whether anything is to be recorded at all.
  bool active() const { return !options_.signals.empty(); }

  /// Whether training step `step` (1-based) is recorded.
  bool records_step(int64_t step) const;

  /// Records time step `time` of the episodes of training step `step`. `values` maps canonical
  /// names to (B, ...) tensors (a (B) tensor has one value per sample, a 0-d tensor is one
  /// sample of one value); each name is recorded with the first signal pattern that
  /// matches it. The first call checks the patterns: a pattern that matches
  /// nothing, a unit range outside a signal's values or a batch element outside its batch
  /// throws std::invalid_argument naming `record.signals.<i>`, the value and the names
  /// available.
  void record(int64_t step, int64_t time, const std::map<std::string, torch::Tensor>& values);

  /// Appends the buffered rows to the files, updates their headers and rewrites index.json.
  void flush();

  /// Bytes of rows now held in memory (never above the bound after a record() returns).
  std::size_t buffered_bytes() const;

  /// The bound on buffered_bytes(), from `buffer_mb`.
  std::size_t buffer_limit() const;

  /// The canonical names recorded so far, sorted.
  std::vector<std::string> recorded_names() const;

 private:
  struct Channel;

  Channel& channel_for(const std::string& name, std::size_t signal, const torch::Tensor& value);
  void load_index(int64_t resume_step);
  void write_index() const;

  RecordOptions options_;
  std::filesystem::path directory_;
  int64_t total_steps_ = 0;
  bool checked_ = false;
  std::map<std::string, std::unique_ptr<Channel>> channels_;  // by canonical name
};

}  // namespace neuromod
