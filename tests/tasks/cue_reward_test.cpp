#include "neuromod/tasks/cue_reward.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <set>

namespace neuromod {
namespace {

torch::Tensor actions_of(std::vector<int64_t> values) {
  return torch::tensor(values, torch::kLong);
}

// Actions that depend on the seed only: a fixed pseudo-random policy for the tests.
torch::Tensor random_actions(int64_t batch, int64_t count, std::mt19937_64& policy) {
  std::vector<int64_t> values(static_cast<size_t>(batch));
  for (auto& v : values) v = uniform_index(policy, count);
  return actions_of(values);
}

// The reward rule of srbatch.py, worked out by hand from the trial schedule.
float expected_reward(const CueRewardEnvironment& env, int64_t b, int64_t action) {
  const auto& o = env.options();
  const std::vector<int64_t> trial = env.trial(b);
  double r = action == 1 ? -o.response_cost() : 0.0;
  if (env.trial_step(b) == static_cast<int64_t>(trial.size()) - 2) {
    const int64_t target = env.targets()[b].item<int64_t>();
    const bool shown = std::find(trial.begin(), trial.end(), target) != trial.end();
    r += shown == (action == 1) ? o.reward() : -o.reward();
  }
  return static_cast<float>(r);
}

TEST(CueRewardEnvironment, SizesFollowTheReference) {
  CueRewardEnvironment env;
  EXPECT_EQ(env.observation_size(), 27);
  EXPECT_EQ(env.action_count(), 2);
  EXPECT_EQ(env.episode_length(), 120);
  EXPECT_EQ(env.go_input(), 20);
  EXPECT_EQ(env.bias_input(), 21);
  EXPECT_EQ(env.time_input(), 22);
  EXPECT_EQ(env.reward_input(), 23);
  EXPECT_EQ(env.action_input(), 25);
}

TEST(CueRewardEnvironment, RejectsBadOptions) {
  EXPECT_THROW(CueRewardEnvironment(CueRewardOptions().cues(1)), c10::Error);
  EXPECT_THROW(CueRewardEnvironment(CueRewardOptions().cues(5).cue_bits(2)), c10::Error);
  EXPECT_THROW(CueRewardEnvironment(CueRewardOptions().episode_length(0)), c10::Error);
  EXPECT_THROW(CueRewardEnvironment(CueRewardOptions().flip_probability(1.5)), c10::Error);
}

TEST(CueRewardEnvironment, HandWorkedTinyEpisode) {
  // Two one-bit cues: necessarily +1 and -1. Trials of 4 or 5 steps showing one cue each.
  CueRewardEnvironment env(CueRewardOptions().cues(2).cue_bits(1).episode_length(10));
  std::mt19937_64 rng(3);
  torch::Tensor obs = env.reset(1, rng);
  const torch::Tensor cues = env.cue_patterns();
  EXPECT_EQ(cues.sizes(), (std::vector<int64_t>{1, 2, 1}));
  EXPECT_EQ(cues[0][0].item<float>(), -cues[0][1].item<float>());
  // Layout: cue, go, bias, t/eplen, previous reward, unused, previous action (2).
  EXPECT_TRUE(torch::equal(obs, torch::tensor({{0.f, 0.f, 1.f, 0.f, 0.f, 0.f, 0.f, 0.f}})));
  std::vector<int64_t> trial = env.trial(0);
  ASSERT_GE(trial.size(), 4u);
  ASSERT_LE(trial.size(), 5u);
  const int64_t target = env.targets()[0].item<int64_t>();
  const bool shown = std::find(trial.begin(), trial.end(), target) != trial.end();
  for (size_t s = 0; s < trial.size(); ++s) {
    ASSERT_EQ(env.trial_step(0), static_cast<int64_t>(s));
    const int64_t action = s % 2 == 0 ? 1 : 0;
    const EnvironmentStep out = env.step(actions_of({action}), rng);
    float expected = 0.f;
    if (s + 2 == trial.size()) expected = shown == (action == 1) ? 1.f : -1.f;
    EXPECT_EQ(out.reward.item<float>(), expected) << "trial step " << s;
    // The next observation carries this reward, this action and the new time.
    std::vector<float> next(8, 0.f);
    next[2] = 1.f;
    next[3] = static_cast<float>(static_cast<double>(s + 1) / 10.0);
    next[4] = expected;
    next[static_cast<size_t>(6 + action)] = 1.f;
    const std::vector<int64_t> now = env.trial(0);
    const int64_t code = now[static_cast<size_t>(env.trial_step(0))];
    if (code == 2) next[1] = 1.f;
    if (code >= 0 && code < 2) next[0] = cues[0][code][0].item<float>();
    EXPECT_TRUE(torch::equal(out.observation, torch::tensor(next).unsqueeze(0)))
        << "after trial step " << s << ": " << out.observation;
  }
  EXPECT_EQ(env.trial_step(0), 0);  // a new trial has begun
}

TEST(CueRewardEnvironment, TrialStructureAndCuesFollowTheReference) {
  const CueRewardOptions options;  // 4 cues of 20 bits, 120 steps
  CueRewardEnvironment env(options);
  std::mt19937_64 rng(11);
  std::mt19937_64 policy(5);
  const int64_t batch = 6;
  torch::Tensor obs = env.reset(batch, rng);
  const torch::Tensor cues = env.cue_patterns();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t k = 0; k < 4; ++k) {
      EXPECT_TRUE(torch::all(cues[b][k].abs() == 1).item<bool>());
      for (int64_t other = 0; other < k; ++other) {
        EXPECT_FALSE(torch::equal(cues[b][k], cues[b][other])) << "episode " << b;
      }
    }
  }
  std::set<size_t> lengths;
  int64_t trials = 0;
  for (int64_t t = 0; t < options.episode_length(); ++t) {
    for (int64_t b = 0; b < batch; ++b) {
      const std::vector<int64_t> trial = env.trial(b);
      const int64_t s = env.trial_step(b);
      if (s == 0) {
        ++trials;
        lengths.insert(trial.size());
        ASSERT_GE(trial.size(), 5u);
        ASSERT_LE(trial.size(), 8u);
        EXPECT_EQ(trial.front(), CueRewardEnvironment::kBlank);
        EXPECT_EQ(trial[trial.size() - 2], 4);  // Go
        EXPECT_EQ(trial.back(), CueRewardEnvironment::kBlank);
        std::set<int64_t> shown;
        int64_t blanks = 0;
        for (size_t i = 1; i + 2 < trial.size(); ++i) {
          if (trial[i] == CueRewardEnvironment::kBlank) {
            ++blanks;
          } else {
            ASSERT_GE(trial[i], 0);
            ASSERT_LT(trial[i], 4);
            shown.insert(trial[i]);
          }
        }
        EXPECT_EQ(shown.size(), 2u);
        EXPECT_EQ(blanks + 2, static_cast<int64_t>(trial.size()) - 3);
      }
      // The observation shows exactly what the schedule says.
      const int64_t code = trial[static_cast<size_t>(s)];
      const torch::Tensor row = obs[b];
      EXPECT_EQ(row[20].item<float>(), code == 4 ? 1.f : 0.f);
      if (code >= 0 && code < 4) {
        EXPECT_TRUE(torch::equal(row.slice(0, 0, 20), cues[b][code]));
      } else {
        EXPECT_TRUE(torch::all(row.slice(0, 0, 20) == 0).item<bool>());
      }
      EXPECT_EQ(row[21].item<float>(), 1.f);
      EXPECT_FLOAT_EQ(row[22].item<float>(), static_cast<float>(t / 120.0));
      EXPECT_EQ(row[24].item<float>(), 0.f);
    }
    obs = env.step(random_actions(batch, 2, policy), rng).observation;
  }
  EXPECT_EQ(lengths, (std::set<size_t>{5, 6, 7, 8}));
  EXPECT_GT(trials, batch * 120 / 8);
}

