#pragma once
/// \file
/// Event-aligned (peri-event) averages: the signal's segments around each event, averaged over
/// events — e.g. a dopamine-like modulator level aligned to reward onset.
///
///     segment_e(k) = x(t_e + k),   k = −before, …, +after           (W = before + after + 1 lags)
///     mean(k)      = (1/E) Σ_e segment_e(k)
///     sem(k)       = sd_e(segment_e(k)) / sqrt(E),   sd Bessel-corrected (NaN for E < 2)
///
/// Events whose window leaves the recording (t_e − before < 0 or t_e + after ≥ T) are dropped and
/// counted in `dropped`; E is the number kept. Units: lags in time steps, mean and sem in the
/// signal's units.
///
/// Example:
///
///     using namespace neuromod::analysis;
///     torch::Tensor level = recording["modulators/DA/level"];      // (T, 1)
///     std::vector<int64_t> rewards = onsets(reward_signal);         // steps where reward starts
///     EventAlignedAverage peri = event_aligned_average(level, rewards, 10, 30);
///     // peri.mean: (41, 1), peri.lags: −10 … 30
///
/// References: the peri-event time histogram (Gerstein & Kiang 1960, Biophys. J., "An approach to
/// the quantitative analysis of electrophysiological data from single neurons"); dopamine aligned
/// to reward (Schultz, Dayan & Montague 1997, Science, "A neural substrate of prediction and
/// reward").

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace neuromod::analysis {

/// Average of a signal's segments around events.
struct EventAlignedAverage {
  torch::Tensor lags;           ///< (W) int64, −before … +after, in time steps
  torch::Tensor mean;           ///< (W) or (W, C) double, mean over kept events (NaN when none)
  torch::Tensor sem;            ///< same shape, standard error over events (NaN when fewer than 2)
  torch::Tensor segments;       ///< (E, W) or (E, W, C) double, the kept segments
  std::vector<int64_t> events;  ///< the kept event times, in input order
  int64_t dropped = 0;          ///< events too close to an edge of the recording
};

/// Mean and sem of `signal` around `events`.
/// \param signal  (T) or (T, C) floating point, one row per time step.
/// \param events  event times, indices into the time axis (each in [0, T)); order is kept.
/// \param before  lags before the event (>= 0 steps).
/// \param after   lags after the event (>= 0 steps).
/// Throws std::invalid_argument for a bad shape, a negative window or an event outside [0, T).
EventAlignedAverage event_aligned_average(const torch::Tensor& signal,
                                          const std::vector<int64_t>& events, int64_t before,
                                          int64_t after);

/// Same, with the event times as a 1-D integer tensor.
EventAlignedAverage event_aligned_average(const torch::Tensor& signal, const torch::Tensor& events,
                                          int64_t before, int64_t after);

/// Onsets of a (T) signal: the steps t where x(t) > threshold and t = 0 or x(t−1) <= threshold —
/// e.g. reward onsets from a reward trace.
/// Example: `onsets(torch::tensor({0., 1., 1., 0., 2.}))` is `{1, 4}`.
std::vector<int64_t> onsets(const torch::Tensor& signal, double threshold = 0.0);

}  // namespace neuromod::analysis
