#pragma once
/// A run's meta.json: versions, seed, threads, host, command line, start and end.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "neuromod/config/run_config.h"

namespace neuromod {

/// meta.json of a new run (status "running").
nlohmann::json new_run_metadata(const RunConfig& config, const std::string& command_line);

/// Adds a resumption (time, step, command line) to an existing run's meta.json.
void record_resumption(nlohmann::json& meta, int64_t from_step, const std::string& command_line);

/// Sets status ("completed", "interrupted", "diverged"), finished_at, last step and wall time
/// (seconds of this process's run; summed over resumptions).
void record_ending(nlohmann::json& meta, const std::string& status, int64_t step,
                   double wall_seconds);

/// Reads meta.json (an unreadable one is replaced by `fallback`, which is returned).
nlohmann::json read_run_metadata(const std::filesystem::path& path, nlohmann::json fallback);

/// Writes meta.json atomically.
void write_run_metadata(const std::filesystem::path& path, const nlohmann::json& meta);

/// Local time as ISO 8601, e.g. "2026-12-03T19:20:00+0000".
std::string iso_time_now();

}  // namespace neuromod
