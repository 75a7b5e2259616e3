#pragma once
/// \file
/// Learning curves over seeds: several runs' (step, value) series aligned on common steps and
/// summarised per step.
///
///     n(s)      = number of runs with a value at step s
///     mean(s)   = (1/n) Σ_r y_r(s)
///     sd(s)     = sqrt( Σ_r (y_r(s) − mean(s))² / (n − 1) )          (Bessel-corrected)
///     sem(s)    = sd(s) / sqrt(n)                                     (NaN for n < 2)
///     q-quantile: sorted x_0 ≤ … ≤ x_{n−1}, h = (n − 1) q,
///                 Q(q) = x_⌊h⌋ + (h − ⌊h⌋) (x_⌊h⌋+1 − x_⌊h⌋)          (NumPy's default "linear")
///     median = Q(0.5), inter-quartile range = [Q(0.25), Q(0.75)]
///
/// Units: steps and values keep the units of the recorded metric (e.g. training step, accuracy).
///
/// Example:
///
///     using namespace neuromod::analysis;
///     std::vector<CurveSeries> runs = {{{0, 0.1}, {100, 0.5}}, {{0, 0.2}, {100, NAN}}};
///     CurveSummary curve = summarize_curves(runs);
///     // curve.steps = {0, 100}, curve.n = {2, 1}, curve.mean = {0.15, 0.5}
///
/// References: Hyndman & Fan (1996, The American Statistician, "Sample quantiles in statistical
/// packages"), definition 7 — NumPy's and R's default quantile; Henderson et al. (2018, AAAI,
/// "Deep reinforcement learning that matters") on reporting curves over seeds.

#include <cstdint>
#include <utility>
#include <vector>

#include <torch/arg.h>

namespace neuromod::analysis {

/// One run's learning curve: (step, value) pairs, in any order. A NaN value marks a missing
/// measurement; a step may appear at most once per run.
using CurveSeries = std::vector<std::pair<double, double>>;

/// How a run contributes at a step where it may not have logged.
enum class CurveAlignment {
  /// Only a value logged at exactly that step counts.
  exact,
  /// Linear interpolation between the run's neighbouring logged (non-NaN) steps; never
  /// extrapolated beyond its first or last logged step.
  interpolate
};

/// Where and how the runs are aligned.
/// Example: `CurveSummaryOptions().steps({0, 1000, 2000}).alignment(CurveAlignment::interpolate)`.
struct CurveSummaryOptions {
  /// Steps to summarise at, strictly increasing; empty: the sorted union of all runs' steps.
  TORCH_ARG(std::vector<double>, steps) = {};
  /// Exact matching (default) or linear interpolation within each run.
  TORCH_ARG(CurveAlignment, alignment) = CurveAlignment::exact;
};

/// Per-step statistics over runs; every vector has one entry per step. Entries whose `n` is 0
/// are NaN; `sem` is NaN when `n` < 2.
struct CurveSummary {
  std::vector<double> steps;   ///< aligned steps (unit of the input steps)
  std::vector<int64_t> n;      ///< runs with a value at the step
  std::vector<double> mean;    ///< mean over runs
  std::vector<double> sem;     ///< standard error of the mean, sd (n − 1) / sqrt(n)
  std::vector<double> median;  ///< 50th percentile
  std::vector<double> q25;     ///< 25th percentile (lower quartile)
  std::vector<double> q75;     ///< 75th percentile (upper quartile)
};

/// Summary statistics of one sample, NaN values ignored.
struct SampleSummary {
  int64_t n = 0;        ///< number of non-NaN values
  double mean = 0.0;    ///< NaN when n = 0
  double sd = 0.0;      ///< Bessel-corrected; NaN when n < 2
  double sem = 0.0;     ///< sd / sqrt(n); NaN when n < 2
  double median = 0.0;  ///< NaN when n = 0
  double q25 = 0.0;     ///< NaN when n = 0
  double q75 = 0.0;     ///< NaN when n = 0
};

/// q-quantile of `values` with NumPy's default linear interpolation (numpy.nanquantile): NaN
/// values are ignored; NaN when none remain. Throws std::invalid_argument unless 0 <= q <= 1.
/// Example: `quantile({1, 2, 3, 4}, 0.25) == 1.75`.
double quantile(std::vector<double> values, double q);

/// Count, mean, sd, sem, median and quartiles of `values`, ignoring NaN.
/// Example: `summarize_sample({2, 4, 4, 4, 5, 5, 7, 9}).sem == std::sqrt(32.0 / 7) / std::sqrt(8)`.
SampleSummary summarize_sample(const std::vector<double>& values);

/// Aligns the runs' series on common steps and summarises them per step.
/// Throws std::invalid_argument naming the run for a non-finite step or a step logged twice in
/// one run, and for a step grid that is not finite and strictly increasing.
CurveSummary summarize_curves(const std::vector<CurveSeries>& runs,
                              const CurveSummaryOptions& options = {});

}  // namespace neuromod::analysis
