#include "neuromod/models/episode_replay.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "support/network_from_yaml.h"

namespace neuromod {
namespace {

using testing::network_from_yaml;

// Backpropamine's heads on a plastic recurrent layer; `rnn` and `modulation` fill in the layer's
// options and the modulation sections.
std::string agent(const std::string& rnn, const std::string& modulation) {
  return "layers:\n"
         "  - {name: rnn, kind: plastic_recurrent, size: 7, " +
         rnn +
         "}\n"
         "  - {name: policy, kind: linear, from: rnn, size: 3, activation: identity}\n"
         "  - {name: value, kind: linear, from: rnn, size: 1, activation: identity}\n" +
         modulation;
}

const std::string kDopamine =
    "modulators: [{name: DA, tau: 1, range: [-1, 1], source: {kind: learned, reads: rnn, out: "
    "tanh}}]\n";

std::string plasticity_projection(const std::string& receptor, double weight = 1.0) {
  return "projections:\n"
         "  - {modulator: DA, target: rnn.all.synapse, effect: plasticity, weight: " +
         std::to_string(weight) + ", receptor: " + receptor + "}\n";
}

// Every layer's outputs over an episode of random inputs and the gradients of an uneven
// projection of them, step by step with the graph (replay: false) or through EpisodeReplay.
std::vector<torch::Tensor> run(ModulatedNetworkImpl& model, const torch::Tensor& inputs,
                               bool replay) {
  const int64_t steps = inputs.size(0);
  const int64_t batch = inputs.size(1);
  std::map<std::string, torch::Tensor> outputs;
  NetworkState state = model.initial_state(batch);
  const auto signals = [](int64_t t) {
    SourceSignals s;
    s.time_step = t;
    return s;
  };
  if (replay) {
    EpisodeReplay episode(model, steps, batch);
    {
      torch::NoGradGuard no_grad;
      for (int64_t t = 0; t < steps; ++t) {
        episode.before_step(t, inputs[t], state);
        state = model.step(inputs[t], state, signals(t)).state;
        episode.after_step(t, state);
      }
    }
    outputs = episode.outputs();
  } else {
    std::map<std::string, std::vector<torch::Tensor>> steps_out;
    for (int64_t t = 0; t < steps; ++t) {
      state = model.step(inputs[t], state, signals(t)).state;
      for (const auto& [name, output] : state.outputs) steps_out[name].push_back(output);
    }
    for (const auto& [name, list] : steps_out) outputs[name] = torch::stack(list);
  }
  torch::Tensor loss = torch::zeros({}, torch::kDouble);
  std::vector<torch::Tensor> result;
  for (const auto& [name, output] : outputs) {
    const auto projection =
        torch::sin(torch::arange(output.numel(), torch::kDouble) * 0.37 + 0.1).view_as(output);
    loss = loss + (output * projection).sum();
    result.push_back(output.detach());
  }
  const auto parameters = model.parameters();
  auto grads = torch::autograd::grad({loss}, parameters, {}, false, false, true);
  for (std::size_t k = 0; k < grads.size(); ++k) {
    result.push_back(grads[k].defined() ? grads[k] : torch::zeros_like(parameters[k]));
  }
  return result;
}

class EpisodeReplayTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_default_dtype(caffe2::TypeMeta::Make<double>()); }
  void TearDown() override { torch::set_default_dtype(caffe2::TypeMeta::Make<float>()); }
};

