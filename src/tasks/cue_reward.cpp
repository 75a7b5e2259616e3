#include "neuromod/tasks/cue_reward.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include <torch/torch.h>

namespace neuromod {
namespace {

constexpr const char* kStateTag = "neuromod.cue_reward.v1";

// Reads one value of a saved state, naming what was expected when the text runs out or is bad.
template <class T>
T read_value(std::istringstream& in, const char* what) {
  T value{};
  in >> value;
  TORCH_CHECK(!in.fail(), "CueRewardEnvironment::load_state: could not read ", what);
  return value;
}

void expect_word(std::istringstream& in, const std::string& word) {
  std::string got;
  in >> got;
  TORCH_CHECK(got == word, "CueRewardEnvironment::load_state: expected \"", word, "\", got \"", got,
              "\"");
}

}  // namespace

CueRewardEnvironment::CueRewardEnvironment(CueRewardOptions options)
    : options_(std::move(options)) {
  TORCH_CHECK(options_.cues() >= 2, "CueRewardOptions: cues must be >= 2, got ", options_.cues());
  TORCH_CHECK(options_.cue_bits() >= 1, "CueRewardOptions: cue_bits must be >= 1, got ",
              options_.cue_bits());
  TORCH_CHECK(options_.cue_bits() >= 62 || (int64_t{1} << options_.cue_bits()) >= options_.cues(),
              "CueRewardOptions: ", options_.cues(), " distinct cues need cue_bits >= log2(cues), ",
              "got cue_bits ", options_.cue_bits());
  TORCH_CHECK(options_.episode_length() >= 1, "CueRewardOptions: episode_length must be >= 1, got ",
              options_.episode_length());
  TORCH_CHECK(options_.response_cost() >= 0.0, "CueRewardOptions: response_cost must be >= 0, got ",
              options_.response_cost());
  TORCH_CHECK(options_.flip_probability() >= 0.0 && options_.flip_probability() <= 1.0,
              "CueRewardOptions: flip_probability must be in [0, 1], got ",
              options_.flip_probability());
  max_trial_length_ = options_.cues() / 2 + 3 + options_.cues() - 1;
}

torch::Tensor CueRewardEnvironment::reset(int64_t batch, std::mt19937_64& rng) {
  TORCH_CHECK(batch >= 1, "CueRewardEnvironment::reset: batch must be >= 1, got ", batch);
  const int64_t n_cues = options_.cues();
  const int64_t bits = options_.cue_bits();
  batch_ = batch;
  time_ = 0;
  cue_bits_.assign(static_cast<size_t>(batch * n_cues * bits), 0);
  target_.assign(index(batch), 0);
  schedule_.assign(static_cast<size_t>(batch * max_trial_length_), kBlank);
  trial_length_.assign(index(batch), 0);
  trial_step_.assign(index(batch), 0);
  previous_action_.assign(index(batch), -1);
  previous_reward_.assign(index(batch), 0.0f);

  // Cues are redrawn whole until distinct, as the reference does (it matters for tiny cue sizes).
  for (int64_t b = 0; b < batch; ++b) {
    int8_t* episode = cue_bits_.data() + b * n_cues * bits;
    for (int64_t k = 0; k < n_cues; ++k) {
      int8_t* cue = episode + k * bits;
      bool repeated = true;
      while (repeated) {
        for (int64_t j = 0; j < bits; ++j) {
          cue[j] = static_cast<int8_t>(2 * uniform_index(rng, 2) - 1);
        }
        repeated = false;
        for (int64_t earlier = 0; earlier < k && !repeated; ++earlier) {
          repeated = std::equal(cue, cue + bits, episode + earlier * bits);
        }
      }
    }
  }
  for (int64_t b = 0; b < batch; ++b) target_[index(b)] = uniform_index(rng, n_cues);
  for (int64_t b = 0; b < batch; ++b) start_trial(b, rng);
  return observation();
}

void CueRewardEnvironment::start_trial(int64_t b, std::mt19937_64& rng) {
  const int64_t n_cues = options_.cues();
  const int64_t shown = n_cues / 2;
  const int64_t length = shown + 3 + uniform_index(rng, n_cues);
  scratch_.resize(static_cast<size_t>(n_cues));
  for (int64_t k = 0; k < n_cues; ++k) scratch_[static_cast<size_t>(k)] = k;
  shuffle_in_place(scratch_, rng);
  // Middle steps: the first `shown` shuffled cue ids, blanks for the rest, shuffled again.
  scratch_.resize(static_cast<size_t>(length - 3));
  std::fill(scratch_.begin() + shown, scratch_.end(), kBlank);
  shuffle_in_place(scratch_, rng);
  int64_t* schedule = schedule_.data() + b * max_trial_length_;
  schedule[0] = kBlank;
  std::copy(scratch_.begin(), scratch_.end(), schedule + 1);
  schedule[length - 2] = n_cues;  // Go
  schedule[length - 1] = kBlank;
  trial_length_[index(b)] = length;
  trial_step_[index(b)] = 0;
}

bool CueRewardEnvironment::target_in_trial(int64_t b) const {
  const int64_t* schedule = schedule_.data() + b * max_trial_length_;
  return std::find(schedule, schedule + trial_length_[index(b)], target_[index(b)]) !=
         schedule + trial_length_[index(b)];
}

EnvironmentStep CueRewardEnvironment::step(const torch::Tensor& actions, std::mt19937_64& rng) {
  TORCH_CHECK(batch_ > 0, "CueRewardEnvironment::step: call reset() first");
  TORCH_CHECK(time_ < options_.episode_length(),
              "CueRewardEnvironment::step: the episode is over (", options_.episode_length(),
              " steps); call reset()");
  TORCH_CHECK(
      actions.dim() == 1 && actions.size(0) == batch_ && actions.scalar_type() == torch::kLong,
      "CueRewardEnvironment::step: actions must be (", batch_, ") int64, got ", actions.sizes(),
      " ", actions.scalar_type());
  const torch::Tensor chosen = actions.to(torch::kCPU).contiguous();
  const int64_t* action = chosen.data_ptr<int64_t>();
  for (int64_t b = 0; b < batch_; ++b) {
    TORCH_CHECK(action[b] == 0 || action[b] == 1, "CueRewardEnvironment::step: action of episode ",
                b, " must be 0 or 1, got ", action[b]);
  }

  torch::Tensor reward = torch::empty({batch_}, torch::kFloat);
  float* out = reward.data_ptr<float>();
  for (int64_t b = 0; b < batch_; ++b) {
    double r = action[b] == 1 ? -options_.response_cost() : 0.0;
    const int64_t next = ++trial_step_[index(b)];
    if (next == trial_length_[index(b)] - 1) {  // the step just answered was the Go step
      const bool correct = target_in_trial(b) == (action[b] == 1);
      r += correct ? options_.reward() : -options_.reward();
      if (options_.flip_probability() > 0.0 && uniform_unit(rng) < options_.flip_probability()) {
        r = -r;
      }
    }
    out[b] = static_cast<float>(r);
    previous_reward_[index(b)] = out[b];
    previous_action_[index(b)] = action[b];
  }
  ++time_;
  if (time_ < options_.episode_length()) {
    for (int64_t b = 0; b < batch_; ++b) {
      if (trial_step_[index(b)] == trial_length_[index(b)]) start_trial(b, rng);
    }
  }
  return {observation(), reward};
}

torch::Tensor CueRewardEnvironment::observation() const {
  TORCH_CHECK(batch_ > 0, "CueRewardEnvironment::observation: call reset() first");
  const int64_t size = observation_size();
  const int64_t bits = options_.cue_bits();
  const bool running = time_ < options_.episode_length();
  torch::Tensor obs = torch::zeros({batch_, size}, torch::kFloat);
  float* row = obs.data_ptr<float>();
  for (int64_t b = 0; b < batch_; ++b, row += size) {
    if (running) {
      const int64_t code = schedule_[static_cast<size_t>(b * max_trial_length_ + trial_step(b))];
      if (code == options_.cues()) {
        row[go_input()] = 1.0f;
      } else if (code != kBlank) {
        const int8_t* cue = cue_bits_.data() + (b * options_.cues() + code) * bits;
        std::copy(cue, cue + bits, row);
      }
    }
    row[bias_input()] = 1.0f;
    row[time_input()] = static_cast<float>(static_cast<double>(time_) /
                                           static_cast<double>(options_.episode_length()));
    row[reward_input()] = previous_reward_[index(b)];
    if (previous_action_[index(b)] >= 0) row[action_input() + previous_action_[index(b)]] = 1.0f;
  }
  return obs;
}

torch::Tensor CueRewardEnvironment::cue_patterns() const {
  torch::Tensor cues = torch::empty({batch_, options_.cues(), options_.cue_bits()}, torch::kFloat);
  std::copy(cue_bits_.begin(), cue_bits_.end(), cues.data_ptr<float>());
  return cues;
}

torch::Tensor CueRewardEnvironment::targets() const {
  torch::Tensor targets = torch::empty({batch_}, torch::kLong);
  std::copy(target_.begin(), target_.end(), targets.data_ptr<int64_t>());
  return targets;
}

std::vector<int64_t> CueRewardEnvironment::trial(int64_t b) const {
  TORCH_CHECK(b >= 0 && b < batch_, "CueRewardEnvironment::trial: episode ", b,
              " out of range [0, ", batch_, ")");
  const auto first = schedule_.begin() + b * max_trial_length_;
  return {first, first + trial_length_[index(b)]};
}

// Layout: tag, options, then "batch B time t", then per episode: target, trial length, trial
// step, previous action, previous reward, the trial schedule, and the cue bits as 0/1 strings.
std::string CueRewardEnvironment::save_state() const {
  std::ostringstream out;
  out << std::setprecision(17);
  out << kStateTag << "\ncues " << options_.cues() << " cue_bits " << options_.cue_bits()
      << " episode_length " << options_.episode_length() << " reward " << options_.reward()
      << " response_cost " << options_.response_cost() << " flip_probability "
      << options_.flip_probability() << "\nbatch " << batch_ << " time " << time_ << '\n';
  const int64_t bits = options_.cue_bits();
  for (int64_t b = 0; b < batch_; ++b) {
    out << target_[index(b)] << ' ' << trial_length_[index(b)] << ' ' << trial_step_[index(b)]
        << ' ' << previous_action_[index(b)] << ' '
        << static_cast<double>(previous_reward_[index(b)]);
    for (int64_t s = 0; s < trial_length_[index(b)]; ++s) {
      out << ' ' << schedule_[static_cast<size_t>(b * max_trial_length_ + s)];
    }
    for (int64_t k = 0; k < options_.cues(); ++k) {
      out << ' ';
      const int8_t* cue = cue_bits_.data() + (b * options_.cues() + k) * bits;
      for (int64_t j = 0; j < bits; ++j) out << (cue[j] > 0 ? '1' : '0');
    }
    out << '\n';
  }
  return out.str();
}

void CueRewardEnvironment::load_state(const std::string& state) {
  std::istringstream in(state);
  expect_word(in, kStateTag);
  const auto check_option = [&](const char* name, double expected) {
    expect_word(in, name);
    const auto saved = read_value<double>(in, name);
    TORCH_CHECK(saved == expected, "CueRewardEnvironment::load_state: the state was saved with ",
                name, " = ", saved, ", this environment has ", expected);
  };
  check_option("cues", static_cast<double>(options_.cues()));
  check_option("cue_bits", static_cast<double>(options_.cue_bits()));
  check_option("episode_length", static_cast<double>(options_.episode_length()));
  check_option("reward", options_.reward());
  check_option("response_cost", options_.response_cost());
  check_option("flip_probability", options_.flip_probability());
  expect_word(in, "batch");
  const auto batch = read_value<int64_t>(in, "batch");
  expect_word(in, "time");
  const auto time = read_value<int64_t>(in, "time");
  TORCH_CHECK(batch >= 0 && time >= 0 && time <= options_.episode_length(),
              "CueRewardEnvironment::load_state: bad batch ", batch, " or time ", time);

  // Parse into a copy, then commit, so that a bad state leaves this environment untouched.
  CueRewardEnvironment loaded(options_);
  const int64_t n_cues = options_.cues();
  const int64_t bits = options_.cue_bits();
  loaded.batch_ = batch;
  loaded.time_ = time;
  loaded.cue_bits_.assign(static_cast<size_t>(batch * n_cues * bits), 0);
  loaded.target_.assign(index(batch), 0);
  loaded.schedule_.assign(static_cast<size_t>(batch * max_trial_length_), kBlank);
  loaded.trial_length_.assign(index(batch), 0);
  loaded.trial_step_.assign(index(batch), 0);
  loaded.previous_action_.assign(index(batch), -1);
  loaded.previous_reward_.assign(index(batch), 0.0f);
  const int64_t min_length = n_cues / 2 + 3;
  for (int64_t b = 0; b < batch; ++b) {
    const auto target = read_value<int64_t>(in, "target");
    const auto length = read_value<int64_t>(in, "trial length");
    const auto step = read_value<int64_t>(in, "trial step");
    const auto action = read_value<int64_t>(in, "previous action");
    const auto reward = read_value<double>(in, "previous reward");
    // A trial that has ended is replaced at once while the episode runs.
    const int64_t max_step = time < options_.episode_length() ? length - 1 : length;
    TORCH_CHECK(
        target >= 0 && target < n_cues && length >= min_length && length <= max_trial_length_ &&
            step >= 0 && step <= max_step && action >= -1 && action <= 1,
        "CueRewardEnvironment::load_state: episode ", b, " has bad values (target ", target,
        ", trial length ", length, ", trial step ", step, ", previous action ", action, ")");
    loaded.target_[index(b)] = target;
    loaded.trial_length_[index(b)] = length;
    loaded.trial_step_[index(b)] = step;
    loaded.previous_action_[index(b)] = action;
    loaded.previous_reward_[index(b)] = static_cast<float>(reward);
    for (int64_t s = 0; s < length; ++s) {
      const auto code = read_value<int64_t>(in, "trial schedule");
      TORCH_CHECK(code >= kBlank && code <= n_cues, "CueRewardEnvironment::load_state: episode ", b,
                  " has a bad schedule code ", code);
      loaded.schedule_[static_cast<size_t>(b * max_trial_length_ + s)] = code;
    }
    for (int64_t k = 0; k < n_cues; ++k) {
      const auto cue = read_value<std::string>(in, "cue bits");
      TORCH_CHECK(static_cast<int64_t>(cue.size()) == bits &&
                      cue.find_first_not_of("01") == std::string::npos,
                  "CueRewardEnvironment::load_state: episode ", b, " cue ", k, " must be ", bits,
                  " characters 0/1, got \"", cue, "\"");
      for (int64_t j = 0; j < bits; ++j) {
        loaded.cue_bits_[static_cast<size_t>((b * n_cues + k) * bits + j)] =
            cue[static_cast<size_t>(j)] == '1' ? 1 : -1;
      }
    }
  }
  *this = std::move(loaded);
}

}  // namespace neuromod
