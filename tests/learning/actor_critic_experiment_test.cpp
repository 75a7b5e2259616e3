#include "neuromod/learning/actor_critic_experiment.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "neuromod/tasks/cue_reward.h"
#include "support/network_from_yaml.h"

namespace neuromod {
namespace {

using testing::network_from_yaml;

// A retroactive-modulated plastic RNN (Backpropamine's `modul`) with policy and value heads.
const char* kAgent =
    "layers:\n"
    "  - {name: rnn, kind: plastic_recurrent, size: 16, plasticity: retroactive}\n"
    "  - {name: policy, kind: linear, from: rnn, size: 2, activation: identity}\n"
    "  - {name: value, kind: linear, from: rnn, size: 1, activation: identity}\n"
    "modulators: [{name: DA, tau: 1, range: [-1, 1], source: {kind: learned, reads: rnn, out: "
    "tanh}}]\n"
    "projections:\n"
    "  - {modulator: DA, target: rnn.all.synapse, effect: plasticity,\n"
    "     receptor: {kind: linear, fanout: learned}}\n";

CueRewardOptions tiny_task() {
  return CueRewardOptions().cues(2).cue_bits(4).episode_length(20);
}

ActorCriticOptions tiny_options() {
  ActorCriticOptions options;
  options.batch = 4;
  return options;
}

LearningOptions tiny_learning() {
  LearningOptions learning;
  learning.lr = 1e-3;
  learning.clip_grad = 2.0;
  return learning;
}

ActorCriticExperiment tiny_experiment(uint64_t init_seed, int64_t seed = 3,
                                      ActorCriticOptions options = tiny_options(),
                                      const std::string& agent = kAgent) {
  auto environment = std::make_unique<CueRewardEnvironment>(tiny_task());
  const NetworkShape shape{environment->observation_size(), environment->action_count(), 0};
  torch::manual_seed(init_seed);
  return ActorCriticExperiment(std::move(environment), network_from_yaml(agent, shape),
                               tiny_learning(), options, seed);
}

// kAgent with its plastic layer running fused steps only (no episode replay).
std::string step_by_step_agent() {
  std::string agent = kAgent;
  const std::string rule = "plasticity: retroactive";
  agent.replace(agent.find(rule), rule.size(), rule + ", fused: step");
  return agent;
}

std::vector<torch::Tensor> parameter_copies(ActorCriticExperiment& experiment) {
  std::vector<torch::Tensor> copies;
  for (const auto& parameter : experiment.model()->parameters()) {
    copies.push_back(parameter.detach().clone());
  }
  return copies;
}

bool same_parameters(ActorCriticExperiment& experiment, const std::vector<torch::Tensor>& other) {
  const auto parameters = experiment.model()->parameters();
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (!torch::equal(parameters[i], other[i])) return false;
  }
  return true;
}

// A one-step, two-armed bandit: arm 1 always pays 1, arm 0 pays nothing.
class BanditEnvironment final : public Environment {
 public:
  int64_t observation_size() const override { return 1; }
  int64_t action_count() const override { return 2; }
  int64_t episode_length() const override { return 1; }
  torch::Tensor reset(int64_t batch, std::mt19937_64&) override {
    batch_ = batch;
    time_ = 0;
    return observation();
  }
  EnvironmentStep step(const torch::Tensor& actions, std::mt19937_64&) override {
    ++time_;
    return {observation(), actions.eq(1).to(torch::kFloat32)};
  }
  torch::Tensor observation() const override { return torch::ones({batch_, 1}); }
  int64_t batch_size() const override { return batch_; }
  int64_t time_step() const override { return time_; }
  std::string save_state() const override { return std::to_string(time_); }
  void load_state(const std::string& state) override { time_ = std::stoll(state); }