TEST_F(EpisodeReplayTest, GivesTheStepByStepOutputsAndGradients) {
  const std::vector<std::string> networks = {
      // modul, modplast, plastic (Backpropamine's maze networks)
      agent("plasticity: retroactive, clip: 0.3",
            kDopamine + plasticity_projection("{kind: linear, fanout: learned}")),
      agent("plasticity: simple, clip: 0.3",
            kDopamine + plasticity_projection("{kind: linear, fanout: learned}")),
      agent("plasticity: clipped, clip: 0.3, alpha: per_neuron", ""),
      // no modulator on the retroactive rule; a fixed receptor with an offset and a weight; a
      // modulated clipped rule; a decaying trace; a sigmoid layer
      agent("plasticity: retroactive, alpha: scalar", ""),
      agent("plasticity: simple, clip: 0.3",
            kDopamine + plasticity_projection("{kind: linear, e_max: 0.7, offset: 0.2}", 1.5)),
      agent("plasticity: clipped, clip: 0.3",
            kDopamine + plasticity_projection("{kind: linear, sign: inhibitory, learn: true}")),
      agent("plasticity: decaying", ""),
      agent("plasticity: retroactive, activation: sigmoid, clip: 0.3",
            kDopamine + plasticity_projection("{kind: linear, fanout: learned}"))};
  for (const auto& yaml : networks) {
    torch::manual_seed(11);
    auto network = network_from_yaml(yaml, NetworkShape{5, 3, 0});
    ASSERT_EQ(EpisodeReplay::unsupported(*network), "") << yaml;
    {
      // Recurrent and plastic weights large enough for the traces to matter and to reach the
      // clip (the initial 0.01 would leave the plastic part small).
      torch::NoGradGuard no_grad;
      for (auto& parameter : network->named_parameters()) {
        const auto& key = parameter.key();
        if (key == "layer_rnn.w" || key == "layer_rnn.alpha") parameter.value().normal_(0.0, 0.5);
      }
    }
    const auto inputs = torch::randn({17, 3, 5});
    const auto steps = run(*network, inputs, false);
    const auto replayed = run(*network, inputs, true);
    ASSERT_EQ(steps.size(), replayed.size());
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const double scale = 1.0 + steps[k].abs().max().item<double>();
      EXPECT_LE((steps[k] - replayed[k]).abs().max().item<double>(), 1e-10 * scale)
          << yaml << "\noutput " << k << " (the layers' outputs, then the parameters' gradients)";
    }
  }
}

TEST_F(EpisodeReplayTest, SaysWhichNetworksItDoesNotTake) {
  const auto why = [](const std::string& yaml) {
    auto network = network_from_yaml(yaml, NetworkShape{5, 3, 0});
    return EpisodeReplay::unsupported(*network);
  };
  const auto modul = [](const std::string& rnn, const std::string& modulation) {
    return agent("plasticity: retroactive, " + rnn, modulation);
  };
  EXPECT_NE(why(modul("fused: step", "")).find("fused is step"), std::string::npos);
  EXPECT_NE(why(modul("fused: off", "")).find("fused is off"), std::string::npos);
  EXPECT_NE(why(modul("activation: softplus", "")).find("softplus"), std::string::npos);
  EXPECT_NE(why(agent("plasticity: none", "")).find("no plasticity"), std::string::npos);
  EXPECT_NE(
      why(modul("eta: 0.1", kDopamine + "projections:\n"
                                        "  - {modulator: DA, target: rnn.all.soma, effect: gain, "
                                        "receptor: {kind: linear}}\n"))
          .find("plasticity"),
      std::string::npos);
  EXPECT_NE(why(modul("eta: 0.1",
                      "modulators: [{name: DA, tau: 5, range: [-1, 1], source: {kind: learned, "
                      "reads: rnn}}]\n" +
                          plasticity_projection("{kind: linear}")))
                .find("instantaneous"),
            std::string::npos);
  EXPECT_NE(
      why(modul("eta: 0.1", kDopamine + plasticity_projection("{kind: hill}"))).find("not linear"),
      std::string::npos);
  const std::string two_layers =
      "layers:\n"
      "  - {name: rnn, kind: plastic_recurrent, size: 7, plasticity: retroactive}\n"
      "  - {name: hidden, kind: linear, from: rnn, size: 4}\n"
      "  - {name: policy, kind: linear, from: hidden, size: 3, activation: identity}\n";
  EXPECT_NE(why(two_layers).find("not a linear head reading layer rnn"), std::string::npos);
  auto network = network_from_yaml(modul("fused: off", ""), NetworkShape{5, 3, 0});
  EXPECT_THROW(EpisodeReplay(*network, 4, 2), std::invalid_argument);
}

}  // namespace
}  // namespace neuromod
