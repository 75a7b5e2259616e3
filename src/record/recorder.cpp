#include "neuromod/record/recorder.h"

#include <fnmatch.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "neuromod/core/atomic_file.h"
#include "neuromod/modulation/population.h"
#include "neuromod/record/npy.h"

namespace neuromod {

namespace {

constexpr int64_t kRowColumns = 3;  // training step, time step, batch element
constexpr const char* kIndexFile = "index.json";

bool matches(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), FNM_PATHNAME) == 0;
}

std::string signal_key(std::size_t signal) {
  return fmt::format("record.signals.{}", signal);
}

std::string available_names(const std::map<std::string, torch::Tensor>& values) {
  std::string list;
  for (const auto& [name, value] : values) list += (list.empty() ? "" : ", ") + name;
  return list;
}

// A value as (samples, values per sample): a 0-d tensor is one sample of one value.
torch::Tensor as_samples(const torch::Tensor& value) {
  auto cpu = value.detach().to(torch::kCPU, torch::kFloat32);
  if (cpu.dim() == 0) return cpu.reshape({1, 1});
  if (cpu.dim() == 1) return cpu.reshape({-1, 1});
  return cpu.reshape({cpu.size(0), -1});
}

torch::Tensor trace_summaries(const torch::Tensor& values) {
  return torch::stack(
      {values.mean(1), values.std(1, /*unbiased=*/false), std::get<0>(values.min(1)),
       std::get<0>(values.max(1)), values.abs().mean(1)},
      1);
}

}  // namespace

std::string recording_stem(const std::string& name) {
  std::string stem = name;
  for (auto& c : stem) {
    if (c == '/') {
      c = '.';
    } else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') {
      c = '_';
    }
  }
  return stem;
}

/// One recorded name: its selection, its two files and the rows not yet written.
struct Recorder::Channel {
  std::string name;
  std::vector<int64_t> sample_shape;  // shape of one sample's values
  std::vector<int64_t> units;         // indices into a sample's flattened values
  std::vector<int64_t> batch;         // empty: every batch element
  int64_t stride = 1;
  bool summary = false;
  int64_t dropped = 0;
  std::unique_ptr<npy::RowAppender> values_file;
  std::unique_ptr<npy::RowAppender> rows_file;
  std::vector<float> buffer;
  std::vector<int64_t> row_buffer;

  int64_t columns() const {
    return summary ? static_cast<int64_t>(trace_summary_columns().size())
                   : static_cast<int64_t>(units.size());
  }
  int64_t buffered_rows() const { return static_cast<int64_t>(row_buffer.size()) / kRowColumns; }
  int64_t total_rows() const { return values_file->rows() + buffered_rows(); }

  void write_buffer() {
    values_file->append(buffer.data(), buffered_rows());
    rows_file->append(row_buffer.data(), buffered_rows());
    buffer.clear();
    row_buffer.clear();
    values_file->flush();
    rows_file->flush();
  }

  nlohmann::json describe() const {
    nlohmann::json entry;
    entry["name"] = name;
    entry["file"] = values_file->path().filename().string();
    entry["rows_file"] = rows_file->path().filename().string();
    entry["rows_columns"] = {"step", "time", "batch"};
    entry["shape"] = {values_file->rows(), columns()};
    entry["dtype"] = "float32";
    entry["sample_shape"] = sample_shape;
    entry["summary"] = summary;
    if (summary) entry["columns"] = trace_summary_columns();
    entry["units"] = units;
    entry["batch"] = batch;
    entry["stride"] = stride;
    entry["dropped_rows"] = dropped;
    return entry;
  }
};

Recorder::Recorder(RecordOptions options, std::filesystem::path directory, int64_t total_steps,
                   std::optional<int64_t> resume_step)
    : options_(std::move(options)), directory_(std::move(directory)), total_steps_(total_steps) {
  if (!active()) return;
  std::filesystem::create_directories(directory_);
  if (resume_step && std::filesystem::exists(directory_ / kIndexFile)) load_index(*resume_step);
}

Recorder::~Recorder() {
  try {
    flush();
  } catch (...) {
    // A destructor must not throw; callers that care about errors call flush() themselves.
  }
}

bool Recorder::records_step(int64_t step) const {
  if (!active()) return false;
  if (options_.first && step == 1) return true;
  if (options_.last && step == total_steps_) return true;
  return options_.every > 0 && step % options_.every == 0;
}

void Recorder::record(int64_t step, int64_t time,
                      const std::map<std::string, torch::Tensor>& values) {
  if (!active()) return;
  torch::NoGradGuard no_grad;
  if (!checked_) {
    for (std::size_t i = 0; i < options_.signals.size(); ++i) {
      const auto& pattern = options_.signals[i].name;
      const bool found = std::any_of(values.begin(), values.end(), [&](const auto& entry) {
        return matches(pattern, entry.first);
      });
      if (!found) {
        throw std::invalid_argument(
            fmt::format("{}.name: '{}' matches nothing this run records; it records: {}",
                        signal_key(i), pattern, available_names(values)));
      }
    }
    checked_ = true;
  }
  for (const auto& [name, value] : values) {
    std::size_t signal = 0;
    while (signal < options_.signals.size() && !matches(options_.signals[signal].name, name)) {
      ++signal;
    }
    if (signal == options_.signals.size()) continue;  // not selected
    if (time % options_.signals[signal].stride != 0) continue;
    Channel& channel = channel_for(name, signal, value);

    auto samples = as_samples(value);
    std::vector<int64_t> batch = channel.batch;
    if (batch.empty()) {
      for (int64_t b = 0; b < samples.size(0); ++b) batch.push_back(b);
    }
    for (const auto b : batch) {
      if (b >= samples.size(0)) {
        throw std::invalid_argument(
            fmt::format("{}.batch: element {} of '{}' does not exist; its batch has {} elements",
                        signal_key(signal), b, name, samples.size(0)));
      }
    }
    auto kept =
        samples.index_select(0, torch::tensor(batch)).index_select(1, torch::tensor(channel.units));
    if (channel.summary) kept = trace_summaries(kept);
    kept = kept.contiguous();

    const int64_t room = std::max<int64_t>(0, options_.max_rows - channel.total_rows());
    const int64_t rows = std::min<int64_t>(room, kept.size(0));
    channel.dropped += kept.size(0) - rows;
    const float* data = kept.data_ptr<float>();
    channel.buffer.insert(channel.buffer.end(), data, data + rows * kept.size(1));
    for (int64_t r = 0; r < rows; ++r) {
      channel.row_buffer.insert(channel.row_buffer.end(), {step, time, batch[r]});
    }
  }
  if (buffered_bytes() > buffer_limit()) flush();
}