TEST(CueRewardEnvironment, RewardRuleMatchesTheCode) {
  for (const double cost : {0.0, 0.25}) {
    CueRewardEnvironment env(CueRewardOptions().response_cost(cost));
    std::mt19937_64 rng(21);
    std::mt19937_64 policy(4);
    const int64_t batch = 8;
    torch::Tensor obs = env.reset(batch, rng);
    std::set<std::pair<bool, int64_t>> cases;  // (target shown, action) at Go steps
    for (int64_t t = 0; t < env.episode_length(); ++t) {
      const torch::Tensor actions = random_actions(batch, 2, policy);
      std::vector<float> expected(static_cast<size_t>(batch));
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t a = actions[b].item<int64_t>();
        expected[static_cast<size_t>(b)] = expected_reward(env, b, a);
        const std::vector<int64_t> trial = env.trial(b);
        if (env.trial_step(b) == static_cast<int64_t>(trial.size()) - 2) {
          const int64_t target = env.targets()[b].item<int64_t>();
          cases.insert({std::find(trial.begin(), trial.end(), target) != trial.end(), a});
        }
      }
      const EnvironmentStep out = env.step(actions, rng);
      EXPECT_TRUE(torch::equal(out.reward, torch::tensor(expected))) << "t = " << t;
      // Previous reward and action appear in the next observation.
      EXPECT_TRUE(torch::equal(out.observation.select(1, env.reward_input()), out.reward));
      for (int64_t b = 0; b < batch; ++b) {
        const int64_t a = actions[b].item<int64_t>();
        EXPECT_EQ(out.observation[b][env.action_input() + a].item<float>(), 1.f);
        EXPECT_EQ(out.observation[b][env.action_input() + 1 - a].item<float>(), 0.f);
      }
    }
    EXPECT_EQ(cases.size(), 4u);  // all four (shown, action) combinations were scored
  }
}

