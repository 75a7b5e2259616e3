#pragma once
/// \file
/// Advantage actor–critic (A2C) on a batched Environment: the outer loop that trains
/// Backpropamine's plastic, self-modulating recurrent agents (Miconi, Rawal, Clune & Stanley
/// 2019, "Backpropamine: training self-modifying neural networks with differentiable
/// neuromodulated plasticity", ICLR; A2C after Mnih et al. 2016, "Asynchronous methods for deep
/// reinforcement learning", ICML). Reference code: uber-research/backpropamine,
/// `sr/srbatch.py`, `maze/batch.py`, `simplemaze/maze.py` (the same loss in all three).
///
/// One optimiser step is one batch of B full episodes of T = episode_length steps. At step t
/// every episode's network steps on its observation; the network state (activity, plastic
/// traces, modulator levels) is carried through the episode and reset at its start. Then
///
///     π_t      = softmax(β · z_t)                z_t: the policy layer's output, (B, A)
///     a_t      ~ π_t                             sampled with the experiment's own generator
///     V_t      = the value layer's output        (B, 1)
///     R_t      = r_t + γ_t · R_{t+1},  R_T = 0   the return; no bootstrap at the episode end
///     A_t      = R_t − V_t                       the advantage
///
///     loss = 1/(T·B) Σ_t Σ_b [ −log π_t(a_t) · stop_grad(A_t)       policy gradient
///                              + c_v · A_t²                          critic
///                              + c_e · Σ_a π_t(a)² ]                 concentration penalty
///
/// and the gradient flows back through the whole episode (BPTT), through the plastic traces
/// and into the modulators' learned sources. β is the `inverse_temperature` learner effect
/// (1 without one) and γ_t the `discount` learner effect (ActorCriticOptions::gamma without
/// one), both read from the network state after step t; they are batch means and carry no
/// gradient. The "entropy" term of the reference is Simpson's concentration Σ_a π(a)², which
/// is smallest for the uniform policy: adding it *penalises* concentration (the reference's
/// comment: "our version of PyTorch does not have an entropy() function").
///
/// | option                | default  | reference                      | meaning                  |
/// |-----------------------|----------|--------------------------------|--------------------------|
/// | `policy_layer`        | "policy" | `h2o`                          | logits (B, A)            |
/// | `value_layer`         | "value"  | `h2v`                          | V (B, 1)                 |
/// | `gamma`               | 0.9      | `--gr 0.9`                     | discount per step        |
/// | `value_coefficient`   | 0.1      | `--blossv 0.1`                 | weight c_v of the critic |
/// | `entropy_coefficient` | 0.03     | `--bent` 0.03 (sr/README: 0.1) | weight c_e of Σ_a π²     |
/// | `batch`               | 30       | `--bs 30`                      | episodes per step        |
/// | `burn_in`             | 0        | 101 (see below)                | steps without update     |
///
/// The optimiser comes from LearningOptions; the reference uses Adam with `--lr 1e-4`,
/// `--eps 1e-6` (sr/README; maze code hard-codes 1e-4), `--l2 0` as weight decay and
/// `--gc 2.0` as clip_grad. (sr/README also passes `--bv 0.1`, which the code never reads.)
///
/// Checked against the reference (`sr/srbatch.py`, `maze/batch.py`, `simplemaze/maze.py`):
/// - Normalisation and signs: each per-step term is summed over the batch and divided by
///   B, the critic term is weighted by `blossv`, and the total is divided by `eplen`, i.e.
///   the 1/(T·B) above; the policy term uses the detached advantage; the concentration term
///   is added with a positive sign. Then backward, global gradient-norm clip, optimiser step.
/// - Deviation: the reference computes `R − vs[t][0]`, where `vs[t]` is (B, 1), so every
///   episode of the batch is baselined (and the critic trained) with the value of episode 0
///   only. We use each episode's own V_t, which is A2C as published; with B = 1 the two agree.
/// - Burn-in: the reference calls `optimizer.step()` only when its 0-based iteration counter
///   exceeds 100 ("burn-in period for meanreward", a leftover of a REINFORCE running-mean
///   baseline that A2C does not use), i.e. the first 101 iterations make no update.
///   Here step `s` (1-based) updates iff `s > burn_in`, so `burn_in: 101` reproduces the
///   reference; the default 0 updates from the first step. Burn-in steps skip the backward
///   pass, which the reference computes and throws away (same parameters, same metrics).
/// - The reward reaches the network only through the observation and the `reward` signal
///   (the previous step's reward); the network state is reset at each episode start; the
///   action is sampled from the softmax of the raw policy output; `reward` is the mean over
///   the batch of each episode's summed reward (the reference's `sumreward.mean()`).
///
/// Randomness: no hidden generator. Training draws the episodes from one std::mt19937_64 and
/// the actions from another, both seeded from `seed` and saved in checkpoints; evaluation
/// draws from two fresh generators seeded from `seed` on every call, so it sees the same
/// episodes each time and never moves the training streams. Actions are drawn by inverse CDF
/// from `uniform_unit` (environment.h), so a seed gives the same run everywhere.

