#pragma once
/// \file
/// The batched reinforcement-learning environment interface, and the portable random draws that
/// every neuromod task makes.
///
/// An environment runs `B` independent episodes in lockstep. Each step the agent sees an
/// observation (B, observation_size) and picks one of `action_count` discrete actions per
/// episode; the environment answers with a reward (B) and the next observation. Everything the
/// environment remembers between steps (positions, reward sites, cue sets, trial schedule, the
/// previous action and reward) is its *own* state, never the network's, and `save_state()` /
/// `load_state()` carry it through a checkpoint so that a resumed run continues bit for bit.
///
/// Following the reference code of Miconi et al. (ICML 2018, "Differentiable plasticity";
/// ICLR 2019, "Backpropamine"), the observation already contains the inputs that the agent
/// needs for meta-learning: a bias input, the time t / episode_length, the previous reward and
/// the one-hot previous action. Each environment's header gives its exact layout.
///
/// Randomness: no hidden generator. Every draw comes from the `std::mt19937_64` passed in, through
/// the functions below, whose results do not depend on the standard library (unlike
/// `std::uniform_int_distribution`), so a seed gives the same episodes everywhere.

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace neuromod {

/// What one environment step returns.
struct EnvironmentStep {
  torch::Tensor observation;  ///< (B, observation_size) float32: the next step's observation
  torch::Tensor reward;       ///< (B) float32: the reward for the actions just taken
};

/// A batch of `B` episodes of a discrete-action task, stepped together.
///
/// Protocol: `obs = reset(B, rng)`; then `episode_length()` times
/// `{obs, reward} = step(actions, rng)`, where `actions` answers `obs`. The observation returned
/// by the last step (time t = episode_length) is well defined (it carries the last reward and
/// action) but is not part of the episode; stepping further is an error.
class Environment {
 public:
  virtual ~Environment() = default;

  /// Length of one observation vector.
  virtual int64_t observation_size() const = 0;
  /// Number of discrete actions; actions are 0 .. action_count() − 1.
  virtual int64_t action_count() const = 0;
  /// Steps per episode.
  virtual int64_t episode_length() const = 0;

  /// Starts a new episode for `batch` agents; deterministic given the generator's state.
  /// \returns the first observation, (batch, observation_size) float32.
  virtual torch::Tensor reset(int64_t batch, std::mt19937_64& rng) = 0;
  /// Applies `actions`, (B) int64 in [0, action_count), at the current time step t and advances
  /// to t + 1. \returns the observation at t + 1 and the reward for these actions.
  virtual EnvironmentStep step(const torch::Tensor& actions, std::mt19937_64& rng) = 0;

  /// The current observation (the one `reset` or `step` last returned), rebuilt from the state
  /// without drawing; what a run resumed with `load_state` feeds the agent first.
  /// (B, observation_size) float32.
  virtual torch::Tensor observation() const = 0;
  /// Episodes in the batch (0 before the first `reset`).
  virtual int64_t batch_size() const = 0;
  /// Steps taken in the current episode, 0 .. episode_length().
  virtual int64_t time_step() const = 0;

  /// The whole episode state as a compact text blob (options included, to be checked on load).
  virtual std::string save_state() const = 0;
  /// Restores a state written by `save_state` of an environment with the same options.
  /// Transactional: throws c10::Error naming the problem and leaves this object unchanged.
  virtual void load_state(const std::string& state) = 0;
};

/// Uniform integer in [0, n), n >= 1: one 64-bit draw `x`, returned as `x mod n`; a draw in the
/// biased low range `x < 2^64 mod n` (probability < n / 2^64) is rejected and redrawn.
inline int64_t uniform_index(std::mt19937_64& rng, int64_t n) {
  const auto bound = static_cast<uint64_t>(n);
  const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod n
  for (;;) {
    const uint64_t x = rng();
    if (x >= threshold) return static_cast<int64_t>(x % bound);
  }
}

/// Uniform double in [0, 1): the top 53 bits of one 64-bit draw, times 2^−53.
inline double uniform_unit(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

/// Fisher–Yates shuffle of `values` (n elements): for i = n − 1 down to 1, swap element i with
/// element `uniform_index(rng, i + 1)`; n − 1 draws (none for n <= 1).
template <class T>
void shuffle_in_place(std::vector<T>& values, std::mt19937_64& rng) {
  for (auto i = static_cast<int64_t>(values.size()) - 1; i > 0; --i) {
    std::swap(values[static_cast<size_t>(i)],
              values[static_cast<size_t>(uniform_index(rng, i + 1))]);
  }
}

}  // namespace neuromod
