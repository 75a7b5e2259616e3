#include "neuromod/record/npy.h"

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <torch/torch.h>

#include "neuromod/core/atomic_file.h"

namespace neuromod::npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLength = 6;
constexpr std::size_t kPrefixLength = kMagicLength + 2 + 2;  // magic, version, header length
// Room for any 2-D shape of 64-bit extents: a streamed file's header never needs to grow.
constexpr std::size_t kStreamedHeaderLength = 128;

static_assert(sizeof(float) == 4 && sizeof(double) == 8, "npy needs IEEE single and double");

struct DTypeInfo {
  DType dtype;
  const char* descr;
  std::size_t size;
  torch::ScalarType scalar;
};

constexpr std::array<DTypeInfo, 6> kDTypes{{
    {DType::float32, "<f4", 4, torch::kFloat32},
    {DType::float64, "<f8", 8, torch::kFloat64},
    {DType::int64, "<i8", 8, torch::kInt64},
    {DType::int32, "<i4", 4, torch::kInt32},
    {DType::uint8, "|u1", 1, torch::kUInt8},
    {DType::boolean, "|b1", 1, torch::kBool},
}};

const DTypeInfo& info(DType dtype) {
  for (const auto& entry : kDTypes) {
    if (entry.dtype == dtype) return entry;
  }
  throw std::invalid_argument("npy: unknown dtype");
}

DType dtype_of(torch::ScalarType scalar) {
  for (const auto& entry : kDTypes) {
    if (entry.scalar == scalar) return entry.dtype;
  }
  throw std::invalid_argument(std::string("npy: cannot store tensors of dtype ") +
                              c10::toString(scalar) +
                              "; expected float32, float64, int64, int32, uint8 or bool");
}

bool little_endian_host() {
  const uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

std::runtime_error file_error(const std::filesystem::path& path, const std::string& problem) {
  return std::runtime_error(path.string() + ": " + problem);
}

std::string shape_tuple(const std::vector<int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) text += ",";
    if (i + 1 < shape.size()) text += " ";
  }
  return text + ")";
}

// The value text after `'key': ` in the header dictionary.
std::string dict_value(const std::string& dict, const std::string& key,
                       const std::filesystem::path& path) {
  const std::string needle = "'" + key + "':";
  const auto at = dict.find(needle);
  if (at == std::string::npos) throw file_error(path, "npy header has no '" + key + "'");
  auto begin = dict.find_first_not_of(' ', at + needle.size());
  if (begin == std::string::npos) throw file_error(path, "npy header is cut off");
  std::size_t end = begin;
  if (dict[begin] == '\'') {
    end = dict.find('\'', begin + 1);
    if (end == std::string::npos) throw file_error(path, "npy header is cut off");
    return dict.substr(begin + 1, end - begin - 1);
  }
  if (dict[begin] == '(') {
    end = dict.find(')', begin);
    if (end == std::string::npos) throw file_error(path, "npy header is cut off");
    return dict.substr(begin, end - begin + 1);
  }
  end = dict.find_first_of(",}", begin);
  return dict.substr(begin, end - begin);
}

std::vector<int64_t> parse_shape(const std::string& tuple, const std::filesystem::path& path) {
  std::vector<int64_t> shape;
  std::string inner = tuple.substr(1, tuple.size() - 2);
  std::stringstream stream(inner);
  std::string item;
  while (std::getline(stream, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    try {
      std::size_t used = 0;
      const long long extent = std::stoll(item.substr(first), &used);
      if (extent < 0) throw std::invalid_argument("negative");
      shape.push_back(extent);
    } catch (const std::exception&) {
      throw file_error(path, "npy header has a malformed shape " + tuple);
    }
  }
  return shape;
}

std::size_t element_count(const std::vector<int64_t>& shape) {
  std::size_t count = 1;
  for (const auto extent : shape) count *= static_cast<std::size_t>(extent);
  return count;
}

}  // namespace

