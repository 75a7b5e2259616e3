#include "functional/trace_buffers.h"

#include <c10/core/impl/alloc_cpu.h>
#include <torch/torch.h>

namespace neuromod::functional::detail {

TraceBuffers& TraceBuffers::instance() {
  static auto* buffers = new TraceBuffers();
  return *buffers;
}

torch::Tensor TraceBuffers::empty(c10::IntArrayRef sizes, const torch::TensorOptions& options) {
  int64_t count = 1;
  for (const auto size : sizes) count *= size;
  const size_t bytes =
      static_cast<size_t>(count) * c10::elementSize(options.dtype().toScalarType());
  const Buffer buffer = take(bytes);
  return torch::from_blob(
      buffer.data, sizes, [this, buffer, bytes](void*) { give(buffer, bytes); }, options);
}

bool TraceBuffers::owns(const torch::Tensor& tensor) {
  if (!tensor.defined() || !tensor.is_contiguous() || tensor.storage_offset() != 0 ||
      tensor.is_view()) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = live_.find(tensor.data_ptr());
  return found != live_.end() && found->second == tensor.nbytes();
}

TraceBuffers::Buffer TraceBuffers::take(size_t bytes) {
  size_t stagger = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& list = free_[bytes];
    if (!list.empty()) {
      const Buffer buffer = list.back();
      list.pop_back();
      kept_ -= bytes;
      live_.emplace(buffer.data, bytes);
      return buffer;
    }
    stagger = kStaggerStep * (allocated_++ % kStaggers);
  }
  Buffer buffer;
  buffer.base = c10::alloc_cpu(bytes + kStaggerStep * kStaggers);
  buffer.data = static_cast<char*>(buffer.base) + stagger;
  std::lock_guard<std::mutex> lock(mutex_);
  live_.emplace(buffer.data, bytes);
  return buffer;
}

void TraceBuffers::give(const Buffer& buffer, size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    live_.erase(buffer.data);
    if (kept_ + bytes <= kKeptBytes) {
      free_[bytes].push_back(buffer);
      kept_ += bytes;
      return;
    }
  }
  c10::free_cpu(buffer.base);
}

}  // namespace neuromod::functional::detail
