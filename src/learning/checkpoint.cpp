#include "neuromod/learning/checkpoint.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>

#include "neuromod/core/atomic_file.h"

namespace neuromod {

namespace {
// Bumped when the layout of a checkpoint changes incompatibly.
constexpr int64_t kFormatVersion = 1;
}  // namespace

void MetricWindow::add(const MetricValues& values) {
  for (const auto& [name, value] : values) sums[name] += value;
  ++count;
}

MetricValues MetricWindow::means() const {
  MetricValues means;
  for (const auto& [name, sum] : sums) means[name] = sum / static_cast<double>(count);
  return means;
}

void MetricWindow::clear() {
  sums.clear();
  count = 0;
}

std::filesystem::path checkpoint_path(const std::filesystem::path& directory, int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step-%08lld.pt", static_cast<long long>(step));
  return directory / name;
}

std::vector<std::filesystem::path> list_checkpoints(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> found;
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) return found;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.rfind("step-", 0) == 0 &&
        entry.path().extension() == ".pt") {
      found.push_back(entry.path());
    }
  }
  // Zero-padded step numbers sort in step order.
  std::sort(found.begin(), found.end());
  return found;
}

std::filesystem::path save_checkpoint(const std::filesystem::path& directory,
                                      const TrainingProgress& progress, Experiment& experiment,
                                      int64_t keep_last) {
  torch::serialize::OutputArchive archive;
  archive.write("format", torch::tensor(kFormatVersion));
  archive.write("step", torch::tensor(progress.step));

  std::vector<std::string> names;
  std::vector<double> sums;
  for (const auto& [name, sum] : progress.window.sums) {
    names.push_back(name);
    sums.push_back(sum);
  }
  archive.write("window.names", c10::IValue(c10::List<std::string>(names)));
  archive.write("window.sums", torch::tensor(sums, torch::kFloat64));
  archive.write("window.count", torch::tensor(progress.window.count));
  archive.write("rng.torch", at::detail::getDefaultCPUGenerator().get_state());

  torch::serialize::OutputArchive experiment_archive;
  experiment.save(experiment_archive);
  archive.write("experiment", experiment_archive);

  const std::filesystem::path path = checkpoint_path(directory, progress.step);
  write_file_atomically(
      path, [&](const std::filesystem::path& temporary) { archive.save_to(temporary.string()); });

  auto existing = list_checkpoints(directory);
  const auto excess = static_cast<int64_t>(existing.size()) - keep_last;
  for (int64_t i = 0; i < excess; ++i) std::filesystem::remove(existing[i]);
  return path;
}

TrainingProgress load_checkpoint(const std::filesystem::path& path, Experiment& experiment) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw CheckpointError("checkpoint " + path.string() + " not found");
  }
  TrainingProgress progress;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    torch::Tensor format;
    archive.read("format", format);
    if (format.item<int64_t>() != kFormatVersion) {
      throw CheckpointError("checkpoint " + path.string() + " has format " +
                            std::to_string(format.item<int64_t>()) + ", expected " +
                            std::to_string(kFormatVersion));
    }
    torch::Tensor step, sums, count, rng;
    archive.read("step", step);
    c10::IValue names;
    archive.read("window.names", names);
    archive.read("window.sums", sums);
    archive.read("window.count", count);
    archive.read("rng.torch", rng);
    torch::serialize::InputArchive experiment_archive;
    archive.read("experiment", experiment_archive);
    experiment.load(experiment_archive);

    progress.step = step.item<int64_t>();
    const auto name_list = names.toList();
    for (std::size_t i = 0; i < name_list.size(); ++i) {
      progress.window.sums[name_list.get(i).toStringRef()] = sums[i].item<double>();
    }
    progress.window.count = count.item<int64_t>();
    at::Generator generator = at::detail::getDefaultCPUGenerator();  // shares the default's state
    generator.set_state(rng);
  } catch (const CheckpointError&) {
    throw;
  } catch (const std::exception& failure) {
    std::string what = failure.what();
    what = what.substr(0, what.find('\n'));  // LibTorch appends a long backtrace
    throw CheckpointError("checkpoint " + path.string() +
                          " is unreadable or corrupted (expected a checkpoint written by "
                          "neuromod run for this config): " +
                          what);
  }
  return progress;
}

}  // namespace neuromod