#include <torch/optim/optimizer.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "neuromod/learning/experiment.h"
#include "neuromod/learning/learning_options.h"
#include "neuromod/models/episode_replay.h"
#include "neuromod/models/modulated_network.h"
#include "neuromod/tasks/environment.h"

namespace neuromod {

/// Options of the actor–critic learner (see the file comment for the reference values).
/// Example: `ActorCriticOptions options; options.batch = 4; options.burn_in = 101;`
struct ActorCriticOptions {
  std::string policy_layer = "policy";  ///< layer whose output (B, A) are the action logits
  std::string value_layer = "value";    ///< layer whose output (B, 1) is V(s)
  double gamma = 0.9;                   ///< discount in [0, 1]; a `discount` effect replaces it
  double value_coefficient = 0.1;       ///< c_v >= 0, weight of the critic loss (`--blossv`)
  double entropy_coefficient = 0.03;    ///< c_e >= 0, weight of Σ_a π(a)² (`--bent`)
  int64_t batch = 30;                   ///< B >= 1, episodes per optimiser step (`--bs`)
  int64_t burn_in = 0;                  ///< >= 0, optimiser steps before the first update
};

namespace functional {

/// Discounted returns R_t = r_t + γ_t · R_{t+1} with R_T = 0 (no bootstrap: the episode ends).
/// \param rewards    (T, B) reward of each step's action.
/// \param discounts  γ_t: () one for all steps, (T) per step, or (T, B); γ_{T−1} is unused.
/// \returns          (T, B), dtype of `rewards`.
torch::Tensor discounted_returns(const torch::Tensor& rewards, const torch::Tensor& discounts);

/// Discounted returns with one γ for every step. \returns (T, B).
torch::Tensor discounted_returns(const torch::Tensor& rewards, double gamma);

/// The A2C loss and its parts, each a 0-dim tensor averaged over the T·B steps of the batch.
struct A2CLoss {
  torch::Tensor total;          ///< policy + c_v · value + c_e · concentration (minimised)
  torch::Tensor policy;         ///< Σ −log π_t(a_t) · stop_grad(A_t) / (T·B)
  torch::Tensor value;          ///< Σ A_t² / (T·B), unweighted
  torch::Tensor concentration;  ///< Σ_t Σ_b Σ_a π_t(a)² / (T·B), unweighted
};

/// The A2C loss of a batch of episodes (file comment), with A_t = R_t − V_t.
/// \param log_probs  (T, B, A) log π_t, e.g. log_softmax(β · logits); gradients flow to it.
/// \param actions    (T, B) int64, the actions taken.
/// \param values     (T, B) V_t; gradients flow to it through the critic term only.
/// \param returns    (T, B) R_t, treated as a constant.
A2CLoss a2c_loss(const torch::Tensor& log_probs, const torch::Tensor& actions,
                 const torch::Tensor& values, const torch::Tensor& returns,
                 double value_coefficient, double entropy_coefficient);

/// One action per row of `probabilities` (B, A), by inverse CDF: with u = uniform_unit(rng),
/// the first a whose cumulative probability exceeds u (the last action if rounding leaves
/// none). One draw per row, in row order. \returns (B) int64.
torch::Tensor sample_actions(const torch::Tensor& probabilities, std::mt19937_64& rng);

}  // namespace functional

/// An agent (a ModulatedNetwork with a policy and a value layer) trained by A2C on an
/// Environment; metrics `loss`, `reward` (mean total reward per episode over the batch) and,
/// from evaluate(), `test_reward` (the same over one batch of evaluation episodes).
class ActorCriticExperiment : public Experiment {
 public:
  /// Throws std::invalid_argument naming the option for a missing policy or value layer, a
  /// policy size other than the environment's action count, a value size other than 1, or
  /// an option out of range.
  ActorCriticExperiment(std::unique_ptr<Environment> environment, ModulatedNetwork model,
                        LearningOptions learning, ActorCriticOptions options, int64_t seed);

