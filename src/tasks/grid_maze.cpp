#include "neuromod/tasks/grid_maze.h"

#include <iomanip>
#include <sstream>

#include <torch/torch.h>

namespace neuromod {
namespace {

constexpr const char* kStateTag = "neuromod.grid_maze.v1";

// Row and column offsets of MazeAction up, down, left, right.
constexpr int64_t kRowStep[4] = {-1, 1, 0, 0};
constexpr int64_t kColStep[4] = {0, 0, -1, 1};

template <class T>
T read_value(std::istringstream& in, const char* what) {
  T value{};
  in >> value;
  TORCH_CHECK(!in.fail(), "GridMazeEnvironment::load_state: could not read ", what);
  return value;
}

void expect_word(std::istringstream& in, const std::string& word) {
  std::string got;
  in >> got;
  TORCH_CHECK(got == word, "GridMazeEnvironment::load_state: expected \"", word, "\", got \"", got,
              "\"");
}

}  // namespace

GridMazeEnvironment::GridMazeEnvironment(GridMazeOptions options) : options_(std::move(options)) {
  const int64_t size = options_.size();
  TORCH_CHECK(size >= 5 && size % 2 == 1, "GridMazeOptions: size must be odd and >= 5, got ", size);
  TORCH_CHECK(options_.episode_length() >= 1, "GridMazeOptions: episode_length must be >= 1, got ",
              options_.episode_length());
  TORCH_CHECK(options_.wall_penalty() >= 0.0, "GridMazeOptions: wall_penalty must be >= 0, got ",
              options_.wall_penalty());
  walls_.assign(static_cast<size_t>(size * size), 0);
  for (int64_t r = 0; r < size; ++r) {
    for (int64_t c = 0; c < size; ++c) {
      const bool border = r == 0 || c == 0 || r == size - 1 || c == size - 1;
      walls_[static_cast<size_t>(r * size + c)] = border || (r % 2 == 0 && c % 2 == 0);
    }
  }
  walls_[static_cast<size_t>(centre() * size + centre())] = 0;
}

bool GridMazeEnvironment::wall(int64_t row, int64_t col) const {
  const int64_t size = options_.size();
  if (row < 0 || col < 0 || row >= size || col >= size) return true;
  return walls_[static_cast<size_t>(row * size + col)] != 0;
}

GridMazeEnvironment::Cell GridMazeEnvironment::draw_cell(std::mt19937_64& rng,
                                                         Cell excluded) const {
  const int64_t interior = options_.size() - 2;
  for (;;) {
    const int64_t row = 1 + uniform_index(rng, interior);
    const int64_t col = 1 + uniform_index(rng, interior);
    if (!wall(row, col) && !(row == excluded.row && col == excluded.col)) return {row, col};
  }
}

torch::Tensor GridMazeEnvironment::reset(int64_t batch, std::mt19937_64& rng) {
  TORCH_CHECK(batch >= 1, "GridMazeEnvironment::reset: batch must be >= 1, got ", batch);
  batch_ = batch;
  time_ = 0;
  agent_.assign(index(batch), Cell{centre(), centre()});
  reward_cell_.resize(index(batch));
  for (int64_t b = 0; b < batch; ++b) reward_cell_[index(b)] = draw_cell(rng, agent_[index(b)]);
  previous_action_.assign(index(batch), 0);  // the reference starts with action 0 one-hot
  previous_reward_.assign(index(batch), 0.0f);
  return observation();
}

EnvironmentStep GridMazeEnvironment::step(const torch::Tensor& actions, std::mt19937_64& rng) {
  TORCH_CHECK(batch_ > 0, "GridMazeEnvironment::step: call reset() first");
  TORCH_CHECK(time_ < options_.episode_length(), "GridMazeEnvironment::step: the episode is over (",
              options_.episode_length(), " steps); call reset()");
  TORCH_CHECK(
      actions.dim() == 1 && actions.size(0) == batch_ && actions.scalar_type() == torch::kLong,
      "GridMazeEnvironment::step: actions must be (", batch_, ") int64, got ", actions.sizes(), " ",
      actions.scalar_type());
  const torch::Tensor chosen = actions.to(torch::kCPU).contiguous();
  const int64_t* action = chosen.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch_; ++b) {
    TORCH_CHECK(action[b] >= 0 && action[b] < 4, "GridMazeEnvironment::step: action of episode ", b,
                " must be in [0, 4), got ", action[b]);
  }

  torch::Tensor reward = torch::empty({batch_}, torch::kFloat);
  float* out = reward.data_ptr<float>();
  for (int64_t b = 0; b < batch_; ++b) {
    Cell& agent = agent_[index(b)];
    const Cell& goal = reward_cell_[index(b)];
    const Cell target{agent.row + kRowStep[action[b]], agent.col + kColStep[action[b]]};
    double r = 0.0;
    if (wall(target.row, target.col)) {
      r -= options_.wall_penalty();
    } else {
      agent = target;
    }
    if (agent.row == goal.row && agent.col == goal.col) {
      r += options_.reward();
      agent = draw_cell(rng, goal);
    }
    out[b] = static_cast<float>(r);
    previous_reward_[index(b)] = out[b];
    previous_action_[index(b)] = action[b];
  }
  ++time_;
  return {observation(), reward};
}

