#pragma once
// Private: trace-sized buffers for the fused operations (fused_plastic.h, plastic_episode.h).
//
// Every fused step makes new (B, N, N) traces and lets the previous ones go, and every episode
// operation keeps its snapshots until backward; from malloc, buffers of a few MiB either come
// from mmap (page faults on every use: measured, first-touch faults took more time than the
// episode operation's loops) or leave holes in the heap that the small tensors of the graph
// fill, so that resident memory grows with the episode. Recycled here instead: a buffer whose
// tensor dies returns to a free list of its size.
//
// Buffers of one size are also staggered within the page: mmap'd buffers all start at the same
// offset in a page, so the loops' streams (P in, P' out, E, gradients) would meet at equal
// addresses modulo 4 KiB, where the CPU takes a load after a store to a different address for
// a dependence ("4K aliasing") and stalls; measured, the forward loop ran at half speed.

#include <cstddef>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <torch/types.h>

namespace neuromod::functional::detail {

class TraceBuffers {
 public:
  /// The process's buffers (never destroyed: tensors may outlive statics).
  static TraceBuffers& instance();

  /// An uninitialised tensor on a recycled buffer.
  torch::Tensor empty(c10::IntArrayRef sizes, const torch::TensorOptions& options);
  torch::Tensor empty_like(const torch::Tensor& like) {
    return empty(like.sizes(), like.options());
  }

  /// Whether `tensor` is the whole of a live buffer from here (so that a fused step may update
  /// it in place: no tensor the caller made can be among them).
  bool owns(const torch::Tensor& tensor);

 private:
  static constexpr size_t kKeptBytes = size_t{1} << 30;  // free buffers kept at most
  static constexpr size_t kStaggerStep = 256;            // bytes between staggered starts
  static constexpr size_t kStaggers = 16;                // 16 × 256 B = one page

  struct Buffer {
    void* base = nullptr;  // what alloc_cpu returned
    void* data = nullptr;  // where the tensor starts
  };

  Buffer take(size_t bytes);
  void give(const Buffer& buffer, size_t bytes);

  std::mutex mutex_;
  std::map<size_t, std::vector<Buffer>> free_;
  std::unordered_map<const void*, size_t> live_;  // data → bytes of the buffers in use
  size_t kept_ = 0;
  size_t allocated_ = 0;
};

}  // namespace neuromod::functional::detail
