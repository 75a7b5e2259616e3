#include "neuromod/record/tensorboard_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>

namespace neuromod {

namespace {

// Debian ships no CRC-32C library that neuromod links (zlib's crc32 is the other
// polynomial), and this is a few lines: one table, one byte at a time. Event files are
// small, so slicing-by-8 or SSE4.2 would buy nothing.
constexpr std::array<uint32_t, 256> make_crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? 0x82F63B78u : 0u);
    table[byte] = crc;
  }
  return table;
}
constexpr auto kCrc32cTable = make_crc32c_table();

constexpr const char* kFileVersion = "brain.Event:2";

// Protobuf wire types.
constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;
constexpr int kFixed32 = 5;

// ---- encoding ----

void put_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

void put_key(std::string& out, int field, int wire_type) {
  put_varint(out, (static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
}

template <class T>
void put_little_endian(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

void put_bytes(std::string& out, int field, const std::string& bytes) {
  put_key(out, field, kLengthDelimited);
  put_varint(out, bytes.size());
  out += bytes;
}

std::string event_header(int64_t step) {
  const double wall_time =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  uint64_t wall_bits = 0;
  std::memcpy(&wall_bits, &wall_time, sizeof wall_bits);
  std::string event;
  put_key(event, 1, kFixed64);
  put_little_endian(event, wall_bits);
  put_key(event, 2, kVarint);
  put_varint(event, static_cast<uint64_t>(step));
  return event;
}

std::string host_name() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0') return "localhost";
  std::string name = buffer;
  std::replace(name.begin(), name.end(), '/', '_');
  return name;
}

// Claims a new file atomically (O_EXCL), so two writers started in the same second in one
// directory never share a file.
std::filesystem::path claim_event_file(const std::filesystem::path& directory) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  const std::string stem = "events.out.tfevents." + std::to_string(seconds) + "." + host_name();
  for (int attempt = 0;; ++attempt) {
    const auto candidate = directory / (attempt == 0 ? stem : stem + "." + std::to_string(attempt));
    const int fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      return candidate;
    }
    if (errno != EEXIST) {
      throw std::runtime_error("cannot create TensorBoard event file " + candidate.string() + ": " +
                               std::strerror(errno));
    }
  }
}

// ---- decoding ----

// A protobuf message being read; throws std::runtime_error on malformed input (turned into
// a TensorBoardFormatError with the record's offset by the caller).
class WireReader {
 public:
  WireReader(const char* begin, const char* end) : at_(begin), end_(end) {}

  bool done() const { return at_ == end_; }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at_ == end_) throw std::runtime_error("truncated varint in the Event");
      const auto byte = static_cast<uint8_t>(*at_++);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw std::runtime_error("varint longer than 10 bytes in the Event");
  }

  template <class T>
  T fixed() {
    const char* bytes = take(sizeof(T));
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i)
      value |= static_cast<T>(static_cast<uint8_t>(bytes[i])) << (8 * i);
    return value;
  }

  WireReader message() {
    const auto size = varint();
    const char* begin = take(size);
    return WireReader(begin, begin + size);
  }

  std::string bytes() {
    const auto size = varint();
    const char* begin = take(size);
    return std::string(begin, size);
  }

  void skip(int wire_type) {
    switch (wire_type) {
      case kVarint:
        varint();
        return;
      case kFixed64:
        take(8);
        return;
      case kLengthDelimited:
        take(varint());
        return;
      case kFixed32:
        take(4);
        return;
      default:
        throw std::runtime_error("unsupported protobuf wire type " + std::to_string(wire_type));
    }
  }

 private:
  const char* take(uint64_t size) {
    if (size > static_cast<uint64_t>(end_ - at_))
      throw std::runtime_error("a field runs past the end of the Event");
    const char* begin = at_;
    at_ += size;
    return begin;
  }

  const char* at_;
  const char* end_;
};

void expect_wire_type(int wire_type, int expected, const char* field) {
  if (wire_type != expected) {
    throw std::runtime_error(std::string("Event field ") + field + " has wire type " +
                             std::to_string(wire_type) + ", expected " + std::to_string(expected));
  }
}

std::optional<TensorBoardScalar> decode_value(WireReader value) {
  TensorBoardScalar scalar;
  bool simple = false;
  while (!value.done()) {
    const auto key = value.varint();
    const int field = static_cast<int>(key >> 3);
    const int wire_type = static_cast<int>(key & 7);
    if (field == 1 && wire_type == kLengthDelimited) {
      scalar.tag = value.bytes();
    } else if (field == 2 && wire_type == kFixed32) {
      const uint32_t bits = value.fixed<uint32_t>();
      std::memcpy(&scalar.value, &bits, sizeof bits);
      simple = true;
    } else {
      value.skip(wire_type);
    }
  }
  if (!simple) return std::nullopt;
  return scalar;
}