Recorder::Channel& Recorder::channel_for(const std::string& name, std::size_t signal,
                                         const torch::Tensor& value) {
  if (auto found = channels_.find(name); found != channels_.end()) return *found->second;
  const auto& options = options_.signals[signal];
  auto channel = std::make_unique<Channel>();
  channel->name = name;
  if (value.dim() >= 2) {
    channel->sample_shape.assign(value.sizes().begin() + 1, value.sizes().end());
  } else {
    channel->sample_shape = {1};
  }
  int64_t per_sample = 1;
  for (const auto extent : channel->sample_shape) per_sample *= extent;
  PopulationOptions range;
  range.name = signal_key(signal) + ".units";
  range.range = options.units;
  try {
    const auto indices = population_indices(range, per_sample);
    channel->units.assign(indices.data_ptr<int64_t>(),
                          indices.data_ptr<int64_t>() + indices.numel());
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(
        fmt::format("{}.units: '{}' does not select values of '{}' ({} per "
                    "sample): {}",
                    signal_key(signal), options.units, name, per_sample, error.what()));
  }
  channel->batch = options.batch;
  for (const auto b : channel->batch) {
    if (b < 0) {
      throw std::invalid_argument(
          fmt::format("{}.batch: {} is negative; expected indices >= 0", signal_key(signal), b));
    }
  }
  channel->stride = options.stride;
  channel->summary = channel->sample_shape.size() >= 2 && !options.full;
  const auto stem = recording_stem(name);
  channel->values_file = std::make_unique<npy::RowAppender>(
      directory_ / (stem + ".npy"), npy::DType::float32, channel->columns());
  channel->rows_file = std::make_unique<npy::RowAppender>(directory_ / (stem + ".rows.npy"),
                                                          npy::DType::int64, kRowColumns);
  return *channels_.emplace(name, std::move(channel)).first->second;
}

void Recorder::flush() {
  if (!active()) return;
  for (auto& [name, channel] : channels_) channel->write_buffer();
  write_index();
}

std::size_t Recorder::buffered_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [name, channel] : channels_) {
    bytes += channel->buffer.size() * sizeof(float) + channel->row_buffer.size() * sizeof(int64_t);
  }
  return bytes;
}

std::size_t Recorder::buffer_limit() const {
  return static_cast<std::size_t>(options_.buffer_mb * 1024.0 * 1024.0);
}

std::vector<std::string> Recorder::recorded_names() const {
  std::vector<std::string> names;
  for (const auto& [name, channel] : channels_) names.push_back(name);
  return names;
}

void Recorder::write_index() const {
  nlohmann::json index;
  index["format"] = "neuromod recordings 1";
  index["recordings"] = nlohmann::json::array();
  for (const auto& [name, channel] : channels_) index["recordings"].push_back(channel->describe());
  write_file_atomically(directory_ / kIndexFile, index.dump(2) + "\n");
}

void Recorder::load_index(int64_t resume_step) {
  const auto path = directory_ / kIndexFile;
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(read_text_file(path));
    for (const auto& entry : index.at("recordings")) {
      auto channel = std::make_unique<Channel>();
      channel->name = entry.at("name").get<std::string>();
      channel->sample_shape = entry.at("sample_shape").get<std::vector<int64_t>>();
      channel->units = entry.at("units").get<std::vector<int64_t>>();
      channel->batch = entry.at("batch").get<std::vector<int64_t>>();
      channel->stride = entry.at("stride").get<int64_t>();
      channel->summary = entry.at("summary").get<bool>();
      channel->dropped = entry.at("dropped_rows").get<int64_t>();
      const auto rows_path = directory_ / entry.at("rows_file").get<std::string>();
      // Keep the rows of steps up to the checkpoint; the resumed run records the rest again.
      const auto rows = npy::read(rows_path);
      int64_t keep = 0;
      while (keep < rows.size(0) && rows[keep][0].item<int64_t>() <= resume_step) ++keep;
      // Rows are dropped only once a file is full, so a cut file dropped nothing before the cut.
      if (keep < rows.size(0)) channel->dropped = 0;
      channel->values_file = std::make_unique<npy::RowAppender>(
          npy::RowAppender::reopen(directory_ / entry.at("file").get<std::string>(),
                                   npy::DType::float32, channel->columns(), keep));
      channel->rows_file = std::make_unique<npy::RowAppender>(
          npy::RowAppender::reopen(rows_path, npy::DType::int64, kRowColumns, keep));
      channels_.emplace(channel->name, std::move(channel));
    }
  } catch (const nlohmann::json::exception& error) {
    throw std::runtime_error(path.string() + ": not a recordings index: " + error.what());
  }
  write_index();
}

}  // namespace neuromod
