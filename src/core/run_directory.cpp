#include "neuromod/core/run_directory.h"

#include <cctype>
#include <ctime>
#include <stdexcept>

namespace neuromod {

namespace {
constexpr std::size_t kMaxNameLength = 64;

std::string timestamp_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y%m%d-%H%M%S", &local);
  return buffer;
}
}  // namespace

std::string sanitize_run_name(const std::string& name) {
  std::string safe;
  for (char c : name) {
    const bool keep =
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    safe += keep ? c : '_';
  }
  const auto first = safe.find_first_not_of('.');
  safe = first == std::string::npos ? "" : safe.substr(first);
  if (safe.size() > kMaxNameLength) safe.resize(kMaxNameLength);
  return safe.empty() ? "run" : safe;
}

void RunDirectory::create_subdirectories() const {
  for (const auto& directory : {checkpoints(), recordings(), plots(), tb()}) {
    std::filesystem::create_directories(directory);
  }
}

RunDirectory RunDirectory::create(const std::filesystem::path& root, const std::string& name) {
  const std::string stem = sanitize_run_name(name) + "-" + timestamp_now();
  try {
    std::filesystem::create_directories(root);
    for (int attempt = 1;; ++attempt) {
      const std::string leaf = attempt == 1 ? stem : stem + "-" + std::to_string(attempt);
      const std::filesystem::path candidate = root / leaf;
      // create_directory is the atomic claim: two runs started in the same second differ.
      if (std::filesystem::create_directory(candidate)) {
        RunDirectory run(candidate);
        run.create_subdirectories();
        return run;
      }
    }
  } catch (const std::filesystem::filesystem_error& error) {
    throw std::runtime_error("cannot create a run directory under " + root.string() + ": " +
                             error.code().message());
  }
}

RunDirectory RunDirectory::open(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) {
    throw std::runtime_error("run directory " + path.string() + " does not exist");
  }
  RunDirectory run(path);
  if (!std::filesystem::is_regular_file(run.config(), error)) {
    throw std::runtime_error(path.string() +
                             " is not a neuromod run directory (it has no config.yaml)");
  }
  run.create_subdirectories();
  return run;
}

}  // namespace neuromod