TensorBoardEvent decode_event(WireReader event) {
  TensorBoardEvent decoded;
  while (!event.done()) {
    const auto key = event.varint();
    const int field = static_cast<int>(key >> 3);
    const int wire_type = static_cast<int>(key & 7);
    switch (field) {
      case 1: {
        expect_wire_type(wire_type, kFixed64, "wall_time");
        const uint64_t bits = event.fixed<uint64_t>();
        std::memcpy(&decoded.wall_time, &bits, sizeof bits);
        break;
      }
      case 2:
        expect_wire_type(wire_type, kVarint, "step");
        decoded.step = static_cast<int64_t>(event.varint());
        break;
      case 3:
        expect_wire_type(wire_type, kLengthDelimited, "file_version");
        decoded.file_version = event.bytes();
        break;
      case 5: {
        expect_wire_type(wire_type, kLengthDelimited, "summary");
        WireReader summary = event.message();
        while (!summary.done()) {
          const auto summary_key = summary.varint();
          const int summary_wire_type = static_cast<int>(summary_key & 7);
          if ((summary_key >> 3) == 1 && summary_wire_type == kLengthDelimited) {
            if (auto scalar = decode_value(summary.message())) {
              decoded.scalars.push_back(std::move(*scalar));
            }
          } else {
            summary.skip(summary_wire_type);
          }
        }
        break;
      }
      case 6: {
        expect_wire_type(wire_type, kLengthDelimited, "session_log");
        WireReader log = event.message();
        decoded.session_status = SessionStatus::unspecified;
        while (!log.done()) {
          const auto log_key = log.varint();
          const int log_wire_type = static_cast<int>(log_key & 7);
          if ((log_key >> 3) == 1 && log_wire_type == kVarint) {
            decoded.session_status = static_cast<SessionStatus>(log.varint());
          } else {
            log.skip(log_wire_type);
          }
        }
        break;
      }
      default:
        event.skip(wire_type);
    }
  }
  return decoded;
}

uint64_t read_u64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  return value;
}

uint32_t read_u32(const char* bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  return value;
}

}  // namespace

uint32_t crc32c(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) crc = kCrc32cTable[(crc ^ bytes[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(const void* data, std::size_t size) {
  const uint32_t crc = crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

TensorBoardFormatError::TensorBoardFormatError(std::filesystem::path path, uint64_t offset,
                                               const std::string& problem)
    : std::runtime_error(path.string() + ": " + problem + " in the record at byte offset " +
                         std::to_string(offset)),
      path_(std::move(path)),
      offset_(offset) {}

TensorBoardWriter::TensorBoardWriter(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw std::runtime_error("cannot create TensorBoard directory " + directory.string() + ": " +
                             error.message());
  }
  path_ = claim_event_file(directory);
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot open TensorBoard event file " + path_.string());
  std::string event = event_header(0);
  put_bytes(event, 3, kFileVersion);
  write_event(event);
}

void TensorBoardWriter::write_scalars(int64_t step, const MetricValues& values) {
  std::string summary;
  for (const auto& [tag, value] : values) {
    std::string entry;
    put_bytes(entry, 1, tag);
    put_key(entry, 2, kFixed32);
    const auto simple_value = static_cast<float>(value);
    uint32_t bits = 0;
    std::memcpy(&bits, &simple_value, sizeof bits);
    put_little_endian(entry, bits);
    put_bytes(summary, 1, entry);
  }
  std::string event = event_header(step);
  put_bytes(event, 5, summary);
  write_event(event);
}

void TensorBoardWriter::write_session_start(int64_t step) {
  std::string session_log;
  put_key(session_log, 1, kVarint);
  put_varint(session_log, static_cast<uint64_t>(SessionStatus::start));
  std::string event = event_header(step);
  put_bytes(event, 6, session_log);
  write_event(event);
}

void TensorBoardWriter::write_event(const std::string& event) {
  std::string record;
  put_little_endian(record, static_cast<uint64_t>(event.size()));
  put_little_endian(record, masked_crc32c(record.data(), record.size()));
  record += event;
  put_little_endian(record, masked_crc32c(event.data(), event.size()));
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  out_.flush();
  if (!out_) throw std::runtime_error("cannot write TensorBoard events to " + path_.string());
}

std::vector<TensorBoardEvent> read_tensorboard_events(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read TensorBoard event file " + path.string());
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::vector<TensorBoardEvent> events;
  const char* const begin = file.data();
  uint64_t offset = 0;
  while (offset < file.size()) {
    const uint64_t left = file.size() - offset;
    const char* record = begin + offset;
    if (left < 12) {
      throw TensorBoardFormatError(path, offset,
                                   "truncated header (" + std::to_string(left) + " of 12 bytes)");
    }
    if (masked_crc32c(record, 8) != read_u32(record + 8))
      throw TensorBoardFormatError(path, offset, "bad CRC of the length");
    const uint64_t length = read_u64(record);
    if (length > left - 12 || left - 12 - length < 4) {
      throw TensorBoardFormatError(path, offset,
                                   "truncated data (" + std::to_string(length) + " + 4 bytes of " +
                                       "data and CRC, " + std::to_string(left - 12) + " left)");
    }
    const char* data = record + 12;
    if (masked_crc32c(data, length) != read_u32(data + length))
      throw TensorBoardFormatError(path, offset, "bad CRC of the data");
    try {
      events.push_back(decode_event(WireReader(data, data + length)));
    } catch (const std::runtime_error& error) {
      throw TensorBoardFormatError(path, offset, error.what());
    }
    offset += 12 + length + 4;
  }
  return events;
}

std::vector<std::filesystem::path> list_tensorboard_event_files(
    const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() &&
        entry.path().filename().string().find("tfevents") != std::string::npos) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TensorBoardSeries read_tensorboard_scalars(const std::filesystem::path& directory) {
  TensorBoardSeries series;
  for (const auto& file : list_tensorboard_event_files(directory)) {
    for (const auto& event : read_tensorboard_events(file)) {
      if (event.session_status == SessionStatus::start) {
        for (auto& [tag, points] : series) {
          points.erase(std::remove_if(points.begin(), points.end(),
                                      [&](const auto& point) { return point.first >= event.step; }),
                       points.end());
        }
      }
      for (const auto& scalar : event.scalars)
        series[scalar.tag].emplace_back(event.step, scalar.value);
    }
  }
  return series;
}

}  // namespace neuromod