std::string descr(DType dtype) {
  return info(dtype).descr;
}

std::size_t element_size(DType dtype) {
  return info(dtype).size;
}

std::string header_bytes(DType dtype, const std::vector<int64_t>& shape, std::size_t min_length) {
  std::string dict = "{'descr': '" + descr(dtype) +
                     "', 'fortran_order': False, 'shape': " + shape_tuple(shape) + ", }";
  std::size_t total = kPrefixLength + dict.size() + 1;  // + '\n'
  total = std::max(total, min_length);
  total = (total + 63) / 64 * 64;
  dict.append(total - kPrefixLength - dict.size() - 1, ' ');
  dict += '\n';
  const auto length = static_cast<uint16_t>(dict.size());
  std::string header(kMagic, kMagicLength);
  header += '\x01';
  header += '\x00';
  header += static_cast<char>(length & 0xff);
  header += static_cast<char>(length >> 8);
  return header + dict;
}

Header read_header(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path, "cannot open");
  std::array<char, kPrefixLength> prefix{};
  if (!in.read(prefix.data(), prefix.size()) ||
      std::memcmp(prefix.data(), kMagic, kMagicLength) != 0) {
    throw file_error(path, "not an .npy file (no \\x93NUMPY magic)");
  }
  if (prefix[6] != 1) {
    throw file_error(path, "npy format version " + std::to_string(int(prefix[6])) +
                               " is not supported; expected 1.0");
  }
  const std::size_t length = static_cast<unsigned char>(prefix[8]) |
                             (static_cast<std::size_t>(static_cast<unsigned char>(prefix[9])) << 8);
  std::string dict(length, '\0');
  if (!in.read(dict.data(), static_cast<std::streamsize>(length))) {
    throw file_error(path, "npy header is cut off");
  }
  Header header;
  const auto type = dict_value(dict, "descr", path);
  bool known = false;
  for (const auto& entry : kDTypes) {
    if (type == entry.descr) {
      header.dtype = entry.dtype;
      known = true;
    }
  }
  if (!known) {
    throw file_error(
        path, "npy dtype '" + type + "' is not supported; expected <f4, <f8, <i8, <i4, |u1 or |b1");
  }
  if (dict_value(dict, "fortran_order", path) != "False") {
    throw file_error(path, "Fortran-ordered .npy files are not supported");
  }
  header.shape = parse_shape(dict_value(dict, "shape", path), path);
  header.data_offset = kPrefixLength + length;
  const auto expected =
      header.data_offset + element_count(header.shape) * element_size(header.dtype);
  const auto actual = std::filesystem::file_size(path);
  if (actual < expected) {
    throw file_error(path, "holds " + std::to_string(actual) + " bytes but its shape " +
                               shape_tuple(header.shape) + " needs " + std::to_string(expected));
  }
  return header;
}

void write(const std::filesystem::path& path, const torch::Tensor& tensor) {
  if (!little_endian_host()) throw std::runtime_error("npy: big-endian hosts are not supported");
  const auto dtype = dtype_of(tensor.scalar_type());
  const auto data = tensor.detach().to(torch::kCPU).contiguous();
  const std::vector<int64_t> shape(data.sizes().begin(), data.sizes().end());
  write_file_atomically(path, [&](const std::filesystem::path& temporary) {
    std::ofstream out(temporary, std::ios::binary);
    const auto header = header_bytes(dtype, shape);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(data.data_ptr()),
              static_cast<std::streamsize>(data.numel() * element_size(dtype)));
    if (!out.flush()) throw file_error(path, "cannot write");
  });
}

torch::Tensor read(const std::filesystem::path& path) {
  if (!little_endian_host()) throw std::runtime_error("npy: big-endian hosts are not supported");
  const auto header = read_header(path);
  auto tensor = torch::empty(header.shape, torch::TensorOptions().dtype(info(header.dtype).scalar));
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(header.data_offset));
  const auto bytes = static_cast<std::streamsize>(tensor.numel() * element_size(header.dtype));
  if (!in.read(static_cast<char*>(tensor.data_ptr()), bytes)) {
    throw file_error(path, "data is cut off");
  }
  return tensor;
}