 private:
  int64_t batch_ = 0;
  int64_t time_ = 0;
};

TEST(ActorCriticExperiment, StepsAndEvaluatesWithTheDeclaredMetrics) {
  auto experiment = tiny_experiment(1);
  EXPECT_EQ(experiment.metric_names(), (std::vector<std::string>{"loss", "reward", "test_reward"}));
  EXPECT_EQ(experiment.loss_metric(), "loss");
  const MetricValues metrics = experiment.train_step(1);
  ASSERT_EQ(metrics.count("loss"), 1u);
  ASSERT_EQ(metrics.count("reward"), 1u);
  EXPECT_TRUE(std::isfinite(metrics.at("loss")));
  // 20 steps of 2-cue trials (5 or 6 steps each): 3 or 4 scored Go steps of ±1 per episode.
  EXPECT_LE(std::abs(metrics.at("reward")), 4.0);
  const MetricValues test = experiment.evaluate();
  ASSERT_EQ(test.count("test_reward"), 1u);
  EXPECT_LE(std::abs(test.at("test_reward")), 4.0);
}

TEST(ActorCriticExperiment, GradientsReachTheModulatorsLearnedSource) {
  auto experiment = tiny_experiment(1);
  experiment.train_step(1);
  const auto parameters = experiment.model()->modulation()->parameters();
  ASSERT_FALSE(parameters.empty());
  for (const auto& parameter : parameters) {
    ASSERT_TRUE(parameter.grad().defined());
    EXPECT_GT(parameter.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(ActorCriticExperiment, ReplayedEpisodesTrainAsTheStepByStepGraph) {
  auto replayed = tiny_experiment(1);
  auto stepped = tiny_experiment(1, 3, tiny_options(), step_by_step_agent());
  ASSERT_EQ(replayed.episode_replay_unsupported(), "");
  EXPECT_NE(stepped.episode_replay_unsupported().find("fused is step"), std::string::npos);
  // The run log says which path training takes.
  ASSERT_EQ(replayed.notes().size(), 1u);
  EXPECT_NE(replayed.notes()[0].find("replayed as one operation"), std::string::npos);
  ASSERT_EQ(stepped.notes().size(), 1u);
  EXPECT_NE(stepped.notes()[0].find("no episode replay: layer rnn: fused is step"),
            std::string::npos);
  for (int64_t step = 1; step <= 3; ++step) {
    const auto a = replayed.train_step(step);
    const auto b = stepped.train_step(step);
    // The same play (the first step's exactly: nothing has been updated yet), the same loss up
    // to float rounding, which then reaches the parameters through Adam.
    if (step == 1) {
      EXPECT_EQ(a.at("reward"), b.at("reward"));
    }
    EXPECT_NEAR(a.at("loss"), b.at("loss"), 1e-4 * (1.0 + std::abs(b.at("loss"))));
  }
  const auto p = replayed.model()->parameters();
  const auto q = stepped.model()->parameters();
  ASSERT_EQ(p.size(), q.size());
  for (std::size_t k = 0; k < p.size(); ++k) {
    EXPECT_LE((p[k] - q[k]).abs().max().item<double>(), 1e-4) << "parameter " << k;
  }
}

TEST(ActorCriticExperiment, SameSeedGivesIdenticalMetrics) {
  auto first = tiny_experiment(1);
  auto second = tiny_experiment(1);
  auto other_seed = tiny_experiment(1, /*seed=*/4);
  bool differs = false;
  for (int64_t step = 1; step <= 3; ++step) {
    const auto a = first.train_step(step);
    EXPECT_EQ(a, second.train_step(step)) << step;
    differs = differs || a != other_seed.train_step(step);
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ(first.evaluate(), second.evaluate());
}

TEST(ActorCriticExperiment, EvaluationIsRepeatableAndLeavesTrainingAlone) {
  auto evaluated = tiny_experiment(1);
  auto plain = tiny_experiment(1);
  EXPECT_EQ(evaluated.train_step(1), plain.train_step(1));
  const auto first = evaluated.evaluate();
  EXPECT_EQ(first, evaluated.evaluate());
  EXPECT_EQ(evaluated.train_step(2), plain.train_step(2));
}

TEST(ActorCriticExperiment, SaveLoadRoundTripContinuesIdentically) {
  auto original = tiny_experiment(1);
  original.train_step(1);
  original.train_step(2);
  std::stringstream buffer;
  {
    torch::serialize::OutputArchive archive;
    original.save(archive);
    archive.save_to(buffer);
  }
  const MetricValues expected = original.train_step(3);

  auto resumed = tiny_experiment(2);  // other initial weights: all must come from the archive
  torch::serialize::InputArchive archive;
  archive.load_from(buffer);
  resumed.load(archive);
  EXPECT_EQ(resumed.train_step(3), expected);
  EXPECT_TRUE(same_parameters(resumed, parameter_copies(original)));
  EXPECT_EQ(resumed.evaluate(), original.evaluate());
}

TEST(ActorCriticExperiment, BurnInStepsDoNotUpdate) {
  ActorCriticOptions options = tiny_options();
  options.burn_in = 2;
  auto experiment = tiny_experiment(1, 3, options);
  const auto initial = parameter_copies(experiment);
  experiment.train_step(1);
  experiment.train_step(2);
  EXPECT_TRUE(same_parameters(experiment, initial));
  experiment.train_step(3);
  EXPECT_FALSE(same_parameters(experiment, initial));
}

TEST(ActorCriticExperiment, RejectsLayersThatDoNotFitTheTask) {
  ActorCriticOptions missing = tiny_options();
  missing.value_layer = "critic";
  EXPECT_THROW(tiny_experiment(1, 3, missing), std::invalid_argument);
  ActorCriticOptions wrong_size = tiny_options();
  wrong_size.value_layer = "policy";  // 2 units, not 1
  EXPECT_THROW(tiny_experiment(1, 3, wrong_size), std::invalid_argument);
  ActorCriticOptions bad_gamma = tiny_options();
  bad_gamma.gamma = 1.5;
  EXPECT_THROW(tiny_experiment(1, 3, bad_gamma), std::invalid_argument);
}

TEST(ActorCriticExperiment, LearnsABandit) {
  torch::manual_seed(5);
  auto network = network_from_yaml(
      "layers:\n"
      "  - {name: policy, kind: linear, from: input, size: 2, activation: identity}\n"
      "  - {name: value, kind: linear, from: input, size: 1, activation: identity}\n",
      {1, 2, 0});
  LearningOptions learning;
  learning.lr = 0.05;
  ActorCriticOptions options;
  options.batch = 8;
  ActorCriticExperiment experiment(std::make_unique<BanditEnvironment>(), network, learning,
                                   options, 11);
  double recent = 0.0;
  for (int64_t step = 1; step <= 200; ++step) {
    const double reward = experiment.train_step(step).at("reward");
    if (step > 180) recent += reward / 20.0;
  }
  EXPECT_GT(recent, 0.9);
  EXPECT_GT(experiment.evaluate().at("test_reward"), 0.9);
}

// R_t = r_t + γ R_{t+1}, by hand for γ = 0.5 and for per-step γ_t.
TEST(ActorCriticExperiment, DiscountedReturnsByHand) {
  const auto rewards = torch::tensor({{1.0, 0.0}, {0.0, 1.0}, {2.0, 0.0}});  // (T=3, B=2)
  const auto expected = torch::tensor({{1.5, 0.5}, {1.0, 1.0}, {2.0, 0.0}});
  EXPECT_TRUE(torch::allclose(functional::discounted_returns(rewards, 0.5), expected));
  // γ_0 = 0 cuts the return after step 0; γ_1 = 1 passes it on undiscounted; γ_2 is unused.
  const auto per_step = functional::discounted_returns(rewards, torch::tensor({0.0, 1.0, 7.0}));
  EXPECT_TRUE(torch::allclose(per_step, torch::tensor({{1.0, 0.0}, {2.0, 1.0}, {2.0, 0.0}})));
  EXPECT_EQ(functional::discounted_returns(rewards, 0.5).scalar_type(), torch::kFloat32);
}

// A 3-step episode (B = 1, two actions) worked out by hand, and the gradients' signs.
TEST(ActorCriticExperiment, LossAndGradientsByHand) {
  const auto probabilities = torch::tensor({{0.5, 0.5}, {0.8, 0.2}, {0.25, 0.75}}, torch::kDouble);
  const auto log_probs = probabilities.log().unsqueeze(1).requires_grad_();  // (3, 1, 2)
  const auto actions = torch::tensor({{0}, {1}, {1}}, torch::kLong);
  const auto values = torch::tensor({{1.0}, {0.5}, {2.0}}, torch::kDouble).requires_grad_();
  const auto returns = torch::tensor({{1.5}, {1.0}, {2.0}}, torch::kDouble);  // A = .5, .5, 0
  const double c_v = 0.1, c_e = 0.03;
  const auto loss = functional::a2c_loss(log_probs, actions, values, returns, c_v, c_e);

  const double policy = -(0.5 * std::log(0.5) + 0.5 * std::log(0.2) + 0.0) / 3.0;
  const double value = (0.25 + 0.25 + 0.0) / 3.0;
  const double concentration = ((0.25 + 0.25) + (0.64 + 0.04) + (0.0625 + 0.5625)) / 3.0;
  EXPECT_NEAR(loss.policy.item<double>(), policy, 1e-12);
  EXPECT_NEAR(loss.value.item<double>(), value, 1e-12);
  EXPECT_NEAR(loss.concentration.item<double>(), concentration, 1e-12);
  EXPECT_NEAR(loss.total.item<double>(), policy + c_v * value + c_e * concentration, 1e-12);

  loss.total.backward();
  // Critic: d/dV_t = −2 c_v A_t / (T·B); the policy term sends nothing into V (detached A).
  EXPECT_TRUE(torch::allclose(values.grad(),
                              torch::tensor({{-0.1 / 3.0}, {-0.1 / 3.0}, {0.0}}, torch::kDouble)));
  // Actor: d/d log π_t(a) = −A_t [a = a_t] / (T·B) + c_e · 2 π_t(a)² / (T·B).
  const auto advantage_part = torch::tensor({{-0.5, 0.0}, {0.0, -0.5}, {0.0, 0.0}}, torch::kDouble);
  const auto expected = (advantage_part + c_e * 2.0 * probabilities.pow(2)) / 3.0;
  EXPECT_TRUE(torch::allclose(log_probs.grad().squeeze(1), expected));
}

TEST(ActorCriticExperiment, SamplesActionsByInverseCdf) {
  std::mt19937_64 rng(1);
  const auto certain = torch::tensor({{1.0, 0.0, 0.0}, {0.0, 0.0, 1.0}, {0.0, 1.0, 0.0}});
  EXPECT_TRUE(torch::equal(functional::sample_actions(certain, rng), torch::tensor({0, 2, 1})));
  const auto actions =
      functional::sample_actions(torch::tensor({{0.25, 0.75}}).expand({4000, 2}), rng);
  EXPECT_NEAR(actions.to(torch::kDouble).mean().item<double>(), 0.75, 0.03);
  // One uniform_unit draw per row, in order.
  std::mt19937_64 a(9), b(9);
  const double u = uniform_unit(b);
  const auto one = functional::sample_actions(torch::tensor({{0.5, 0.5}}), a);
  EXPECT_EQ(one.item<int64_t>(), u < 0.5 ? 0 : 1);
  EXPECT_EQ(a(), b());
}

}  // namespace
}  // namespace neuromod
