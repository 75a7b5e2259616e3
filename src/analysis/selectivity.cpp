#include "neuromod/analysis/selectivity.h"

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "analysis/tensor_checks.h"

namespace neuromod::analysis {

UnitSelectivity unit_selectivity(const torch::Tensor& activity, const torch::Tensor& labels,
                                 int64_t num_conditions) {
  const std::string function = "unit_selectivity";
  const auto x = detail::double_tensor(activity, function, "activity", 2, "(T, N)");
  const int64_t steps = x.size(0), units = x.size(1);
  const auto label = detail::integer_vector(labels, function, "labels", steps);
  const int64_t max_label = label.empty() ? -1 : *std::max_element(label.begin(), label.end());
  if (num_conditions < 0) {
    if (num_conditions != -1) {
      detail::fail(function, "num_conditions must be >= 0 or -1 (infer), got " +
                                 std::to_string(num_conditions));
    }
    num_conditions = max_label + 1;
  } else if (max_label >= num_conditions) {
    detail::fail(function, "labels must be < num_conditions = " + std::to_string(num_conditions) +
                               ", got label " + std::to_string(max_label));
  }
  const int64_t k_count = num_conditions;
  const double nan = std::numeric_limits<double>::quiet_NaN();

  // Sums per condition and unit, then means; sums of squares for eta².
  std::vector<int64_t> count(k_count, 0);
  std::vector<double> sum(k_count * units, 0.0), total(units, 0.0);
  // A constant unit has no variance to explain; detect it exactly rather than from a rounded SS.
  std::vector<double> lowest(units, std::numeric_limits<double>::infinity());
  std::vector<double> highest(units, -std::numeric_limits<double>::infinity());
  int64_t labelled = 0;
  const double* data = x.data_ptr<double>();
  for (int64_t t = 0; t < steps; ++t) {
    const int64_t k = label[t];
    if (k < 0) {
      continue;
    }
    ++count[k];
    ++labelled;
    for (int64_t i = 0; i < units; ++i) {
      const double v = data[t * units + i];
      sum[k * units + i] += v;
      total[i] += v;
      lowest[i] = std::min(lowest[i], v);
      highest[i] = std::max(highest[i], v);
    }
  }

  UnitSelectivity result;
  result.mean_response = torch::full({k_count, units}, nan, torch::kDouble);
  result.counts = torch::from_blob(count.data(), {k_count}, torch::kLong).clone();
  result.preferred = torch::full({units}, int64_t{-1}, torch::kLong);
  result.index = torch::full({units}, nan, torch::kDouble);
  result.eta_squared = torch::full({units}, nan, torch::kDouble);
  auto mean = result.mean_response.accessor<double, 2>();
  auto preferred = result.preferred.accessor<int64_t, 1>();
  auto index = result.index.accessor<double, 1>();
  auto eta_squared = result.eta_squared.accessor<double, 1>();

  int64_t observed = 0;
  for (int64_t k = 0; k < k_count; ++k) {
    observed += count[k] > 0;
  }
  for (int64_t i = 0; i < units; ++i) {
    int64_t best = -1;
    for (int64_t k = 0; k < k_count; ++k) {
      if (count[k] == 0) {
        continue;
      }
      mean[k][i] = sum[k * units + i] / static_cast<double>(count[k]);
      if (best < 0 || mean[k][i] > mean[best][i]) {
        best = k;
      }
    }
    preferred[i] = best;
    if (observed >= 2) {
      double others = 0.0;
      for (int64_t k = 0; k < k_count; ++k) {
        if (count[k] > 0 && k != best) {
          others += mean[k][i];
        }
      }
      others /= static_cast<double>(observed - 1);
      const double denominator = mean[best][i] + others;
      if (denominator != 0.0) {
        index[i] = (mean[best][i] - others) / denominator;
      }
    }
    if (labelled > 0 && lowest[i] < highest[i]) {
      const double grand = total[i] / static_cast<double>(labelled);
      // Σ_t (x − r̄)² from the raw sums would cancel badly for large offsets; a second pass is
      // cheap next to the recording's size.
      double ss_total = 0.0;
      for (int64_t t = 0; t < steps; ++t) {
        if (label[t] >= 0) {
          const double d = data[t * units + i] - grand;
          ss_total += d * d;
        }
      }
      double ss_between = 0.0;
      for (int64_t k = 0; k < k_count; ++k) {
        if (count[k] > 0) {
          const double d = mean[k][i] - grand;
          ss_between += static_cast<double>(count[k]) * d * d;
        }
      }
      if (ss_total > 0.0) {
        eta_squared[i] = std::min(1.0, ss_between / ss_total);
      }
    }
  }
  return result;
}

}  // namespace neuromod::analysis