RowAppender::RowAppender(std::filesystem::path path, DType dtype, int64_t columns)
    : path_(std::move(path)), dtype_(dtype), columns_(columns) {
  if (columns <= 0) throw std::invalid_argument("npy::RowAppender: columns must be positive");
  file_ = std::fopen(path_.c_str(), "w+b");
  if (file_ == nullptr) throw file_error(path_, "cannot create");
  const auto header = header_bytes(dtype_, {0, columns_}, kStreamedHeaderLength);
  header_length_ = header.size();
  // On disk at once: the file is a valid (0, columns) array before the first append.
  if (std::fwrite(header.data(), 1, header.size(), file_) != header.size() ||
      std::fflush(file_) != 0) {
    close();
    throw file_error(path_, "cannot write");
  }
}

RowAppender RowAppender::reopen(std::filesystem::path path, DType dtype, int64_t columns,
                                int64_t keep_rows) {
  const auto header = read_header(path);
  if (header.dtype != dtype || header.shape.size() != 2 || header.shape[1] != columns ||
      header.shape[0] < keep_rows) {
    throw file_error(path, "expected a (>= " + std::to_string(keep_rows) + ", " +
                               std::to_string(columns) + ") array of " + descr(dtype) + ", found " +
                               shape_tuple(header.shape) + " of " + descr(header.dtype));
  }
  const auto data_end =
      header.data_offset + static_cast<std::size_t>(keep_rows * columns) * element_size(dtype);
  std::filesystem::resize_file(path, data_end);
  RowAppender appender;
  appender.path_ = std::move(path);
  appender.dtype_ = dtype;
  appender.columns_ = columns;
  appender.rows_ = keep_rows;
  appender.header_length_ = header.data_offset;
  appender.file_ = std::fopen(appender.path_.c_str(), "r+b");
  if (appender.file_ == nullptr) throw file_error(appender.path_, "cannot open for appending");
  std::fseek(appender.file_, 0, SEEK_END);
  appender.flush();
  return appender;
}

RowAppender::RowAppender(RowAppender&& other) noexcept {
  *this = std::move(other);
}

RowAppender& RowAppender::operator=(RowAppender&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    dtype_ = other.dtype_;
    columns_ = other.columns_;
    rows_ = other.rows_;
    header_length_ = other.header_length_;
    file_ = std::exchange(other.file_, nullptr);
  }
  return *this;
}

RowAppender::~RowAppender() {
  close();
}

void RowAppender::append(const void* data, int64_t rows) {
  if (rows <= 0) return;
  const auto bytes = static_cast<std::size_t>(rows * columns_) * element_size(dtype_);
  if (std::fwrite(data, 1, bytes, file_) != bytes) throw file_error(path_, "cannot write");
  rows_ += rows;
}

void RowAppender::flush() {
  // The header keeps its length: a streamed header was made long enough for any row count.
  const auto header = header_bytes(dtype_, {rows_, columns_}, header_length_);
  if (header.size() != header_length_) throw file_error(path_, "npy header would change length");
  const long end = std::ftell(file_);
  if (std::fseek(file_, 0, SEEK_SET) != 0 ||
      std::fwrite(header.data(), 1, header.size(), file_) != header.size() ||
      std::fseek(file_, end, SEEK_SET) != 0 || std::fflush(file_) != 0) {
    throw file_error(path_, "cannot write");
  }
}

void RowAppender::close() noexcept {
  if (file_ == nullptr) return;
  try {
    flush();
  } catch (...) {
    // Closing must not throw; the last flush() the owner called reported any error.
  }
  std::fclose(file_);
  file_ = nullptr;
}

}  // namespace neuromod::npy
