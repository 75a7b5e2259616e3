#include "neuromod/tasks/grid_maze.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <deque>
#include <map>

namespace neuromod {
namespace {

constexpr int64_t kUp = static_cast<int64_t>(MazeAction::up);
constexpr int64_t kDown = static_cast<int64_t>(MazeAction::down);
constexpr int64_t kLeft = static_cast<int64_t>(MazeAction::left);
constexpr int64_t kRight = static_cast<int64_t>(MazeAction::right);

torch::Tensor one_action(int64_t a) {
  return torch::tensor({a}, torch::kLong);
}

std::pair<int64_t, int64_t> position(const GridMazeEnvironment& env, int64_t b = 0) {
  const torch::Tensor p = env.positions();
  return {p[b][0].item<int64_t>(), p[b][1].item<int64_t>()};
}

std::pair<int64_t, int64_t> reward_cell(const GridMazeEnvironment& env, int64_t b = 0) {
  const torch::Tensor p = env.reward_positions();
  return {p[b][0].item<int64_t>(), p[b][1].item<int64_t>()};
}

// The 3x3 view at (row, col), read off the layout by hand.
torch::Tensor view_at(const GridMazeEnvironment& env, int64_t row, int64_t col) {
  return env.walls().slice(0, row - 1, row + 2).slice(1, col - 1, col + 2).flatten();
}

// A seed whose first reward cell satisfies `ok` (the tests need the reward out of the way).
template <class Ok>
uint64_t seed_where(const GridMazeEnvironment& env_template, Ok ok) {
  for (uint64_t seed = 1;; ++seed) {
    GridMazeEnvironment env(env_template.options());
    std::mt19937_64 rng(seed);
    env.reset(1, rng);
    if (ok(reward_cell(env))) return seed;
  }
}

// Shortest action sequence from `from` to `to` through free cells (breadth-first search).
std::vector<int64_t> shortest_path(const GridMazeEnvironment& env, std::pair<int64_t, int64_t> from,
                                   std::pair<int64_t, int64_t> to) {
  const int64_t dr[4] = {-1, 1, 0, 0};
  const int64_t dc[4] = {0, 0, -1, 1};
  std::map<std::pair<int64_t, int64_t>, std::pair<std::pair<int64_t, int64_t>, int64_t>> came;
  std::deque<std::pair<int64_t, int64_t>> queue{from};
  came[from] = {from, -1};
  while (!queue.empty()) {
    const auto cell = queue.front();
    queue.pop_front();
    if (cell == to) break;
    for (int64_t a = 0; a < 4; ++a) {
      const std::pair<int64_t, int64_t> next{cell.first + dr[a], cell.second + dc[a]};
      if (env.wall(next.first, next.second) || came.count(next) > 0) continue;
      came[next] = {cell, a};
      queue.push_back(next);
    }
  }
  std::vector<int64_t> actions;
  for (auto cell = to; cell != from; cell = came.at(cell).first) {
    actions.insert(actions.begin(), came.at(cell).second);
  }
  return actions;
}

TEST(GridMazeEnvironment, SizesFollowTheReference) {
  GridMazeEnvironment env;
  EXPECT_EQ(env.observation_size(), 17);
  EXPECT_EQ(env.action_count(), 4);
  EXPECT_EQ(env.episode_length(), 200);
  EXPECT_EQ(env.centre(), 5);
  EXPECT_EQ(GridMazeEnvironment::bias_input(), 10);
  EXPECT_EQ(GridMazeEnvironment::time_input(), 11);
  EXPECT_EQ(GridMazeEnvironment::reward_input(), 12);
  EXPECT_EQ(GridMazeEnvironment::action_input(), 13);
  EXPECT_THROW(GridMazeEnvironment(GridMazeOptions().size(10)), c10::Error);
  EXPECT_THROW(GridMazeEnvironment(GridMazeOptions().size(3)), c10::Error);
  EXPECT_THROW(GridMazeEnvironment(GridMazeOptions().wall_penalty(-1)), c10::Error);
}

TEST(GridMazeEnvironment, WallsAndPillarsAtTheRightCells) {
  for (const int64_t size : {5, 9, 11, 13}) {
    GridMazeEnvironment env(GridMazeOptions().size(size));
    const int64_t c = size / 2;
    int64_t free = 0;
    for (int64_t r = 0; r < size; ++r) {
      for (int64_t k = 0; k < size; ++k) {
        const bool border = r == 0 || k == 0 || r == size - 1 || k == size - 1;
        const bool pillar = r % 2 == 0 && k % 2 == 0 && !(r == c && k == c);
        EXPECT_EQ(env.wall(r, k), border || pillar) << "size " << size << " cell " << r << "," << k;
        free += env.wall(r, k) ? 0 : 1;
      }
    }
    EXPECT_FALSE(env.wall(c, c));
    EXPECT_TRUE(env.wall(-1, 3));
    EXPECT_TRUE(env.wall(3, size));
    EXPECT_EQ(env.walls().sum().item<float>(), static_cast<float>(size * size - free));
    const int64_t pillars = (size / 2 - 1) * (size / 2 - 1) - (c % 2 == 0 ? 1 : 0);
    EXPECT_EQ(free, (size - 2) * (size - 2) - pillars) << "size " << size;
  }
  EXPECT_EQ(GridMazeEnvironment().walls().sizes(), (std::vector<int64_t>{11, 11}));
}

TEST(GridMazeEnvironment, StartsAtTheCentreWithTheReferenceObservation) {
  GridMazeEnvironment env;
  std::mt19937_64 rng(4);
  const torch::Tensor obs = env.reset(16, rng);
  ASSERT_EQ(obs.sizes(), (std::vector<int64_t>{16, 17}));
  // Centre (5, 5) of the 11-maze: pillars on the four diagonals, free straight ahead.
  const torch::Tensor expected =
      torch::tensor({1.f, 0.f, 1.f, 0.f, 0.f, 0.f, 1.f, 0.f, 1.f,  // view
                     0.f, 1.f, 0.f, 0.f,                           // unused, bias, time 0, reward 0
                     1.f, 0.f, 0.f, 0.f});  // "previous action" 0, as the code
  for (int64_t b = 0; b < 16; ++b) {
    EXPECT_TRUE(torch::equal(obs[b], expected)) << obs[b];
    EXPECT_EQ(position(env, b), std::make_pair(int64_t{5}, int64_t{5}));
    const auto goal = reward_cell(env, b);
    EXPECT_FALSE(env.wall(goal.first, goal.second));
    EXPECT_NE(goal, std::make_pair(int64_t{5}, int64_t{5}));
  }
}

TEST(GridMazeEnvironment, BumpingAWallKeepsThePlaceAndCostsThePenalty) {
  GridMazeEnvironment env(GridMazeOptions().wall_penalty(0.5));
  // Path: up 4 times to (1, 5), left 4 times to (1, 1); keep the reward off it.
  const uint64_t seed = seed_where(env, [](std::pair<int64_t, int64_t> g) {
    return !(g.second == 5 && g.first <= 4) && !(g.first == 1 && g.second <= 5) &&
           g != std::make_pair(int64_t{4}, int64_t{5});
  });
  std::mt19937_64 rng(seed);
  env.reset(1, rng);
  EnvironmentStep out = env.step(one_action(kUp), rng);
  EXPECT_EQ(position(env), std::make_pair(int64_t{4}, int64_t{5}));
  EXPECT_EQ(out.reward.item<float>(), 0.f);
  out = env.step(one_action(kLeft), rng);  // (4, 4) is a pillar
  EXPECT_EQ(position(env), std::make_pair(int64_t{4}, int64_t{5}));
  EXPECT_EQ(out.reward.item<float>(), -0.5f);
  EXPECT_EQ(out.observation[0][GridMazeEnvironment::reward_input()].item<float>(), -0.5f);
  EXPECT_EQ(out.observation[0][GridMazeEnvironment::action_input() + kLeft].item<float>(), 1.f);
  for (int i = 0; i < 3; ++i) env.step(one_action(kUp), rng);
  for (int i = 0; i < 4; ++i) out = env.step(one_action(kLeft), rng);
  ASSERT_EQ(position(env), std::make_pair(int64_t{1}, int64_t{1}));
  // Top-left corner: border above and to the left, pillar at (2, 2).
  EXPECT_TRUE(torch::equal(out.observation[0].slice(0, 0, 9),
                           torch::tensor({1.f, 1.f, 1.f, 1.f, 0.f, 0.f, 1.f, 0.f, 1.f})));
  out = env.step(one_action(kUp), rng);  // border
  EXPECT_EQ(position(env), std::make_pair(int64_t{1}, int64_t{1}));
  EXPECT_EQ(out.reward.item<float>(), -0.5f);
  out = env.step(one_action(kRight), rng);
  EXPECT_EQ(position(env), std::make_pair(int64_t{1}, int64_t{2}));
  EXPECT_TRUE(torch::equal(out.observation[0].slice(0, 0, 9),
                           torch::tensor({1.f, 1.f, 1.f, 0.f, 0.f, 0.f, 0.f, 1.f, 0.f})));
  EXPECT_EQ(env.time_step(), 11);
  EXPECT_FLOAT_EQ(out.observation[0][GridMazeEnvironment::time_input()].item<float>(), 0.055f);
}

TEST(GridMazeEnvironment, ReachingTheRewardPaysAndTeleports) {
  GridMazeEnvironment env;
  std::mt19937_64 rng(12);
  env.reset(1, rng);
  for (int visit = 0; visit < 3; ++visit) {
    const auto goal = reward_cell(env);
    const std::vector<int64_t> path = shortest_path(env, position(env), goal);
    ASSERT_FALSE(path.empty());
    EnvironmentStep out;
    for (size_t i = 0; i < path.size(); ++i) {
      out = env.step(one_action(path[i]), rng);
      if (i + 1 < path.size()) {
        EXPECT_EQ(out.reward.item<float>(), 0.f);
      }
    }
    EXPECT_EQ(out.reward.item<float>(), 10.f);
    const auto now = position(env);
    EXPECT_NE(now, goal);
    EXPECT_FALSE(env.wall(now.first, now.second));
    EXPECT_EQ(reward_cell(env), goal);  // the reward stays put for the whole episode
    // The observation of the rewarded step already shows the new place.
    EXPECT_TRUE(
        torch::equal(out.observation[0].slice(0, 0, 9), view_at(env, now.first, now.second)));
    EXPECT_EQ(out.observation[0][GridMazeEnvironment::reward_input()].item<float>(), 10.f);
  }
}

TEST(GridMazeEnvironment, ViewMatchesTheLayoutAlongARandomWalk) {
  GridMazeEnvironment env(GridMazeOptions().size(13).wall_penalty(0.1));
  std::mt19937_64 rng(6);
  std::mt19937_64 policy(7);
  torch::Tensor obs = env.reset(5, rng);
  double total = 0;
  for (int64_t t = 0; t < env.episode_length(); ++t) {
    for (int64_t b = 0; b < 5; ++b) {
      const auto p = position(env, b);
      ASSERT_FALSE(env.wall(p.first, p.second));
      ASSERT_TRUE(torch::equal(obs[b].slice(0, 0, 9), view_at(env, p.first, p.second)));
      ASSERT_EQ(obs[b][9].item<float>(), 0.f);
      ASSERT_EQ(obs[b][GridMazeEnvironment::bias_input()].item<float>(), 1.f);
      ASSERT_EQ(obs[b].slice(0, 13, 17).sum().item<float>(), 1.f);
    }
    std::vector<int64_t> actions(5);
    for (auto& a : actions) a = uniform_index(policy, 4);
    const auto before = env.positions();
    const EnvironmentStep out = env.step(torch::tensor(actions, torch::kLong), rng);
    for (int64_t b = 0; b < 5; ++b) {
      const float r = out.reward[b].item<float>();
      EXPECT_TRUE(r == 0.f || r == -0.1f || r == 10.f) << r;
      if (r == -0.1f) {
        EXPECT_TRUE(torch::equal(before[b], env.positions()[b]));
      }
      total += r;
    }
    obs = out.observation;
  }
  EXPECT_NE(total, 0.0);
}

TEST(GridMazeEnvironment, RejectsBadActionsAndSteppingPastTheEnd) {
  GridMazeEnvironment env(GridMazeOptions().episode_length(2));
  std::mt19937_64 rng(1);
  env.reset(1, rng);
  EXPECT_THROW(env.step(one_action(4), rng), c10::Error);
  EXPECT_THROW(env.step(one_action(-1), rng), c10::Error);
  env.step(one_action(kDown), rng);
  env.step(one_action(kDown), rng);
  EXPECT_THROW(env.step(one_action(kDown), rng), c10::Error);
}

TEST(GridMazeEnvironment, SameSeedSameEpisodeOtherSeedOther) {
  const auto run = [](uint64_t seed) {
    GridMazeEnvironment env;
    std::mt19937_64 rng(seed);
    std::mt19937_64 policy(1);
    std::vector<torch::Tensor> seen{env.reset(8, rng).flatten(),
                                    env.reward_positions().flatten().to(torch::kFloat)};
    for (int64_t t = 0; t < env.episode_length(); ++t) {
      std::vector<int64_t> actions(8);
      for (auto& a : actions) a = uniform_index(policy, 4);
      const EnvironmentStep out = env.step(torch::tensor(actions, torch::kLong), rng);
      seen.push_back(out.observation.flatten());
      seen.push_back(out.reward);
    }
    return torch::cat(seen);
  };
  EXPECT_TRUE(torch::equal(run(3), run(3)));
  EXPECT_FALSE(torch::equal(run(3), run(4)));
}

TEST(GridMazeEnvironment, SaveAndLoadMidEpisodeContinuesIdentically) {
  const GridMazeOptions options = GridMazeOptions().wall_penalty(0.25);
  GridMazeEnvironment env(options);
  std::mt19937_64 rng(30);
  std::mt19937_64 policy(31);
  const auto act = [](std::mt19937_64& p) {
    std::vector<int64_t> actions(6);
    for (auto& a : actions) a = uniform_index(p, 4);
    return torch::tensor(actions, torch::kLong);
  };
  env.reset(6, rng);
  for (int64_t t = 0; t < 77; ++t) env.step(act(policy), rng);
  const std::string state = env.save_state();
  std::mt19937_64 rng_copy = rng;
  std::mt19937_64 policy_copy = policy;
  GridMazeEnvironment resumed(options);
  resumed.load_state(state);
  EXPECT_EQ(resumed.save_state(), state);
  EXPECT_TRUE(torch::equal(resumed.observation(), env.observation()));
  EXPECT_TRUE(torch::equal(resumed.reward_positions(), env.reward_positions()));
  for (int64_t t = 77; t < options.episode_length(); ++t) {
    const EnvironmentStep a = env.step(act(policy), rng);
    const EnvironmentStep b = resumed.step(act(policy_copy), rng_copy);
    ASSERT_TRUE(torch::equal(a.observation, b.observation)) << "t = " << t;
    ASSERT_TRUE(torch::equal(a.reward, b.reward)) << "t = " << t;
  }
  EXPECT_EQ(rng(), rng_copy());
  // A state from another maze size, or a broken one, is refused and changes nothing.
  GridMazeEnvironment other(GridMazeOptions().size(13).wall_penalty(0.25));
  EXPECT_THROW(other.load_state(state), c10::Error);
  const std::string now = resumed.save_state();
  EXPECT_THROW(resumed.load_state(state.substr(0, state.size() / 2)), c10::Error);
  EXPECT_EQ(resumed.save_state(), now);
}

}  // namespace
}  // namespace neuromod
