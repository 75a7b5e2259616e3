#pragma once
/// \file
/// Cue–reward association ("target discovery"), the reinforcement-learning task of
/// Miconi, Rawal, Clune & Stanley (2019), "Backpropamine: training self-modifying neural networks
/// with differentiable neuromodulated plasticity", ICLR; reference code
/// uber-research/backpropamine, `sr/srbatch.py` (command line in `sr/README.md`).
///
/// Each episode draws `cues` distinct random binary cues (±1 vectors of `cue_bits` bits) and
/// picks one of them as the target. The episode is a run of trials. A trial of length
///
///     L = cues / 2 + 3 + U{0 .. cues − 1}          (5 .. 8 steps for 4 cues)
///
/// shows: a blank first step; then the L − 3 middle steps, in which `cues / 2` distinct cues
/// (a random subset) each appear once at random positions and the other steps are blank; then
/// the "Go" bit on the second-to-last step; then a blank last step. Trials follow each other
/// with no gap; the episode ends after `episode_length` steps, cutting the last trial short.
///
/// Two actions: 0 = no response, 1 = respond. Only the action taken at the Go step is scored:
///
///     reward = +reward  if (target shown in this trial and action 1) or (not shown and action 0)
///              −reward  otherwise
///
/// and every action 1, at any step, costs `response_cost` (0 by default). With probability
/// `flip_probability` the whole reward of a Go step (response cost included) changes sign.
///
/// Observation (27 inputs with the defaults), as the reference builds it:
///
/// | index           | input                                               |
/// |-----------------|-----------------------------------------------------|
/// | 0 .. cs−1       | the cue shown this step (±1), or 0                  |
/// | cs              | Go bit (1 on the Go step)                           |
/// | cs + 1          | bias, always 1                                      |
/// | cs + 2          | t / episode_length                                  |
/// | cs + 3          | reward of the previous step (0 at t = 0)            |
/// | cs + 4          | unused, always 0 (kept for the reference's layout)  |
/// | cs + 5, cs + 6  | one-hot previous action (both 0 at t = 0)           |
///
/// | option             | default | reference (`srbatch.py`) | meaning                        |
/// |--------------------|---------|--------------------------|--------------------------------|
/// | `cues`             | 4       | `--ni 4`                 | cues per episode (>= 2)        |
/// | `cue_bits`         | 20      | `--cs 20`                | bits per cue                   |
/// | `episode_length`   | 120     | `--eplen 120`            | steps per episode              |
/// | `reward`           | 1       | `--rew 1`                | reward magnitude at a Go step  |
/// | `response_cost`    | 0       | `--wp 0`                 | cost of each action 1          |
/// | `flip_probability` | 0       | `--pf 0`                 | probability of a sign flip     |
///
/// Defaults are the README's command (the script's own argparse defaults are the "easy"
/// setting: 2 cues, 10 bits, 100 steps). Where the code and the text differ we follow the code:
/// a wrong answer costs −reward (the README says "nothing happens"), and `wp` charges every
/// respond action (its argparse help calls it a wall penalty; the code comment, a cost of any
/// non-rest action).
///
/// Draws, in order. `reset`: for each episode b, for each cue k: `cue_bits` draws
/// `uniform_index(rng, 2)` (bit j = 2·draw − 1), redrawn as a whole until it differs from the
/// earlier cues; then for each b the target `uniform_index(rng, cues)`; then the first trial of
/// each b. A trial of episode b: its length `uniform_index(rng, cues)`, then a shuffle of the
/// cue ids 0 .. cues−1 (the first cues/2 are shown), then a shuffle of the middle steps. `step`:
/// for each b, one `uniform_unit(rng)` at a scored Go step if `flip_probability > 0`; then for
/// each b whose trial ended, a new trial (none once the episode is over).

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <torch/arg.h>
#include <torch/types.h>

#include "neuromod/tasks/environment.h"

