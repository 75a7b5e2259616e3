#include "neuromod/modulation/sources/learned_source.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "support/gradcheck.h"

namespace neuromod {
namespace {

SourceOptions learned_options(std::vector<std::string> reads, int64_t hidden, int64_t channels,
                              functional::Activation out = functional::Activation::tanh) {
  SourceOptions options;
  options.kind = SourceKind::learned;
  options.reads = std::move(reads);
  options.hidden = hidden;
  options.channels = channels;
  options.out = out;
  return options;
}

SourceSignals signals_with(const torch::Tensor& rnn, const torch::Tensor& context) {
  SourceSignals signals;
  signals.batch = rnn.size(0);
  signals.activity["rnn"] = rnn;
  signals.context = context;
  return signals;
}

TEST(LearnedSource, ShapesAndBackwardForBothArchitectures) {
  torch::manual_seed(1);
  for (const int64_t hidden : {int64_t{0}, int64_t{4}}) {
    LearnedSource source(learned_options({"rnn", "context"}, hidden, 2),
                         std::vector<int64_t>{5, 3});
    const auto rnn = torch::randn({3, 5}, torch::requires_grad());
    const auto context = torch::randn({3, 3});
    const auto r = source->release(signals_with(rnn, context));
    ASSERT_EQ(r.sizes(), (std::vector<int64_t>{3, 2})) << "hidden " << hidden;
    EXPECT_TRUE(source->differentiable());
    EXPECT_EQ(source->parameters().size(), hidden > 0 ? 4u : 2u);
    r.pow(2).sum().backward();
    for (const auto& p : source->parameters()) {
      ASSERT_TRUE(p.grad().defined());
      EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0);
    }
    // The nucleus reads the layer through the graph: gradients reach the activity it reads.
    ASSERT_TRUE(rnn.grad().defined());
    EXPECT_GT(rnn.grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(LearnedSource, LinearReadoutEqualsHandComputedTanh) {
  LearnedSource source(learned_options({"rnn"}, 0, 1), std::vector<int64_t>{3});
  {
    torch::NoGradGuard no_grad;
    source->readout()->weight.copy_(torch::tensor({{0.5, -1.0, 2.0}}));
    source->readout()->bias.copy_(torch::tensor({0.1}));
  }
  SourceSignals signals;
  signals.batch = 2;
  signals.activity["rnn"] = torch::tensor({{1.0, 2.0, 3.0}, {0.0, 0.0, 0.0}});
  const auto r = source->release(signals);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{2, 1}));
  // v·x + c = 0.5 − 2 + 6 + 0.1 = 4.6, and c = 0.1 for the zero input.
  EXPECT_NEAR(r[0][0].item<double>(), std::tanh(4.6), 1e-6);
  EXPECT_NEAR(r[1][0].item<double>(), std::tanh(0.1), 1e-6);
}

TEST(LearnedSource, OutputActivationIsApplied) {
  for (const auto out : {functional::Activation::sigmoid, functional::Activation::softplus,
                         functional::Activation::identity}) {
    LearnedSource source(learned_options({"rnn"}, 0, 1, out), std::vector<int64_t>{1});
    {
      torch::NoGradGuard no_grad;
      source->readout()->weight.fill_(2.0);
      source->readout()->bias.fill_(-1.0);
    }
    SourceSignals signals;
    signals.activity["rnn"] = torch::full({1, 1}, 1.5);
    const double z = 2.0 * 1.5 - 1.0;
    const double expected = out == functional::Activation::sigmoid    ? 1.0 / (1.0 + std::exp(-z))
                            : out == functional::Activation::softplus ? std::log1p(std::exp(z))
                                                                      : z;
    EXPECT_NEAR(source->release(signals).item<double>(), expected, 1e-6);
  }
}

TEST(LearnedSource, GradientsMatchFiniteDifferencesInDouble) {
  torch::manual_seed(2);
  for (const auto out : {functional::Activation::tanh, functional::Activation::sigmoid}) {
    LearnedSource source(learned_options({"rnn", "context"}, 4, 2, out),
                         std::vector<int64_t>{3, 2});
    source->to(torch::kDouble);
    const auto f = [&](const std::vector<torch::Tensor>& in) {
      // Linear's forward reads its `weight` and `bias` members: point them at the inputs.
      source->hidden_layer()->weight = in[2];
      source->hidden_layer()->bias = in[3];
      source->readout()->weight = in[4];
      source->readout()->bias = in[5];
      return source->release(signals_with(in[0], in[1]));
    };
    const auto opts = torch::TensorOptions().dtype(torch::kDouble).requires_grad(true);
    const std::vector<torch::Tensor> inputs{torch::randn({3, 3}, opts), torch::randn({3, 2}, opts),
                                            torch::randn({4, 5}, opts), torch::randn({4}, opts),
                                            torch::randn({2, 4}, opts), torch::randn({2}, opts)};
    EXPECT_TRUE(testing::gradcheck(f, inputs));
  }
}

TEST(LearnedSource, MissingSignalsAreNamed) {
  LearnedSource source(learned_options({"rnn", "context"}, 0, 1), std::vector<int64_t>{2, 2});
  SourceSignals no_rnn;
  no_rnn.context = torch::zeros({1, 2});
  try {
    source->release(no_rnn);
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("source learned needs"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("\"rnn\""), std::string::npos) << error.what();
  }
  SourceSignals no_context;
  no_context.activity["rnn"] = torch::zeros({1, 2});
  try {
    source->release(no_context);
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("needs context"), std::string::npos) << error.what();
  }
}

TEST(LearnedSource, WrongWidthIsReported) {
  LearnedSource source(learned_options({"rnn"}, 0, 1), std::vector<int64_t>{4});
  SourceSignals signals;
  signals.activity["rnn"] = torch::zeros({1, 3});
  try {
    source->release(signals);
    FAIL() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("N = 4"), std::string::npos) << error.what();
  }
}

TEST(LearnedSource, CloneCopiesTheWeights) {
  LearnedSource source(learned_options({"rnn"}, 3, 1), std::vector<int64_t>{2});
  const auto copy = std::dynamic_pointer_cast<LearnedSourceImpl>(source->clone());
  ASSERT_TRUE(copy);
  SourceSignals signals;
  signals.batch = 4;
  signals.activity["rnn"] = torch::randn({4, 2});
  EXPECT_TRUE(torch::equal(source->release(signals), copy->release(signals)));
}

}  // namespace
}  // namespace neuromod