  std::vector<std::string> metric_names() const override;
  /// "reward": measured on every step's batch, so the progress line moves between
  /// evaluations.
  std::string key_metric() const override { return "reward"; }
  std::string loss_metric() const override { return "loss"; }
  /// Whether training episodes are replayed as one operation, or why not.
  std::vector<std::string> notes() const override;
  /// One batch of full episodes, then (after burn-in) one optimiser step.
  MetricValues train_step(int64_t step) override;
  /// One batch of episodes sampled like training, without gradients or updates, at the
  /// training clock of the last step; restores the model's buffers afterwards.
  MetricValues evaluate() override;
  /// Model, optimiser, both training generators, the last loss and the step count. Between
  /// train steps the environment sits at an episode boundary (the next step resets it), so
  /// its state is not needed: the generators alone reproduce the next episodes.
  void save(torch::serialize::OutputArchive& archive) override;
  void load(torch::serialize::InputArchive& archive) override;

  ModulatedNetwork& model() { return model_; }
  /// Why training episodes run step by step with the graph, or "" when they are replayed as one
  /// operation (models/episode_replay.h).
  const std::string& episode_replay_unsupported() const { return replay_unsupported_; }
  const ActorCriticOptions& options() const { return options_; }

 private:
  /// What one batch of episodes produced.
  struct Episodes {
    torch::Tensor log_probs;  // (T, B, A)
    torch::Tensor actions;    // (T, B) int64
    torch::Tensor values;     // (T, B)
    torch::Tensor rewards;    // (T, B)
    torch::Tensor discounts;  // (T) γ_t
    NetworkState last_state;
  };

  /// Runs B episodes from the environment's reset, drawing from the two generators; records
  /// every time step as training step `record_step` when it is > 0; tells `replay` each step.
  Episodes run_episodes(int64_t training_step, std::mt19937_64& environment_rng,
                        std::mt19937_64& action_rng, int64_t record_step = 0,
                        EpisodeReplay* replay = nullptr);

  std::unique_ptr<Environment> environment_;
  ModulatedNetwork model_;
  LearningOptions learning_;
  ActorCriticOptions options_;
  int64_t seed_;
  std::vector<std::string> group_layers_;  // layer of each optimiser parameter group ("" = rest)
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::mt19937_64 environment_rng_;  // training episodes
  std::mt19937_64 action_rng_;       // training actions
  std::optional<double> last_loss_;  // for loss_change sources
  bool reads_td_error_ = false;      // some modulator's source is `rpe`
  bool reads_prediction_ = false;    // some modulator's source is `uncertainty`
  std::string replay_unsupported_;   // "" when training episodes are replayed
  int64_t steps_done_ = 0;           // the training clock evaluations run at
};

}  // namespace neuromod
