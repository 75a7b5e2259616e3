#include "functional/streaming_copy.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace neuromod::functional::detail {
namespace {

void copy_bytes_bypassing_cache(char* dst, const char* src, size_t bytes) {
#if defined(__SSE2__)
  // Head up to the first 16-byte boundary of dst, streamed body, tail: stores that stream must
  // be aligned.
  const size_t head = std::min(bytes, (16 - reinterpret_cast<uintptr_t>(dst) % 16) % 16);
  std::memcpy(dst, src, head);
  size_t done = head;
  for (; done + 64 <= bytes; done += 64) {  // one cache line per iteration
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + done));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + done + 16));
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + done + 32));
    const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + done + 48));
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + done), a);
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + done + 16), b);
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + done + 32), c);
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + done + 48), d);
  }
  std::memcpy(dst + done, src + done, bytes - done);
  _mm_sfence();  // the streamed stores are weakly ordered: make them visible before returning
#else
  std::memcpy(dst, src, bytes);
#endif
}

}  // namespace

void copy_bypassing_cache(torch::Tensor dst, const torch::Tensor& src) {
  const bool raw = dst.device().is_cpu() && src.device().is_cpu() &&
                   dst.scalar_type() == src.scalar_type() && dst.sizes() == src.sizes() &&
                   dst.is_contiguous() && src.is_contiguous();
  if (!raw) {
    dst.copy_(src);
    return;
  }
  copy_bytes_bypassing_cache(static_cast<char*>(dst.data_ptr()),
                             static_cast<const char*>(src.data_ptr()), src.nbytes());
}

}  // namespace neuromod::functional::detail
