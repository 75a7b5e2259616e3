#include "neuromod/tasks/idx_file.h"

#include <zlib.h>

#include <memory>

namespace neuromod {

namespace {

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly `size` bytes; returns false on a short read.
bool read_exactly(gzFile file, void* buffer, std::size_t size) {
  auto* bytes = static_cast<unsigned char*>(buffer);
  while (size > 0) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size, 1u << 30));
    const int got = gzread(file, bytes, chunk);
    if (got <= 0) return false;
    bytes += got;
    size -= static_cast<std::size_t>(got);
  }
  return true;
}

uint32_t big_endian(const unsigned char* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

}  // namespace

IdxArray read_idx_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw DatasetError(name + ": file not found");
  }
  GzHandle file(gzopen(name.c_str(), "rb"));
  if (!file) throw DatasetError(name + ": cannot open for reading");

  unsigned char magic[4];
  if (!read_exactly(file.get(), magic, 4)) throw DatasetError(name + ": empty or truncated file");
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] == 0 || magic[3] > 4) {
    throw DatasetError(name +
                       ": not an IDX file of unsigned bytes (expected magic 00 00 08 0<rank>)");
  }
  IdxArray array;
  int64_t count = 1;
  for (int dimension = 0; dimension < magic[3]; ++dimension) {
    unsigned char size[4];
    if (!read_exactly(file.get(), size, 4)) throw DatasetError(name + ": truncated header");
    array.shape.push_back(big_endian(size));
    count *= array.shape.back();
  }
  if (count <= 0 || count > (int64_t{1} << 34)) {
    throw DatasetError(name + ": implausible size " + std::to_string(count) + " in the header");
  }
  array.data.resize(static_cast<std::size_t>(count));
  if (!read_exactly(file.get(), array.data.data(), array.data.size())) {
    throw DatasetError(name + ": truncated data (header promises " + std::to_string(count) +
                       " bytes)");
  }
  return array;
}

}  // namespace neuromod
