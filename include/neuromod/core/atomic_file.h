#pragma once
/// Files that are never seen half-written: content goes to a temporary name in the same
/// directory, is flushed, and is renamed over the destination (rename is atomic on POSIX).

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>

namespace neuromod {

/// Writes `content` to `path` atomically. Throws std::runtime_error naming the file.
/// Example: write_file_atomically(run_dir / "meta.json", meta.dump(2));
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

/// Lets `write` fill a temporary file, then renames it to `path`. If `write` throws, the
/// temporary file is removed and `path` is left as it was.
void write_file_atomically(
    const std::filesystem::path& path,
    const std::function<void(const std::filesystem::path& temporary)>& write);

/// Reads a whole text file; throws std::runtime_error naming it when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

}  // namespace neuromod
