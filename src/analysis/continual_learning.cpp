#include "neuromod/analysis/continual_learning.h"

#include <cmath>
#include <limits>
#include <string>

#include "analysis/tensor_checks.h"

namespace neuromod::analysis {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

torch::Tensor checked_matrix(const torch::Tensor& accuracy, const std::string& function) {
  const auto a = detail::double_tensor(accuracy, function, "accuracy", 2, "(T, T)");
  if (a.size(0) != a.size(1) || a.size(0) < 1) {
    detail::fail(function,
                 "accuracy must be a square (tasks trained, tasks tested) matrix with "
                 "T >= 1, shape (T, T), got shape " +
                     detail::shape_string(a));
  }
  return a;
}

std::string entry(int64_t i, int64_t j) {
  return "accuracy[" + std::to_string(i) + "][" + std::to_string(j) + "]";
}

}  // namespace

ContinualMetrics continual_metrics(const torch::Tensor& accuracy) {
  const std::string function = "continual_metrics";
  const auto a = checked_matrix(accuracy, function);
  const int64_t tasks = a.size(0), last = tasks - 1;
  const auto at = a.accessor<double, 2>();
  for (int64_t i = 0; i < tasks; ++i) {
    for (int64_t j = 0; j < tasks; ++j) {
      if ((j <= i || i == last) && std::isnan(at[i][j])) {
        detail::fail(function, entry(i, j) +
                                   " is NaN; expected a measured accuracy on and below "
                                   "the diagonal and in the last row");
      }
    }
  }

  ContinualMetrics metrics;
  double sum = 0.0;
  for (int64_t j = 0; j < tasks; ++j) {
    sum += at[last][j];
  }
  metrics.average_accuracy = sum / static_cast<double>(tasks);
  for (int64_t i = 0; i < tasks; ++i) {
    double seen = 0.0;
    for (int64_t j = 0; j <= i; ++j) {
      seen += at[i][j];
    }
    metrics.accuracy_per_stage.push_back(seen / static_cast<double>(i + 1));
  }
  double forgetting = 0.0, transfer = 0.0;
  for (int64_t j = 0; j < last; ++j) {
    // The diagonal entry A[j][j] is measured, so the max over i < L always has a value.
    double best = at[j][j];
    for (int64_t i = 0; i < last; ++i) {
      if (!std::isnan(at[i][j]) && at[i][j] > best) {
        best = at[i][j];
      }
    }
    metrics.forgetting.push_back(best - at[last][j]);
    forgetting += best - at[last][j];
    transfer += at[last][j] - at[j][j];
  }
  metrics.average_forgetting = last > 0 ? forgetting / static_cast<double>(last) : nan;
  metrics.backward_transfer = last > 0 ? transfer / static_cast<double>(last) : nan;
  return metrics;
}

ContinualMetrics continual_metrics(const std::vector<std::vector<double>>& accuracy) {
  const auto rows = static_cast<int64_t>(accuracy.size());
  auto matrix = torch::empty({rows, rows}, torch::kDouble);
  for (int64_t i = 0; i < rows; ++i) {
    if (static_cast<int64_t>(accuracy[i].size()) != rows) {
      detail::fail("continual_metrics", "accuracy must be square: row " + std::to_string(i) +
                                            " has " + std::to_string(accuracy[i].size()) +
                                            " entries, expected " + std::to_string(rows));
    }
    for (int64_t j = 0; j < rows; ++j) {
      matrix[i][j] = accuracy[i][j];
    }
  }
  return continual_metrics(matrix);
}

double forward_transfer(const torch::Tensor& accuracy, const std::vector<double>& baseline) {
  const std::string function = "forward_transfer";
  const auto a = checked_matrix(accuracy, function);
  const int64_t tasks = a.size(0);
  if (tasks < 2) {
    detail::fail(function,
                 "accuracy must cover at least 2 tasks, got shape " + detail::shape_string(a));
  }
  if (static_cast<int64_t>(baseline.size()) != tasks) {
    detail::fail(function, "baseline must hold one accuracy per task, " + std::to_string(tasks) +
                               ", got " + std::to_string(baseline.size()));
  }
  const auto at = a.accessor<double, 2>();
  double transfer = 0.0;
  for (int64_t j = 1; j < tasks; ++j) {
    if (std::isnan(at[j - 1][j]) || std::isnan(baseline[j])) {
      detail::fail(function, entry(j - 1, j) + " or baseline[" + std::to_string(j) +
                                 "] is NaN; forward transfer needs the accuracy on each task "
                                 "just before training on it");
    }
    transfer += at[j - 1][j] - baseline[j];
  }
  return transfer / static_cast<double>(tasks - 1);
}

}  // namespace neuromod::analysis
