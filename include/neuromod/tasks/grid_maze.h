#pragma once
/// \file
/// Grid maze, the navigation task of Miconi, Clune & Stanley (2018), "Differentiable plasticity:
/// training plastic neural networks with backpropagation", ICML (section 4.5) and of
/// Miconi, Rawal, Clune & Stanley (2019), "Backpropamine", ICLR (section 4.2); reference code
/// uber-research/backpropamine, `simplemaze/maze.py` and `maze/batch.py` (same environment).
///
/// The maze is a `size` × `size` grid (odd `size`), row 0 at the top:
///
///     wall(r, c) = r or c on the border  or  (r even and c even)      ("pillars")
///
/// except the centre (size/2, size/2), which is always free (it would be a pillar when size/2
/// is even, e.g. size 9 or 13). Each episode hides a reward cell, uniform over the free cells
/// other than the centre, and puts the agent on the centre. Four actions:
/// 0 = up (row − 1), 1 = down (row + 1), 2 = left (column − 1), 3 = right (column + 1).
///
/// A step: moving into a wall leaves the agent in place and gives −wall_penalty; otherwise the
/// agent moves. If it is now on the reward cell it gets +reward and is teleported, in the same
/// step, to a uniformly drawn free cell other than the reward cell (the centre is allowed), so
/// the observation returned by that step already shows the new place: the agent never sees the
/// reward cell, only the reward.
///
/// Observation (17 inputs), as the reference builds it:
///
/// | index   | input                                                         |
/// |---------|---------------------------------------------------------------|
/// | 0 .. 8  | 3×3 neighbourhood, row by row from the top-left; 1 = wall     |
/// | 9       | unused, always 0 (the reference leaves this slot empty)       |
/// | 10      | bias, always 1                                                |
/// | 11      | t / episode_length                                            |
/// | 12      | reward of the previous step (0 at t = 0)                      |
/// | 13 .. 16| one-hot previous action; at t = 0 action 0 (up) is set        |
///
/// The last row follows the code, which starts every episode with "previous action 0" set;
/// the cue–reward code instead leaves it empty at t = 0.
///
/// | option           | default | reference        | meaning                                  |
/// |------------------|---------|------------------|------------------------------------------|
/// | `size`           | 11      | `--msize 11`     | side of the maze, odd, >= 5              |
/// | `episode_length` | 200     | `--eplen 200`    | steps per episode                        |
/// | `reward`         | 10      | `--rew 10`       | reward for reaching the reward cell      |
/// | `wall_penalty`   | 0       | `--wp 0`         | cost of bumping into a wall              |
///
/// Defaults are `simplemaze/maze.py`'s; `maze/README.md` runs `--msize 13` (and `maze/batch.py`
/// defaults to msize 9, wp 0.05). Its `--rsp` flag is parsed but never used: the start is always
/// the centre.
///
/// Draws, in order. `reset`: for each episode b, the reward cell by rejection: row
/// `1 + uniform_index(rng, size − 2)`, then column likewise, repeated until the cell is free and
/// not the centre. `step`: for each b that reaches the reward, the new place by the same
/// rejection, repeated until the cell is free and not the reward cell.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <torch/arg.h>
#include <torch/types.h>

#include "neuromod/tasks/environment.h"

namespace neuromod {

/// Size and rewards of the grid maze.
/// Example: `GridMazeOptions().size(13)` — the maze of `maze/README.md`.
struct GridMazeOptions {
  /// Side of the square maze in cells, border included (`msize`; odd, >= 5).
  TORCH_ARG(int64_t, size) = 11;
  /// Steps per episode (`eplen`, >= 1).
  TORCH_ARG(int64_t, episode_length) = 200;
  /// Reward for stepping onto the reward cell (`rew`).
  TORCH_ARG(double, reward) = 10.0;
  /// Cost of a move into a wall (`wp`, >= 0).
  TORCH_ARG(double, wall_penalty) = 0.0;
};

/// The four moves, in the reference's order.
enum class MazeAction : int64_t {
  up = 0,     ///< row − 1
  down = 1,   ///< row + 1
  left = 2,   ///< column − 1
  right = 3,  ///< column + 1
};

/// The grid-maze environment: `B` episodes stepped together (see the file comment).
class GridMazeEnvironment final : public Environment {
 public:
  /// Size of the square neighbourhood the agent sees.
  static constexpr int64_t kViewSize = 3;

  /// Throws c10::Error naming the field when an option is out of range.
  explicit GridMazeEnvironment(GridMazeOptions options = {});

  const GridMazeOptions& options() const { return options_; }

  /// 17: view (9), unused, bias, time, previous reward, previous action (4).
  int64_t observation_size() const override { return kViewSize * kViewSize + 8; }
  /// 4, see MazeAction.
  int64_t action_count() const override { return 4; }
  int64_t episode_length() const override { return options_.episode_length(); }
  /// Draws the reward cells and puts every agent on the centre. (B, 17).
  torch::Tensor reset(int64_t batch, std::mt19937_64& rng) override;
  /// Moves the agents by `actions` (B) int64; rewards (B), next observation (B, 17).
  EnvironmentStep step(const torch::Tensor& actions, std::mt19937_64& rng) override;
  torch::Tensor observation() const override;
  int64_t batch_size() const override { return batch_; }
  int64_t time_step() const override { return time_; }
  std::string save_state() const override;
  void load_state(const std::string& state) override;

  /// Index of the constant bias input.
  static constexpr int64_t bias_input() { return kViewSize * kViewSize + 1; }
  /// Index of the time input t / episode_length.
  static constexpr int64_t time_input() { return kViewSize * kViewSize + 2; }
  /// Index of the previous step's reward.
  static constexpr int64_t reward_input() { return kViewSize * kViewSize + 3; }
  /// Index of the first of the four one-hot previous-action inputs.
  static constexpr int64_t action_input() { return kViewSize * kViewSize + 4; }

  /// Whether cell (row, col) is a wall or pillar; cells outside the grid count as walls.
  bool wall(int64_t row, int64_t col) const;
  /// The centre cell's row (= column), size / 2.
  int64_t centre() const { return options_.size() / 2; }
  /// The whole layout, (size, size) float32, 1 = wall.
  torch::Tensor walls() const;
  /// Agent cells, (B, 2) int64 of (row, column).
  torch::Tensor positions() const;
  /// Reward cells, (B, 2) int64 of (row, column).
  torch::Tensor reward_positions() const;

 private:
  struct Cell {
    int64_t row;
    int64_t col;
  };
  Cell draw_cell(std::mt19937_64& rng, Cell excluded) const;
  size_t index(int64_t b) const { return static_cast<size_t>(b); }

  GridMazeOptions options_;
  std::vector<uint8_t> walls_;  // (size, size), 1 = wall
  int64_t batch_ = 0;
  int64_t time_ = 0;
  std::vector<Cell> agent_;               // (B)
  std::vector<Cell> reward_cell_;         // (B)
  std::vector<int64_t> previous_action_;  // (B)
  std::vector<float> previous_reward_;    // (B)
};

}  // namespace neuromod
