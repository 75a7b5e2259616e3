#include "neuromod/analysis/learning_curves.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>

#include "analysis/tensor_checks.h"

namespace neuromod::analysis {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

std::string number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// A run's logged steps, sorted, with the value at each (NaN kept: it means "missing").
std::map<double, double> checked_run(const CurveSeries& run, size_t index) {
  std::map<double, double> by_step;
  for (const auto& [step, value] : run) {
    if (!std::isfinite(step)) {
      detail::fail("summarize_curves", "runs[" + std::to_string(index) +
                                           "] has a non-finite step " + number(step) +
                                           "; expected finite steps");
    }
    if (!by_step.emplace(step, value).second) {
      detail::fail("summarize_curves", "runs[" + std::to_string(index) + "] logs step " +
                                           number(step) + " twice; expected each step once");
    }
  }
  return by_step;
}

/// The run's value at `step`, NaN when it has none there.
double value_at(const std::map<double, double>& run, double step, CurveAlignment alignment) {
  if (alignment == CurveAlignment::exact) {
    const auto it = run.find(step);
    return it == run.end() ? nan : it->second;
  }
  // Interpolation skips missing values: neighbours are the closest logged, non-NaN steps.
  double below_step = nan, below_value = nan;
  for (auto it = run.begin(); it != run.end() && it->first <= step; ++it) {
    if (!std::isnan(it->second)) {
      below_step = it->first;
      below_value = it->second;
    }
  }
  if (std::isnan(below_step)) {
    return nan;
  }
  if (below_step == step) {
    return below_value;
  }
  for (auto it = run.upper_bound(step); it != run.end(); ++it) {
    if (!std::isnan(it->second)) {
      const double w = (step - below_step) / (it->first - below_step);
      return below_value + w * (it->second - below_value);
    }
  }
  return nan;
}

}  // namespace

double quantile(std::vector<double> values, double q) {
  if (!(q >= 0.0 && q <= 1.0)) {
    detail::fail("quantile", "q must be in [0, 1], got " + number(q));
  }
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) {
    return nan;
  }
  std::sort(values.begin(), values.end());
  const double h = static_cast<double>(values.size() - 1) * q;
  const auto lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= values.size()) {
    return values.back();
  }
  return values[lo] + (h - static_cast<double>(lo)) * (values[lo + 1] - values[lo]);
}

SampleSummary summarize_sample(const std::vector<double>& values) {
  SampleSummary summary;
  double sum = 0.0;
  for (double v : values) {
    if (!std::isnan(v)) {
      sum += v;
      ++summary.n;
    }
  }
  if (summary.n == 0) {
    summary.mean = summary.sd = summary.sem = summary.median = summary.q25 = summary.q75 = nan;
    return summary;
  }
  summary.mean = sum / static_cast<double>(summary.n);
  if (summary.n >= 2) {
    double squares = 0.0;
    for (double v : values) {
      if (!std::isnan(v)) {
        squares += (v - summary.mean) * (v - summary.mean);
      }
    }
    summary.sd = std::sqrt(squares / static_cast<double>(summary.n - 1));
    summary.sem = summary.sd / std::sqrt(static_cast<double>(summary.n));
  } else {
    summary.sd = summary.sem = nan;
  }
  summary.median = quantile(values, 0.5);
  summary.q25 = quantile(values, 0.25);
  summary.q75 = quantile(values, 0.75);
  return summary;
}

CurveSummary summarize_curves(const std::vector<CurveSeries>& runs,
                              const CurveSummaryOptions& options) {
  std::vector<std::map<double, double>> checked;
  checked.reserve(runs.size());
  for (size_t r = 0; r < runs.size(); ++r) {
    checked.push_back(checked_run(runs[r], r));
  }

  CurveSummary curve;
  if (options.steps().empty()) {
    for (const auto& run : checked) {
      for (const auto& entry : run) {
        curve.steps.push_back(entry.first);
      }
    }
    std::sort(curve.steps.begin(), curve.steps.end());
    curve.steps.erase(std::unique(curve.steps.begin(), curve.steps.end()), curve.steps.end());
  } else {
    curve.steps = options.steps();
    for (size_t i = 0; i < curve.steps.size(); ++i) {
      if (!std::isfinite(curve.steps[i]) || (i > 0 && curve.steps[i] <= curve.steps[i - 1])) {
        detail::fail("summarize_curves", "options.steps[" + std::to_string(i) +
                                             "] = " + number(curve.steps[i]) +
                                             "; expected finite, strictly increasing steps");
      }
    }
  }

  std::vector<double> at_step(checked.size());
  for (double step : curve.steps) {
    for (size_t r = 0; r < checked.size(); ++r) {
      at_step[r] = value_at(checked[r], step, options.alignment());
    }
    const SampleSummary s = summarize_sample(at_step);
    curve.n.push_back(s.n);
    curve.mean.push_back(s.mean);
    curve.sem.push_back(s.sem);
    curve.median.push_back(s.median);
    curve.q25.push_back(s.q25);
    curve.q75.push_back(s.q75);
  }
  return curve;
}

}  // namespace neuromod::analysis