TEST(CueRewardEnvironment, FlipProbabilityOneNegatesGoRewards) {
  CueRewardEnvironment plain;
  CueRewardEnvironment flipped(CueRewardOptions().flip_probability(1.0));
  std::mt19937_64 rng_plain(8);
  std::mt19937_64 rng_flipped(8);
  plain.reset(4, rng_plain);
  flipped.reset(4, rng_flipped);
  // First trials (5..8 steps, drawn at reset) are the same in both; their Go steps fall in
  // t = 3 .. 6, before any second trial (drawn after the flip draws) reaches its Go step.
  int64_t scored = 0;
  for (int64_t t = 0; t < 7; ++t) {
    const torch::Tensor actions = actions_of({1, 0, 1, 0});
    const torch::Tensor a = plain.step(actions, rng_plain).reward;
    const torch::Tensor b = flipped.step(actions, rng_flipped).reward;
    EXPECT_TRUE(torch::equal(a, -b)) << "t = " << t << a << b;
    scored += (a != 0).sum().item<int64_t>();
  }
  EXPECT_GE(scored, 4);  // every episode's first Go step was among them
}

TEST(CueRewardEnvironment, EpisodeEndsMidTrial) {
  CueRewardEnvironment env(CueRewardOptions().episode_length(7));
  std::mt19937_64 rng(2);
  env.reset(3, rng);
  EnvironmentStep out;
  for (int64_t t = 0; t < 7; ++t) out = env.step(actions_of({0, 1, 0}), rng);
  EXPECT_EQ(env.time_step(), 7);
  // The final observation shows no stimulus, time 1, and the last reward and action.
  EXPECT_TRUE(torch::all(out.observation.slice(1, 0, 21) == 0).item<bool>());
  EXPECT_TRUE(torch::all(out.observation.select(1, env.time_input()) == 1).item<bool>());
  EXPECT_TRUE(torch::equal(env.observation(), out.observation));
  EXPECT_THROW(env.step(actions_of({0, 0, 0}), rng), c10::Error);
}

TEST(CueRewardEnvironment, RejectsBadActions) {
  CueRewardEnvironment env;
  std::mt19937_64 rng(1);
  EXPECT_THROW(env.step(actions_of({0}), rng), c10::Error);  // before reset
  env.reset(2, rng);
  EXPECT_THROW(env.step(actions_of({0, 2}), rng), c10::Error);
  EXPECT_THROW(env.step(actions_of({0}), rng), c10::Error);
  EXPECT_THROW(env.step(torch::zeros({2}, torch::kInt), rng), c10::Error);
}

TEST(CueRewardEnvironment, SameSeedSameEpisodeOtherSeedOther) {
  const auto all = [](uint64_t seed) {
    CueRewardEnvironment env;
    std::mt19937_64 rng(seed);
    std::mt19937_64 policy(99);
    std::vector<torch::Tensor> seen{env.reset(5, rng).flatten()};
    for (int64_t t = 0; t < env.episode_length(); ++t) {
      const EnvironmentStep out = env.step(random_actions(5, 2, policy), rng);
      seen.push_back(out.observation.flatten());
      seen.push_back(out.reward);
    }
    return torch::cat(seen);
  };
  EXPECT_TRUE(torch::equal(all(7), all(7)));
  EXPECT_FALSE(torch::equal(all(7), all(8)));
}

TEST(CueRewardEnvironment, SaveAndLoadMidEpisodeContinuesIdentically) {
  const CueRewardOptions options = CueRewardOptions().flip_probability(0.2).response_cost(0.1);
  CueRewardEnvironment env(options);
  std::mt19937_64 rng(17);
  std::mt19937_64 policy(3);
  env.reset(4, rng);
  for (int64_t t = 0; t < 53; ++t) env.step(random_actions(4, 2, policy), rng);
  const std::string state = env.save_state();
  const torch::Tensor pending = env.observation();
  std::mt19937_64 rng_copy = rng;
  std::mt19937_64 policy_copy = policy;

  CueRewardEnvironment resumed(options);
  resumed.load_state(state);
  EXPECT_EQ(resumed.save_state(), state);
  EXPECT_EQ(resumed.time_step(), 53);
  EXPECT_TRUE(torch::equal(resumed.observation(), pending));
  EXPECT_TRUE(torch::equal(resumed.cue_patterns(), env.cue_patterns()));
  for (int64_t t = 53; t < options.episode_length(); ++t) {
    const EnvironmentStep a = env.step(random_actions(4, 2, policy), rng);
    const EnvironmentStep b = resumed.step(random_actions(4, 2, policy_copy), rng_copy);
    ASSERT_TRUE(torch::equal(a.observation, b.observation)) << "t = " << t;
    ASSERT_TRUE(torch::equal(a.reward, b.reward)) << "t = " << t;
  }
  EXPECT_EQ(rng(), rng_copy());
}

TEST(CueRewardEnvironment, LoadStateRejectsMismatchesAndStaysUnchanged) {
  CueRewardEnvironment env;
  std::mt19937_64 rng(1);
  env.reset(2, rng);
  const std::string state = env.save_state();
  CueRewardEnvironment other(CueRewardOptions().cues(2));
  EXPECT_THROW(other.load_state(state), c10::Error);
  EXPECT_THROW(env.load_state("neuromod.cue_reward.v1\ncues 4"), c10::Error);
  EXPECT_THROW(env.load_state(state.substr(0, state.size() - 10)), c10::Error);
  EXPECT_EQ(env.save_state(), state);
}

}  // namespace
}  // namespace neuromod
