#include "neuromod/analysis/event_aligned.h"

#include <cmath>
#include <limits>
#include <string>

#include "analysis/tensor_checks.h"

namespace neuromod::analysis {

EventAlignedAverage event_aligned_average(const torch::Tensor& signal,
                                          const std::vector<int64_t>& events, int64_t before,
                                          int64_t after) {
  const std::string function = "event_aligned_average";
  if (!signal.defined() || (signal.dim() != 1 && signal.dim() != 2)) {
    detail::fail(function, "signal must have shape (T) or (T, C), got shape " +
                               (signal.defined() ? detail::shape_string(signal) : "undefined"));
  }
  const bool channels = signal.dim() == 2;
  // Work on (T, C) throughout; the channel axis is squeezed away again at the end.
  const auto x = detail::double_tensor(channels ? signal : signal.unsqueeze(1), function, "signal",
                                       2, "(T) or (T, C)");
  if (before < 0 || after < 0) {
    detail::fail(function,
                 "window [-before, +after] must have before >= 0 and after >= 0, got "
                 "before = " +
                     std::to_string(before) + ", after = " + std::to_string(after));
  }
  const int64_t steps = x.size(0);
  const int64_t width = before + after + 1;

  EventAlignedAverage result;
  std::vector<torch::Tensor> kept;
  for (size_t e = 0; e < events.size(); ++e) {
    const int64_t t = events[e];
    if (t < 0 || t >= steps) {
      detail::fail(function, "events[" + std::to_string(e) + "] = " + std::to_string(t) +
                                 " is outside the signal; expected 0 <= event < T = " +
                                 std::to_string(steps));
    }
    if (t - before < 0 || t + after >= steps) {
      ++result.dropped;
      continue;
    }
    result.events.push_back(t);
    kept.push_back(x.slice(0, t - before, t + after + 1));
  }

  result.lags = torch::arange(-before, after + 1, torch::kLong);
  const int64_t n = static_cast<int64_t>(kept.size());
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  torch::Tensor segments, mean, sem;
  if (n == 0) {
    segments = torch::empty({0, width, x.size(1)}, torch::kDouble);
    mean = torch::full({width, x.size(1)}, nan, torch::kDouble);
    sem = mean.clone();
  } else {
    segments = torch::stack(kept);
    mean = segments.mean(0);
    sem = n < 2 ? torch::full_like(mean, nan)
                : ((segments - mean).pow(2).sum(0) / static_cast<double>(n - 1)).sqrt() /
                      std::sqrt(static_cast<double>(n));
  }
  result.segments = channels ? segments : segments.squeeze(2);
  result.mean = channels ? mean : mean.squeeze(1);
  result.sem = channels ? sem : sem.squeeze(1);
  return result;
}

EventAlignedAverage event_aligned_average(const torch::Tensor& signal, const torch::Tensor& events,
                                          int64_t before, int64_t after) {
  return event_aligned_average(
      signal, detail::integer_vector(events, "event_aligned_average", "events"), before, after);
}

std::vector<int64_t> onsets(const torch::Tensor& signal, double threshold) {
  const auto x = detail::double_tensor(signal, "onsets", "signal", 1, "(T)");
  const double* data = x.data_ptr<double>();
  std::vector<int64_t> result;
  for (int64_t t = 0; t < x.size(0); ++t) {
    if (data[t] > threshold && (t == 0 || !(data[t - 1] > threshold))) {
      result.push_back(t);
    }
  }
  return result;
}

}  // namespace neuromod::analysis
