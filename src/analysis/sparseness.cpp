#include "neuromod/analysis/sparseness.h"

#include <sstream>
#include <string>

#include "analysis/tensor_checks.h"

namespace neuromod::analysis {
namespace {

/// S along `dim` of a checked (T, N) double tensor `r`; NaN where a slice is all zero.
torch::Tensor sparseness_along(const torch::Tensor& r, int64_t dim) {
  const double n = static_cast<double>(r.size(dim));
  const auto mean = r.mean(dim);
  const auto mean_square = r.pow(2).mean(dim);
  // 0/0 gives NaN for an all-zero slice, which is what the docs promise.
  return (1.0 - mean.pow(2) / mean_square) / (1.0 - 1.0 / n);
}

torch::Tensor checked_rates(const torch::Tensor& activity, const std::string& function, int64_t dim,
                            const std::string& axis) {
  const auto r = detail::double_tensor(activity, function, "activity", 2, "(T, N)");
  if (r.size(dim) < 2) {
    detail::fail(function, "activity must have at least 2 " + axis +
                               " to measure sparseness over, got shape " + detail::shape_string(r));
  }
  if (r.numel() > 0) {
    const double lowest = r.min().item<double>();
    if (!(lowest >= 0.0)) {
      std::ostringstream value;
      value << lowest;
      detail::fail(function, "activity must be non-negative rates (no NaN), got minimum " +
                                 value.str() + "; pass activity.abs() or activity.relu()");
    }
  }
  return r;
}

}  // namespace

double treves_rolls_sparseness(const std::vector<double>& rates) {
  const std::string function = "treves_rolls_sparseness";
  if (rates.size() < 2) {
    detail::fail(function,
                 "rates must hold at least 2 values, got " + std::to_string(rates.size()));
  }
  double sum = 0.0, sum_sq = 0.0;
  for (size_t j = 0; j < rates.size(); ++j) {
    if (!(rates[j] >= 0.0)) {
      std::ostringstream value;
      value << rates[j];
      detail::fail(function, "rates[" + std::to_string(j) + "] = " + value.str() +
                                 "; expected a non-negative rate");
    }
    sum += rates[j];
    sum_sq += rates[j] * rates[j];
  }
  const double n = static_cast<double>(rates.size());
  return (1.0 - (sum / n) * (sum / n) / (sum_sq / n)) / (1.0 - 1.0 / n);
}

torch::Tensor population_sparseness(const torch::Tensor& activity) {
  return sparseness_along(checked_rates(activity, "population_sparseness", 1, "units (N)"), 1);
}

torch::Tensor lifetime_sparseness(const torch::Tensor& activity) {
  return sparseness_along(checked_rates(activity, "lifetime_sparseness", 0, "time steps (T)"), 0);
}

}  // namespace neuromod::analysis