namespace neuromod {

/// Sizes and rewards of the cue–reward task.
/// Example: `CueRewardOptions().cues(2).cue_bits(10).episode_length(100)` — the easy setting.
struct CueRewardOptions {
  /// Distinct cues per episode (`ni`, >= 2); a trial shows `cues / 2` of them.
  TORCH_ARG(int64_t, cues) = 4;
  /// Bits per cue (`cs`, >= 1); needs 2^cue_bits >= cues.
  TORCH_ARG(int64_t, cue_bits) = 20;
  /// Steps per episode (`eplen`, >= 1).
  TORCH_ARG(int64_t, episode_length) = 120;
  /// Reward magnitude of a scored Go step (`rew`).
  TORCH_ARG(double, reward) = 1.0;
  /// Cost subtracted for every action 1 (respond), at any step (`wp`, >= 0).
  TORCH_ARG(double, response_cost) = 0.0;
  /// Probability that a Go step's reward changes sign (`pf`, in [0, 1]).
  TORCH_ARG(double, flip_probability) = 0.0;
};

/// The cue–reward environment: `B` episodes stepped together (see the file comment).
class CueRewardEnvironment final : public Environment {
 public:
  /// Schedule code of a blank step; cue k is k, the Go step is `options.cues()`.
  static constexpr int64_t kBlank = -1;

  /// Throws c10::Error naming the field when an option is out of range.
  explicit CueRewardEnvironment(CueRewardOptions options = {});

  const CueRewardOptions& options() const { return options_; }

  /// cue_bits + 7 (27 with the defaults).
  int64_t observation_size() const override { return options_.cue_bits() + 7; }
  /// 2: 0 = no response, 1 = respond.
  int64_t action_count() const override { return 2; }
  int64_t episode_length() const override { return options_.episode_length(); }
  /// Draws the cues, targets and first trials (see the file comment). (B, observation_size).
  torch::Tensor reset(int64_t batch, std::mt19937_64& rng) override;
  /// Scores `actions` (B) int64 and advances one step; rewards (B), next observation (B, D).
  EnvironmentStep step(const torch::Tensor& actions, std::mt19937_64& rng) override;
  torch::Tensor observation() const override;
  int64_t batch_size() const override { return batch_; }
  int64_t time_step() const override { return time_; }
  std::string save_state() const override;
  void load_state(const std::string& state) override;

  /// Index of the Go bit in the observation (the cue occupies 0 .. cue_bits − 1).
  int64_t go_input() const { return options_.cue_bits(); }
  /// Index of the constant bias input.
  int64_t bias_input() const { return options_.cue_bits() + 1; }
  /// Index of the time input t / episode_length.
  int64_t time_input() const { return options_.cue_bits() + 2; }
  /// Index of the previous step's reward.
  int64_t reward_input() const { return options_.cue_bits() + 3; }
  /// Index of the first of the two one-hot previous-action inputs.
  int64_t action_input() const { return options_.cue_bits() + 5; }

  /// This episode's cues, (B, cues, cue_bits) float32 of ±1.
  torch::Tensor cue_patterns() const;
  /// This episode's target cue of each episode, (B) int64 in [0, cues).
  torch::Tensor targets() const;
  /// Schedule of episode b's current trial, one code per step: kBlank, a cue id, or cues() (Go).
  std::vector<int64_t> trial(int64_t b) const;
  /// Position of the current step within episode b's trial, 0 .. trial(b).size() − 1.
  int64_t trial_step(int64_t b) const { return trial_step_[static_cast<size_t>(b)]; }

 private:
  void start_trial(int64_t b, std::mt19937_64& rng);
  bool target_in_trial(int64_t b) const;
  size_t index(int64_t b) const { return static_cast<size_t>(b); }

  CueRewardOptions options_;
  int64_t max_trial_length_;
  int64_t batch_ = 0;
  int64_t time_ = 0;
  std::vector<int8_t> cue_bits_;          // (B, cues, cue_bits) of ±1
  std::vector<int64_t> target_;           // (B)
  std::vector<int64_t> schedule_;         // (B, max_trial_length) codes; a trial uses a prefix
  std::vector<int64_t> trial_length_;     // (B)
  std::vector<int64_t> trial_step_;       // (B)
  std::vector<int64_t> previous_action_;  // (B), −1 before the first step
  std::vector<float> previous_reward_;    // (B)
  std::vector<int64_t> scratch_;          // shuffle buffer, reused
};

}  // namespace neuromod