torch::Tensor GridMazeEnvironment::observation() const {
  TORCH_CHECK(batch_ > 0, "GridMazeEnvironment::observation: call reset() first");
  const int64_t size = observation_size();
  const int64_t half = kViewSize / 2;
  const auto time = static_cast<float>(static_cast<double>(time_) /
                                       static_cast<double>(options_.episode_length()));
  torch::Tensor obs = torch::zeros({batch_, size}, torch::kFloat);
  float* row = obs.data_ptr<float>();
  for (int64_t b = 0; b < batch_; ++b, row += size) {
    const Cell& agent = agent_[index(b)];
    for (int64_t dr = -half; dr <= half; ++dr) {
      for (int64_t dc = -half; dc <= half; ++dc) {
        row[(dr + half) * kViewSize + dc + half] =
            wall(agent.row + dr, agent.col + dc) ? 1.0f : 0.0f;
      }
    }
    row[bias_input()] = 1.0f;
    row[time_input()] = time;
    row[reward_input()] = previous_reward_[index(b)];
    row[action_input() + previous_action_[index(b)]] = 1.0f;
  }
  return obs;
}

torch::Tensor GridMazeEnvironment::walls() const {
  torch::Tensor layout = torch::empty({options_.size(), options_.size()}, torch::kFloat);
  std::copy(walls_.begin(), walls_.end(), layout.data_ptr<float>());
  return layout;
}

torch::Tensor GridMazeEnvironment::positions() const {
  torch::Tensor cells = torch::empty({batch_, 2}, torch::kLong);
  int64_t* out = cells.data_ptr<int64_t>();
  for (const Cell& cell : agent_) {
    *out++ = cell.row;
    *out++ = cell.col;
  }
  return cells;
}

torch::Tensor GridMazeEnvironment::reward_positions() const {
  torch::Tensor cells = torch::empty({batch_, 2}, torch::kLong);
  int64_t* out = cells.data_ptr<int64_t>();
  for (const Cell& cell : reward_cell_) {
    *out++ = cell.row;
    *out++ = cell.col;
  }
  return cells;
}

// Layout: tag, options, "batch B time t", then per episode: agent row and column, reward row and
// column, previous action, previous reward.
std::string GridMazeEnvironment::save_state() const {
  std::ostringstream out;
  out << std::setprecision(17);
  out << kStateTag << "\nsize " << options_.size() << " episode_length "
      << options_.episode_length() << " reward " << options_.reward() << " wall_penalty "
      << options_.wall_penalty() << "\nbatch " << batch_ << " time " << time_ << '\n';
  for (int64_t b = 0; b < batch_; ++b) {
    const Cell& agent = agent_[index(b)];
    const Cell& goal = reward_cell_[index(b)];
    out << agent.row << ' ' << agent.col << ' ' << goal.row << ' ' << goal.col << ' '
        << previous_action_[index(b)] << ' ' << static_cast<double>(previous_reward_[index(b)])
        << '\n';
  }
  return out.str();
}

void GridMazeEnvironment::load_state(const std::string& state) {
  std::istringstream in(state);
  expect_word(in, kStateTag);
  const auto check_option = [&](const char* name, double expected) {
    expect_word(in, name);
    const auto saved = read_value<double>(in, name);
    TORCH_CHECK(saved == expected, "GridMazeEnvironment::load_state: the state was saved with ",
                name, " = ", saved, ", this environment has ", expected);
  };
  check_option("size", static_cast<double>(options_.size()));
  check_option("episode_length", static_cast<double>(options_.episode_length()));
  check_option("reward", options_.reward());
  check_option("wall_penalty", options_.wall_penalty());
  expect_word(in, "batch");
  const auto batch = read_value<int64_t>(in, "batch");
  expect_word(in, "time");
  const auto time = read_value<int64_t>(in, "time");
  TORCH_CHECK(batch >= 0 && time >= 0 && time <= options_.episode_length(),
              "GridMazeEnvironment::load_state: bad batch ", batch, " or time ", time);

  std::vector<Cell> agent(index(batch));
  std::vector<Cell> goal(index(batch));
  std::vector<int64_t> previous_action(index(batch));
  std::vector<float> previous_reward(index(batch));
  for (int64_t b = 0; b < batch; ++b) {
    Cell& a = agent[index(b)];
    Cell& g = goal[index(b)];
    a.row = read_value<int64_t>(in, "agent row");
    a.col = read_value<int64_t>(in, "agent column");
    g.row = read_value<int64_t>(in, "reward row");
    g.col = read_value<int64_t>(in, "reward column");
    previous_action[index(b)] = read_value<int64_t>(in, "previous action");
    previous_reward[index(b)] = static_cast<float>(read_value<double>(in, "previous reward"));
    TORCH_CHECK(!wall(a.row, a.col) && !wall(g.row, g.col) && !(a.row == g.row && a.col == g.col) &&
                    previous_action[index(b)] >= 0 && previous_action[index(b)] < 4,
                "GridMazeEnvironment::load_state: episode ", b, " has bad values (agent (", a.row,
                ", ", a.col, "), reward (", g.row, ", ", g.col, "), previous action ",
                previous_action[index(b)], ")");
  }
  batch_ = batch;
  time_ = time;
  agent_ = std::move(agent);
  reward_cell_ = std::move(goal);
  previous_action_ = std::move(previous_action);
  previous_reward_ = std::move(previous_reward);
}

}  // namespace neuromod
