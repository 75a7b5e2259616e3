#include "neuromod/learning/actor_critic_experiment.h"

#include "neuromod/learning/experiment_archive.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "neuromod/learning/optimizer.h"
#include "neuromod/learning/parameter_groups.h"
#include "neuromod/record/names.h"
#include "neuromod/record/recorder.h"

namespace neuromod {

namespace functional {

torch::Tensor discounted_returns(const torch::Tensor& rewards, const torch::Tensor& discounts) {
  TORCH_CHECK(rewards.dim() == 2, "discounted_returns: rewards must be (T, B), got ",
              rewards.sizes());
  const int64_t length = rewards.size(0);
  if (length == 0) return torch::zeros_like(rewards);
  torch::Tensor gamma = discounts.to(rewards.scalar_type());
  if (gamma.dim() == 1) gamma = gamma.unsqueeze(1);  // (T) → (T, 1)
  gamma = gamma.expand_as(rewards);
  std::vector<torch::Tensor> returns(static_cast<std::size_t>(length));
  torch::Tensor next = torch::zeros_like(rewards[0]);
  for (int64_t t = length - 1; t >= 0; --t) {
    next = rewards[t] + gamma[t] * next;
    returns[static_cast<std::size_t>(t)] = next;
  }
  return torch::stack(returns);
}

torch::Tensor discounted_returns(const torch::Tensor& rewards, double gamma) {
  return discounted_returns(rewards, torch::tensor(gamma, torch::kFloat64));
}

A2CLoss a2c_loss(const torch::Tensor& log_probs, const torch::Tensor& actions,
                 const torch::Tensor& values, const torch::Tensor& returns,
                 double value_coefficient, double entropy_coefficient) {
  TORCH_CHECK(log_probs.dim() == 3, "a2c_loss: log_probs must be (T, B, A), got ",
              log_probs.sizes());
  const auto steps = log_probs.sizes().slice(0, 2);
  TORCH_CHECK(actions.sizes() == steps && values.sizes() == steps && returns.sizes() == steps,
              "a2c_loss: actions, values and returns must be (T, B) = ", steps, ", got ",
              actions.sizes(), ", ", values.sizes(), ", ", returns.sizes());
  const double count = static_cast<double>(log_probs.size(0) * log_probs.size(1));
  const torch::Tensor chosen = log_probs.gather(2, actions.unsqueeze(2)).squeeze(2);
  // The return is a constant target: only the critic term sends gradient into V.
  const torch::Tensor advantages = returns.detach() - values;
  A2CLoss loss;
  loss.policy = -(chosen * advantages.detach()).sum() / count;
  loss.value = advantages.pow(2).sum() / count;
  loss.concentration = log_probs.exp().pow(2).sum() / count;
  loss.total =
      loss.policy + value_coefficient * loss.value + entropy_coefficient * loss.concentration;
  return loss;
}

torch::Tensor sample_actions(const torch::Tensor& probabilities, std::mt19937_64& rng) {
  TORCH_CHECK(probabilities.dim() == 2, "sample_actions: probabilities must be (B, A), got ",
              probabilities.sizes());
  const torch::Tensor p = probabilities.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const auto rows = p.accessor<double, 2>();
  const int64_t batch = p.size(0);
  const int64_t count = p.size(1);
  torch::Tensor actions = torch::empty({batch}, torch::kInt64);
  auto chosen = actions.accessor<int64_t, 1>();
  for (int64_t b = 0; b < batch; ++b) {
    const double u = uniform_unit(rng);
    double cumulative = 0.0;
    int64_t action = count - 1;
    for (int64_t a = 0; a < count; ++a) {
      cumulative += rows[b][a];
      if (u < cumulative) {
        action = a;
        break;
      }
    }
    chosen[b] = action;
  }
  return actions;
}

}  // namespace functional

namespace {

// Independent generator streams from one seed (SplitMix64 of seed and stream), so that the
// episodes, the actions and the evaluation never share draws.
enum class Stream : uint64_t {
  environment = 1,
  actions,
  evaluation_environment,
  evaluation_actions
};

uint64_t stream_seed(int64_t seed, Stream stream) {
  uint64_t z = static_cast<uint64_t>(seed) + 0x9E3779B97F4A7C15ull * static_cast<uint64_t>(stream);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

const LayerOptions* find_layer(const ModulatedNetworkImpl& model, const std::string& name) {
  for (const auto& layer : model.layers()) {
    if (layer.name == name) return &layer;
  }
  return nullptr;
}

void check_layer(const ModulatedNetworkImpl& model, const std::string& key, const std::string& name,
                 int64_t size, const std::string& expected) {
  const LayerOptions* layer = find_layer(model, name);
  if (layer == nullptr) {
    throw std::invalid_argument("learning." + key + ": no layer named \"" + name + "\"");
  }
  if (layer->size != size) {
    throw std::invalid_argument("learning." + key + ": layer \"" + name + "\" has " +
                                std::to_string(layer->size) + " units, expected " +
                                std::to_string(size) + " (" + expected + ")");
  }
}

void check_options(const ActorCriticOptions& options) {
  const auto fail = [](const std::string& key, double value, const std::string& expected) {
    std::ostringstream message;
    message << "learning." << key << ": must be " << expected << ", got " << value;
    throw std::invalid_argument(message.str());
  };
  if (!(options.gamma >= 0.0 && options.gamma <= 1.0)) fail("gamma", options.gamma, "in [0, 1]");
  if (!(options.value_coefficient >= 0.0)) {
    fail("value_coefficient", options.value_coefficient, ">= 0");
  }
  if (!(options.entropy_coefficient >= 0.0)) {
    fail("entropy_coefficient", options.entropy_coefficient, ">= 0");
  }
  if (options.batch < 1) fail("batch", static_cast<double>(options.batch), ">= 1");
  if (options.burn_in < 0) fail("burn_in", static_cast<double>(options.burn_in), ">= 0");
}

}  // namespace

ActorCriticExperiment::ActorCriticExperiment(std::unique_ptr<Environment> environment,
                                             ModulatedNetwork model, LearningOptions learning,
                                             ActorCriticOptions options, int64_t seed)
    : environment_(std::move(environment)),
      model_(std::move(model)),
      learning_(learning),
      options_(std::move(options)),
      seed_(seed),
      environment_rng_(stream_seed(seed, Stream::environment)),
      action_rng_(stream_seed(seed, Stream::actions)) {
  TORCH_CHECK(environment_ != nullptr, "ActorCriticExperiment: no environment");
  check_options(options_);
  check_layer(*model_, "policy_layer", options_.policy_layer, environment_->action_count(),
              "the task's action count");
  check_layer(*model_, "value_layer", options_.value_layer, 1, "one value per episode");
  for (const auto& modulator : model_->modulation()->options().modulators) {
    reads_td_error_ = reads_td_error_ || modulator.source.kind == SourceKind::rpe;
    reads_prediction_ = reads_prediction_ || modulator.source.kind == SourceKind::uncertainty;
  }
  replay_unsupported_ = EpisodeReplay::unsupported(*model_);
  auto grouped = layer_parameter_groups(*model_);
  group_layers_ = std::move(grouped.layers);
  optimizer_ = make_optimizer(learning_, std::move(grouped.groups));
}

std::vector<std::string> ActorCriticExperiment::notes() const {
  if (replay_unsupported_.empty()) {
    return {
        "training episodes: played without a graph, then replayed as one operation "
        "(fused: auto; fused: step keeps a graph per step)"};
  }
  return {"training episodes: a graph per step (no episode replay: " + replay_unsupported_ + ")"};
}

std::vector<std::string> ActorCriticExperiment::metric_names() const {
  return {"loss", "reward", "test_reward"};
}

ActorCriticExperiment::Episodes ActorCriticExperiment::run_episodes(
    int64_t training_step, std::mt19937_64& environment_rng, std::mt19937_64& action_rng,
    int64_t record_step, EpisodeReplay* replay) {
  const int64_t batch = options_.batch;
  const int64_t length = environment_->episode_length();
  torch::Tensor observation = environment_->reset(batch, environment_rng);
  NetworkState state = model_->initial_state(batch, training_step);
  torch::Tensor reward = torch::zeros({batch});
  torch::Tensor previous_value;  // V(s_{t-1}), detached, for the TD error signal
  double previous_discount = options_.gamma;
  std::vector<torch::Tensor> log_probs, actions, values, rewards;
  std::vector<double> discounts;
  for (int64_t t = 0; t < length; ++t) {
    SourceSignals signals;
    signals.reward = reward;  // the previous step's, as the agent also sees it in its input
    signals.loss = last_loss_;
    signals.time_step = t;
    signals.training_step = training_step;
    // Dopamine-like sources read the TD error of the transition that has just ended,
    // δ = r(t−1) + γ V(s_t) − V(s_{t−1}) (0 at the first step), and uncertainty sources the
    // policy's probabilities; both need this step's outputs.
    // Only formed when a source reads them: a few small ops per step otherwise thrown away.
    const auto after_layers = [&](SourceSignals& late,
                                  const std::map<std::string, torch::Tensor>& outputs) {
      if (reads_td_error_) {
        const torch::Tensor value = outputs.at(options_.value_layer).select(1, 0).detach();
        late.td_error = previous_value.defined()
                            ? reward + previous_discount * value - previous_value
                            : torch::zeros_like(value);
      }
      if (reads_prediction_) {
        late.prediction = torch::softmax(outputs.at(options_.policy_layer).detach(), 1);
      }
    };
    if (replay) replay->before_step(t, observation, state);
    NetworkStep result = model_->step(
        observation, state, std::move(signals),
        reads_td_error_ || reads_prediction_ ? AfterLayersHook(after_layers) : nullptr);
    state = std::move(result.state);
    if (replay) replay->after_step(t, state);

    // β and γ of this step come from the levels the step has just reached.
    const LearnerEffects effects = model_->learner_effects(state);
    const torch::Tensor& logits = state.outputs.at(options_.policy_layer);
    const torch::Tensor log_pi = torch::log_softmax(
        effects.inverse_temperature ? *effects.inverse_temperature * logits : logits, 1);
    const torch::Tensor action = functional::sample_actions(log_pi.detach().exp(), action_rng);
    EnvironmentStep next = environment_->step(action, environment_rng);

    log_probs.push_back(log_pi);
    actions.push_back(action);
    values.push_back(state.outputs.at(options_.value_layer).select(1, 0));
    rewards.push_back(next.reward);
    discounts.push_back(effects.discount.value_or(options_.gamma));
    if (record_step > 0) {
      auto recorded = model_->recordables(state);
      recorded[names::task_signal("reward")] = next.reward;
      recorded[names::task_signal("action")] = action;
      recorded[names::task_signal("value")] = values.back().detach();
      recorder_->record(record_step, t, recorded);
    }
    previous_value = values.back().detach();
    previous_discount = discounts.back();
    reward = next.reward;
    observation = next.observation;
  }
  return {torch::stack(log_probs),
          torch::stack(actions),
          torch::stack(values),
          torch::stack(rewards),
          torch::tensor(discounts, torch::kFloat64),
          std::move(state)};
}

MetricValues ActorCriticExperiment::train_step(int64_t step) {
  model_->train();
  const bool recording = recorder_ != nullptr && recorder_->records_step(step);
  // Burn-in steps only play: their gradients would be thrown away (see the header).
  const bool learns = step > options_.burn_in;
  Episodes episodes;
  if (learns && replay_unsupported_.empty()) {
    // Played without a graph, then replayed as one operation (models/episode_replay.h); the
    // log-probabilities and values then come from the replay, with the graph. (No learner
    // effects exist in such a network: the inverse temperature is 1.)
    EpisodeReplay replay(*model_, environment_->episode_length(), options_.batch);
    {
      torch::NoGradGuard no_grad;
      episodes =
          run_episodes(step - 1, environment_rng_, action_rng_, recording ? step : 0, &replay);
    }
    const auto outputs = replay.outputs();
    episodes.log_probs = torch::log_softmax(outputs.at(options_.policy_layer), 2);
    episodes.values = outputs.at(options_.value_layer).select(2, 0);
  } else {
    episodes = run_episodes(step - 1, environment_rng_, action_rng_, recording ? step : 0);
  }
  const torch::Tensor returns =
      functional::discounted_returns(episodes.rewards, episodes.discounts);
  const functional::A2CLoss loss =
      functional::a2c_loss(episodes.log_probs, episodes.actions, episodes.values, returns,
                           options_.value_coefficient, options_.entropy_coefficient);

  if (learns) {
    optimizer_->zero_grad();
    loss.total.backward();
    clip_gradients(model_->parameters(), learning_.clip_grad);
    // The episode's last state sets the per-layer step sizes (one optimiser step per episode).
    apply_learning_rates(*optimizer_, group_layers_, learning_.lr,
                         model_->learner_effects(episodes.last_state));
    optimizer_->step();
  }

  const double loss_value = loss.total.item<double>();
  last_loss_ = loss_value;
  steps_done_ = step;
  const double reward = episodes.rewards.to(torch::kFloat64).sum(0).mean().item<double>();
  return {{"loss", loss_value}, {"reward", reward}};
}

MetricValues ActorCriticExperiment::evaluate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  // Sources with memory keep it in buffers; evaluating must not move them, or how often a run
  // evaluates would change how it trains.
  std::vector<torch::Tensor> buffers = model_->buffers();
  std::vector<torch::Tensor> saved;
  for (const auto& buffer : buffers) saved.push_back(buffer.clone());
  std::mt19937_64 environment_rng(stream_seed(seed_, Stream::evaluation_environment));
  std::mt19937_64 action_rng(stream_seed(seed_, Stream::evaluation_actions));
  const Episodes episodes = run_episodes(steps_done_, environment_rng, action_rng);
  for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
  const double reward = episodes.rewards.to(torch::kFloat64).sum(0).mean().item<double>();
  return {{"test_reward", reward}};
}

void ActorCriticExperiment::save(torch::serialize::OutputArchive& archive) {
  write_model_and_optimizer(archive, *model_, *optimizer_);
  write_generator(archive, "rng.environment", environment_rng_);
  write_generator(archive, "rng.actions", action_rng_);
  archive.write("last_loss", torch::tensor(last_loss_.value_or(NAN), torch::kFloat64));
  archive.write("steps_done", torch::tensor(steps_done_));
}

void ActorCriticExperiment::load(torch::serialize::InputArchive& archive) {
  torch::Tensor last_loss, steps_done;
  archive.read("last_loss", last_loss);
  archive.read("steps_done", steps_done);
  // Everything is read before anything changes, so a bad archive leaves this object as it was
  // (up to the model and optimiser, which LibTorch loads in place).
  const auto environment_rng = read_generator(archive, "rng.environment");
  const auto action_rng = read_generator(archive, "rng.actions");
  read_model_and_optimizer(archive, *model_, *optimizer_);
  environment_rng_ = environment_rng;
  action_rng_ = action_rng;
  const double value = last_loss.item<double>();
  last_loss_ = std::isnan(value) ? std::nullopt : std::optional<double>(value);
  steps_done_ = steps_done.item<int64_t>();
}

}  // namespace neuromod
