#pragma once
/// \file
/// NumPy's `.npy` format (version 1.0), so recordings load with `numpy.load` and no neuromod:
///
///   "\x93NUMPY" 0x01 0x00  uint16 header length (little-endian)
///   "{'descr': '<f4', 'fortran_order': False, 'shape': (T, N), }" padded with spaces to end in
///   '\n' at a multiple of 64 bytes, then the data, C order, little-endian.
///
/// Example:
///   npy::write(run_dir / "recordings" / "levels.npy", levels);   // (T, C) float32
///   torch::Tensor back = npy::read(run_dir / "recordings" / "levels.npy");
///
///   npy::RowAppender rows(path, npy::DType::float32, /*columns=*/200);
///   rows.append(chunk.data(), chunk.size() / 200);   // streams to disk, header kept current
///
/// Reference: numpy.lib.format (NEP 1, "A simple file format for NumPy arrays").

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

namespace neuromod::npy {

/// The element types neuromod writes and reads.
enum class DType {
  float32,  ///< '<f4'
  float64,  ///< '<f8'
  int64,    ///< '<i8'
  int32,    ///< '<i4'
  uint8,    ///< '|u1'
  boolean,  ///< '|b1'
};

/// The descr string of `dtype`, e.g. "<f4".
std::string descr(DType dtype);

/// Bytes of one element of `dtype`.
std::size_t element_size(DType dtype);

/// What a file's header says.
struct Header {
  DType dtype = DType::float32;
  std::vector<int64_t> shape;   ///< () for a scalar
  std::size_t data_offset = 0;  ///< bytes before the first element
};

/// The complete header (magic to the '\n') of an array of `dtype` and `shape`, padded to a
/// multiple of 64 bytes and to at least `min_length` bytes (so a streamed file's header can be
/// rewritten in place as its row count grows).
std::string header_bytes(DType dtype, const std::vector<int64_t>& shape,
                         std::size_t min_length = 0);

/// Reads the header of the `.npy` file at `path`. Throws std::runtime_error naming the file and
/// the problem (not an .npy file, an unsupported version, dtype or Fortran order, or a data
/// size that does not match the shape).
Header read_header(const std::filesystem::path& path);

/// Writes `tensor` (any of the DTypes; made contiguous, moved to the CPU) atomically to `path`.
/// Throws std::invalid_argument for an unsupported dtype and std::runtime_error naming the file
/// when it cannot be written.
void write(const std::filesystem::path& path, const torch::Tensor& tensor);

/// Reads the `.npy` file at `path` into a CPU tensor of its dtype and shape. Throws as
/// read_header.
torch::Tensor read(const std::filesystem::path& path);

/// A 2-D `.npy` file (rows × columns) written row block by row block: each append goes to disk,
/// and the header is rewritten in place so that the file on disk is always a valid array of the
/// rows appended so far (after `flush`). Memory use is independent of the number of rows.
class RowAppender {
 public:
  /// Creates (or truncates) `path` as a (0, columns) array. Throws std::runtime_error naming
  /// the file when it cannot be created.
  RowAppender(std::filesystem::path path, DType dtype, int64_t columns);
  /// Reopens an existing 2-D file to append to it, keeping its first `keep_rows` rows
  /// (the rest is cut off: a resumed run drops what it will record again). Throws
  /// std::runtime_error naming the file when it is not a 2-D array of `dtype` with `columns`
  /// columns and at least `keep_rows` rows.
  static RowAppender reopen(std::filesystem::path path, DType dtype, int64_t columns,
                            int64_t keep_rows);
  RowAppender(RowAppender&& other) noexcept;
  RowAppender& operator=(RowAppender&& other) noexcept;
  RowAppender(const RowAppender&) = delete;
  RowAppender& operator=(const RowAppender&) = delete;
  /// Flushes and closes.
  ~RowAppender();

  /// Appends `rows` rows of `columns` elements of the file's dtype, C order.
  void append(const void* data, int64_t rows);
  /// Rewrites the header with the current row count and flushes the file to the OS.
  void flush();

  int64_t rows() const { return rows_; }
  int64_t columns() const { return columns_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  RowAppender() = default;
  void close() noexcept;

  std::filesystem::path path_;
  DType dtype_ = DType::float32;
  int64_t columns_ = 0;
  int64_t rows_ = 0;
  std::size_t header_length_ = 0;
  std::FILE* file_ = nullptr;
};

}  // namespace neuromod::npy
