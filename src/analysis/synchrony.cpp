#include "neuromod/analysis/synchrony.h"

#include <cmath>
#include <limits>
#include <map>
#include <tuple>
#include <utility>

#include "analysis/tensor_checks.h"

namespace neuromod::analysis {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

torch::Tensor checked_activity(const torch::Tensor& activity, const std::string& function) {
  const auto x = detail::double_tensor(activity, function, "activity", 2, "(T, N)");
  if (x.size(0) < 2 || x.size(1) < 1) {
    detail::fail(function,
                 "activity must have at least 2 time steps and 1 unit, shape (T, N), "
                 "got shape " +
                     detail::shape_string(x));
  }
  return x;
}

// The two measures on a checked (T, N) double tensor; NaN where undefined.
double chi_of(const torch::Tensor& x) {
  if (x.size(0) < 2) {
    return nan;
  }
  const auto v = x.mean(1);
  const double population = (v - v.mean()).pow(2).mean().item<double>();
  const double single = (x - x.mean(0)).pow(2).mean(0).mean().item<double>();
  return single > 0.0 ? std::sqrt(population / single) : nan;
}

double correlation_of(const torch::Tensor& x) {
  if (x.size(0) < 2) {
    return nan;
  }
  // Exactly constant units have no correlation; compare extremes, not a rounded variance.
  const auto varies = std::get<0>(x.max(0)) > std::get<0>(x.min(0));
  const auto kept = x.index_select(1, varies.nonzero().squeeze(1));
  const int64_t m = kept.size(1);
  if (m < 2) {
    return nan;
  }
  const auto centred = kept - kept.mean(0);
  const auto z = centred / centred.pow(2).mean(0).sqrt();
  // Σ_ij corr_ij = (1/T) Σ_t (Σ_i z_it)², and the diagonal adds up to Σ_i (1/T) Σ_t z_it² = M.
  const double steps = static_cast<double>(x.size(0));
  const double all_pairs = z.sum(1).pow(2).sum().item<double>() / steps;
  const double diagonal = z.pow(2).sum().item<double>() / steps;
  return (all_pairs - diagonal) / static_cast<double>(m * (m - 1));
}

StateSynchrony state_synchrony(const torch::Tensor& x, std::string name,
                               const std::vector<int64_t>& rows) {
  StateSynchrony result;
  result.state = std::move(name);
  result.steps = static_cast<int64_t>(rows.size());
  const auto index = torch::tensor(rows, torch::kLong);
  const auto part = x.index_select(0, index);
  result.chi = chi_of(part);
  result.correlation = correlation_of(part);
  return result;
}

}  // namespace

double golomb_chi(const torch::Tensor& activity) {
  return chi_of(checked_activity(activity, "golomb_chi"));
}

double mean_pairwise_correlation(const torch::Tensor& activity) {
  return correlation_of(checked_activity(activity, "mean_pairwise_correlation"));
}

std::vector<StateSynchrony> synchrony_by_state(const torch::Tensor& activity,
                                               const torch::Tensor& states) {
  const std::string function = "synchrony_by_state";
  const auto x = detail::double_tensor(activity, function, "activity", 2, "(T, N)");
  const auto labels = detail::integer_vector(states, function, "states", x.size(0));
  std::map<int64_t, std::vector<int64_t>> rows;
  for (int64_t t = 0; t < x.size(0); ++t) {
    if (labels[t] >= 0) {
      rows[labels[t]].push_back(t);
    }
  }
  std::vector<StateSynchrony> result;
  for (const auto& [label, state_rows] : rows) {
    result.push_back(state_synchrony(x, std::to_string(label), state_rows));
  }
  return result;
}

std::vector<StateSynchrony> synchrony_by_state(const torch::Tensor& activity,
                                               const std::vector<std::string>& states) {
  const std::string function = "synchrony_by_state";
  const auto x = detail::double_tensor(activity, function, "activity", 2, "(T, N)");
  if (static_cast<int64_t>(states.size()) != x.size(0)) {
    detail::fail(function, "states must hold one name per time step, " + std::to_string(x.size(0)) +
                               " for activity of shape " + detail::shape_string(x) + ", got " +
                               std::to_string(states.size()));
  }
  std::vector<std::string> order;
  std::map<std::string, std::vector<int64_t>> rows;
  for (int64_t t = 0; t < x.size(0); ++t) {
    auto& state_rows = rows[states[t]];
    if (state_rows.empty()) {
      order.push_back(states[t]);
    }
    state_rows.push_back(t);
  }
  std::vector<StateSynchrony> result;
  for (const auto& name : order) {
    result.push_back(state_synchrony(x, name, rows[name]));
  }
  return result;
}

}  // namespace neuromod::analysis
