#pragma once
/// Reader for the IDX format of (Fashion-)MNIST (LeCun et al.), optionally gzip'd:
/// a big-endian magic number 0x00 0x00 <type> <rank>, `rank` big-endian uint32 sizes,
/// then the data in row-major order. Only unsigned bytes (type 0x08) are supported.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace neuromod {

/// A dataset file that is missing, unreadable or not in the expected format.
class DatasetError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The sizes and bytes of one IDX file.
struct IdxArray {
  std::vector<int64_t> shape;  ///< e.g. {60000, 28, 28}
  std::vector<uint8_t> data;   ///< product(shape) bytes, row-major
};

/// Reads an IDX file of unsigned bytes, gzip'd or not (zlib detects which).
/// Throws DatasetError naming the file for a missing file, a bad magic number, or a size
/// that does not match the data.
IdxArray read_idx_file(const std::filesystem::path& path);

}  // namespace neuromod
