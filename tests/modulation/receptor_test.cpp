#include "neuromod/modulation/receptor.h"

#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/serialize.h>

#include "neuromod/config/config_error.h"
#include "neuromod/config/document.h"
#include "neuromod/config/reader.h"
#include "neuromod/config/writer.h"
#include "neuromod/modulation/receptor_presets.h"
#include "support/gradcheck.h"

namespace nf = neuromod::functional;
using neuromod::FanOut;
using neuromod::Receptor;
using neuromod::ReceptorOptions;
using neuromod::testing::gradcheck;

namespace {

ReceptorOptions hill_options(double e_max, double ec50, double n, double offset) {
  ReceptorOptions options;
  options.kind = nf::DoseResponseKind::hill;
  options.e_max = e_max;
  options.ec50 = ec50;
  options.n = n;
  options.offset = offset;
  return options;
}

std::set<std::string> parameter_names(const Receptor& receptor) {
  std::set<std::string> names;
  for (const auto& item : receptor->named_parameters()) names.insert(item.key());
  return names;
}

/// The uneven projection of gradcheck.h, so that both checks below test the same loss.
torch::Tensor projection_like(const torch::Tensor& out) {
  return torch::sin(torch::arange(out.numel(), torch::kDouble) * 0.7548776662 + 0.3)
      .reshape(out.sizes());
}

/// Central differences w.r.t. every element of every parameter of `receptor` (double), against
/// autograd, for L = Σ p ⊙ receptor(level).
::testing::AssertionResult parameter_gradcheck(Receptor& receptor, const torch::Tensor& level) {
  receptor->zero_grad();
  const auto out = receptor->forward(level);
  (out * projection_like(out)).sum().backward();
  const auto loss = [&] {
    torch::NoGradGuard no_grad;
    const auto y = receptor->forward(level);
    return (y * projection_like(y)).sum().item<double>();
  };
  const double eps = 1e-6;
  for (auto& item : receptor->named_parameters()) {
    auto& parameter = item.value();
    if (!parameter.grad().defined() || parameter.grad().abs().max().item<double>() == 0.0) {
      return ::testing::AssertionFailure() << item.key() << ": gradient is missing or zero";
    }
    const auto analytic = parameter.grad().clone();
    for (int64_t e = 0; e < parameter.numel(); ++e) {
      double* x = parameter.data_ptr<double>() + e;
      const double saved = *x;
      *x = saved + eps;
      const double plus = loss();
      *x = saved - eps;
      const double minus = loss();
      *x = saved;
      const double numeric = (plus - minus) / (2 * eps);
      const double a = analytic.reshape({-1})[e].item<double>();
      if (std::abs(a - numeric) > 1e-8 + 1e-6 * std::max(std::abs(a), std::abs(numeric))) {
        return ::testing::AssertionFailure() << item.key() << "[" << e << "]: autograd " << a
                                             << ", finite difference " << numeric;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

/// A config section holding one receptor, as a projection would.
struct Holder {
  ReceptorOptions receptor;
  template <class V>
  void visit(V& v) {
    v("receptor", receptor, "the receptor");
  }
};

ReceptorOptions read_receptor(const std::string& yaml) {
  const auto document = neuromod::config::Document::parse(yaml, "test.yaml");
  return neuromod::config::read_options<Holder>(document).receptor;
}

}  // namespace

TEST(Receptor, ShapesForGlobalAndPerUnitLevels) {
  const int64_t batch = 3, units = 5;
  for (const auto fanout : {FanOut::none, FanOut::learned}) {
    auto options = hill_options(1.0, 0.5, 2.0, 0.0);
    options.fanout = fanout;
    Receptor receptor(options, units);
    for (const auto& level :
         {torch::rand({batch}), torch::rand({batch, 1}), torch::rand({batch, units})}) {
      const auto effect = receptor(level);
      EXPECT_EQ(effect.sizes(), (std::vector<int64_t>{batch, units}));
    }
    EXPECT_THROW(receptor(torch::rand({batch, units + 1})), c10::Error);
    EXPECT_THROW(receptor(torch::rand({batch, 1, 1})), c10::Error);
  }
}

TEST(Receptor, GlobalLevelIsTheSameForEveryUnitWithoutFanOut) {
  Receptor receptor(hill_options(0.7, 0.4, 1.5, 1.0), 4);
  const auto level = torch::tensor({0.1, 0.4, 0.9}, torch::kDouble);
  const auto effect = receptor(level);
  const auto expected = 1.0 + nf::hill(level, 0.7, 0.4, 1.5);
  for (int64_t j = 0; j < 4; ++j) EXPECT_TRUE(torch::equal(effect.select(1, j), expected));
}

TEST(Receptor, HillAtEc50GivesOffsetPlusHalfEmax) {
  const auto level = torch::full({2, 1}, 0.3, torch::kDouble);
  Receptor excitatory(hill_options(0.8, 0.3, 2.5, 1.0), 3);
  EXPECT_TRUE(
      torch::allclose(excitatory(level), torch::full({2, 3}, 1.4, torch::kDouble), 0.0, 1e-15));
  auto options = hill_options(0.8, 0.3, 2.5, 1.0);
  options.learn = true;  // exp(log(x)) in float: equal up to float rounding
  Receptor learned(options, 3);
  EXPECT_TRUE(torch::allclose(learned(level), torch::full({2, 3}, 1.4, torch::kDouble), 0.0, 1e-6));
}

TEST(Receptor, InhibitorySignFlipsTheResponseAroundTheOffset) {
  const auto level = torch::tensor({{0.0}, {0.2}, {0.6}, {1.7}}, torch::kDouble);
  for (const auto kind :
       {nf::DoseResponseKind::hill, nf::DoseResponseKind::linear, nf::DoseResponseKind::tanh}) {
    auto options = hill_options(0.8, 0.3, 2.0, 1.0);
    options.kind = kind;
    options.scale = 0.5;
    Receptor excitatory(options, 2);
    options.sign = nf::ReceptorSign::inhibitory;
    Receptor inhibitory(options, 2);
    const auto up = excitatory(level) - 1.0;
    const auto down = inhibitory(level) - 1.0;
    EXPECT_TRUE(torch::allclose(down, -up, 0.0, 1e-15)) << neuromod::config::enum_name(kind);
    EXPECT_GT(up[2][0].item<double>(), 0.0);
  }
  // At EC50 the inhibitory Hill receptor gives offset − e_max / 2.
  auto options = hill_options(0.8, 0.3, 2.0, 1.0);
  options.sign = nf::ReceptorSign::inhibitory;
  Receptor receptor(options, 1);
  EXPECT_NEAR(receptor(torch::full({1}, 0.3, torch::kDouble)).item<double>(), 0.6, 1e-15);
}

TEST(Receptor, DefaultOptionsAreTheIdentity) {
  Receptor receptor(ReceptorOptions{}, 3);
  const auto level = torch::tensor({{-0.5, 0.0, 2.0}}, torch::kDouble);
  EXPECT_TRUE(torch::equal(receptor(level), level));
  EXPECT_TRUE(receptor->parameters().empty());
}

TEST(Receptor, LearnedParametersDependOnTheCurve) {
  auto options = hill_options(1.0, 0.5, 2.0, 0.0);
  options.learn = true;
  options.fanout = FanOut::learned;
  EXPECT_EQ(
      parameter_names(Receptor(options, 3)),
      (std::set<std::string>{"log_e_max", "log_ec50", "log_n", "fanout_slope", "fanout_offset"}));
  options.kind = nf::DoseResponseKind::tanh;
  options.fanout = FanOut::none;
  EXPECT_EQ(parameter_names(Receptor(options, 3)),
            (std::set<std::string>{"log_e_max", "log_scale"}));
  options.kind = nf::DoseResponseKind::linear;
  EXPECT_EQ(parameter_names(Receptor(options, 3)), (std::set<std::string>{"log_e_max"}));
}

TEST(Receptor, LearnedParametersStartAtTheConfiguredValues) {
  auto options = hill_options(0.8, 0.3, 2.5, 1.0);
  options.learn = true;
  Receptor receptor(options, 2);
  EXPECT_NEAR(receptor->e_max().item<double>(), 0.8, 1e-6);
  EXPECT_NEAR(receptor->ec50().item<double>(), 0.3, 1e-6);
  EXPECT_NEAR(receptor->n().item<double>(), 2.5, 1e-6);
  EXPECT_EQ(receptor->scale().item<double>(), 1.0);  // not learned for hill: the option
}

TEST(Receptor, LearnedParametersGetGradients) {
  for (const auto kind :
       {nf::DoseResponseKind::hill, nf::DoseResponseKind::linear, nf::DoseResponseKind::tanh}) {
    auto options = hill_options(0.9, 0.4, 1.5, 1.0);
    options.kind = kind;
    options.learn = true;
    options.fanout = FanOut::learned;
    Receptor receptor(options, 4);
    const auto level = (torch::rand({3, 1}) + 0.1).requires_grad_();
    receptor(level).pow(2).sum().backward();
    EXPECT_GT(level.grad().abs().sum().item<double>(), 0.0);
    for (const auto& item : receptor->named_parameters()) {
      ASSERT_TRUE(item.value().grad().defined()) << item.key();
      EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
    }
  }
}

TEST(Receptor, GradcheckInDoubleIncludingFanOut) {
  for (const auto kind :
       {nf::DoseResponseKind::hill, nf::DoseResponseKind::linear, nf::DoseResponseKind::tanh}) {
    for (const int64_t width : {int64_t{1}, int64_t{4}}) {  // global level, per-unit level
      auto options = hill_options(0.9, 0.4, 1.7, 1.0);
      options.kind = kind;
      options.scale = 0.6;
      options.sign = nf::ReceptorSign::inhibitory;
      options.learn = true;
      options.fanout = FanOut::learned;
      Receptor receptor(options, 4);
      receptor->to(torch::kDouble);
      // Levels away from 0, where the Hill curve's clamp has its kink.
      const auto level = torch::rand({3, width}, torch::kDouble) * 1.4 + 0.1;
      EXPECT_TRUE(gradcheck([&](const std::vector<torch::Tensor>& in) { return receptor(in[0]); },
                            {level.clone().requires_grad_()}))
          << "kind " << static_cast<int>(kind) << ", width " << width;
      EXPECT_TRUE(parameter_gradcheck(receptor, level))
          << "kind " << static_cast<int>(kind) << ", width " << width;
    }
  }
}

TEST(Receptor, FanOutWithUnitSlopeAndZeroOffsetIsTheIdentityBroadcast) {
  auto options = hill_options(0.6, 0.5, 2.0, 1.0);
  Receptor plain(options, 5);
  options.fanout = FanOut::learned;
  Receptor fanned(options, 5);
  {
    torch::NoGradGuard no_grad;
    fanned->named_parameters()["fanout_slope"].fill_(1.0);
    fanned->named_parameters()["fanout_offset"].fill_(0.0);
  }
  for (const auto& level :
       {torch::rand({4, 1}, torch::kDouble), torch::rand({4, 5}, torch::kDouble)}) {
    EXPECT_TRUE(torch::allclose(fanned(level), plain(level), 0.0, 1e-15));
  }
}

TEST(Receptor, FanOutAppliesPerUnitSlopeAndOffsetBeforeTheOffset) {
  auto options = ReceptorOptions{};  // linear, e_max 1: response = level
  options.offset = 1.0;
  options.fanout = FanOut::learned;
  Receptor receptor(options, 3);
  {
    torch::NoGradGuard no_grad;
    receptor->named_parameters()["fanout_slope"].copy_(torch::tensor({2.0, -1.0, 0.5}));
    receptor->named_parameters()["fanout_offset"].copy_(torch::tensor({0.0, 0.25, -0.5}));
  }
  const auto effect = receptor(torch::tensor({0.4}, torch::kDouble));
  // 1 + f_j * 0.4 + g_j
  EXPECT_TRUE(torch::allclose(effect, torch::tensor({{1.8, 0.85, 0.7}}, torch::kDouble), 0.0, 1e-7))
      << effect;
}

TEST(Receptor, FanOutIsInitialisedUniformInMinusOneToOne) {
  auto options = ReceptorOptions{};
  options.fanout = FanOut::learned;
  torch::manual_seed(3);
  Receptor receptor(options, 1000);
  for (const auto& weights : {receptor->fanout_slope(), receptor->fanout_offset()}) {
    EXPECT_LE(weights.abs().max().item<double>(), 1.0);
    EXPECT_GT(weights.max().item<double>(), 0.9);
    EXPECT_LT(weights.min().item<double>(), -0.9);
    EXPECT_NEAR(weights.mean().item<double>(), 0.0, 0.1);
  }
}

TEST(Receptor, SaveLoadRoundTripOfALearnedReceptor) {
  auto options = hill_options(0.9, 0.4, 1.5, 1.0);
  options.learn = true;
  options.fanout = FanOut::learned;
  Receptor trained(options, 6);
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : trained->parameters()) parameter.add_(torch::randn_like(parameter));
  }
  std::stringstream stream;
  torch::save(trained, stream);
  Receptor loaded(options, 6);
  torch::load(loaded, stream);
  const auto level = torch::rand({5, 1});
  EXPECT_TRUE(torch::equal(loaded(level), trained(level)));
  for (const auto& item : trained->named_parameters()) {
    EXPECT_TRUE(torch::equal(loaded->named_parameters()[item.key()], item.value())) << item.key();
  }
  Receptor fresh(options, 6);
  EXPECT_FALSE(torch::equal(fresh(level), trained(level)));
}

TEST(Receptor, CloneCopiesParametersDeeply) {
  auto options = hill_options(0.9, 0.4, 1.5, 1.0);
  options.learn = true;
  options.fanout = FanOut::learned;
  Receptor original(options, 3);
  auto copy = std::dynamic_pointer_cast<neuromod::ReceptorImpl>(original->clone());
  ASSERT_TRUE(copy);
  const auto level = torch::rand({2, 1});
  EXPECT_TRUE(torch::equal(copy->forward(level), original(level)));
  {
    torch::NoGradGuard no_grad;
    copy->named_parameters()["log_e_max"].add_(1.0);
  }
  EXPECT_FALSE(torch::equal(copy->forward(level), original(level)));
}

TEST(Receptor, RejectsInvalidOptions) {
  auto options = hill_options(-1.0, 0.5, 1.0, 0.0);
  try {
    Receptor receptor(options, 3);
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), "receptor: e_max must be a finite number > 0, got -1");
  }
  options = ReceptorOptions::from_preset("D1");
  options.ec50 = 0.0;
  EXPECT_THROW(Receptor(options, 3), std::invalid_argument);
  EXPECT_THROW(Receptor(ReceptorOptions{}, 0), std::invalid_argument);
  options = ReceptorOptions{};
  options.preset = "D7";
  EXPECT_THROW(Receptor(options, 3), std::invalid_argument);
}

TEST(Receptor, PrettyPrintNamesPresetAndKind) {
  std::ostringstream text;
  text << *Receptor(ReceptorOptions::from_preset("D2"), 7);
  EXPECT_EQ(text.str(),
            "neuromod::Receptor(preset=D2, kind=hill, sign=inhibitory, units=7, learn=false, "
            "fanout=none)");
}

TEST(ReceptorOptions, FromPresetCopiesThePreset) {
  const auto d2 = ReceptorOptions::from_preset("D2");
  const auto* preset = neuromod::find_receptor_preset("D2");
  ASSERT_NE(preset, nullptr);
  EXPECT_EQ(d2.preset, "D2");
  EXPECT_EQ(d2.kind, nf::DoseResponseKind::hill);
  EXPECT_EQ(d2.sign, nf::ReceptorSign::inhibitory);
  EXPECT_EQ(d2.e_max, preset->e_max);
  EXPECT_EQ(d2.ec50, preset->ec50);
  EXPECT_EQ(d2.offset, preset->offset);
  EXPECT_FALSE(d2.learn);
  try {
    ReceptorOptions::from_preset("d1");
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(
        std::string(error.what()).find("unknown receptor preset \"d1\" (did you mean \"D1\"?)"),
        std::string::npos)
        << error.what();
  }
}

TEST(ReceptorOptions, ConfigKeysOverrideThePresetAndAbsentKeysKeepIt) {
  const auto options = read_receptor("receptor: {preset: D2, ec50: 0.1, fanout: learned}\n");
  EXPECT_EQ(options.preset, "D2");
  EXPECT_EQ(options.sign, nf::ReceptorSign::inhibitory);  // from the preset
  EXPECT_EQ(options.kind, nf::DoseResponseKind::hill);    // from the preset
  EXPECT_EQ(options.e_max, neuromod::find_receptor_preset("D2")->e_max);
  EXPECT_EQ(options.offset, 1.0);
  EXPECT_EQ(options.ec50, 0.1);                // given
  EXPECT_EQ(options.fanout, FanOut::learned);  // given
  // A key written before `preset` in the YAML still wins: fields are visited in declaration
  // order, not in the order of the file.
  const auto reordered = read_receptor("receptor: {sign: excitatory, preset: D2}\n");
  EXPECT_EQ(reordered.sign, nf::ReceptorSign::excitatory);
  EXPECT_EQ(reordered.ec50, neuromod::find_receptor_preset("D2")->ec50);
}

TEST(ReceptorOptions, APresetNameAloneIsShorthandForThePreset) {
  const auto options = read_receptor("receptor: H3\n");
  EXPECT_EQ(neuromod::config::to_yaml(options),
            neuromod::config::to_yaml(ReceptorOptions::from_preset("H3")));
  EXPECT_THROW(read_receptor("receptor: H4\n"), neuromod::config::ConfigError);
}

TEST(ReceptorOptions, WithoutPresetTheBuiltInDefaultsApply) {
  const auto options = read_receptor("receptor: {kind: linear, fanout: learned}\n");
  EXPECT_EQ(options.preset, "");
  EXPECT_EQ(options.e_max, 1.0);
  EXPECT_EQ(options.offset, 0.0);
  EXPECT_EQ(options.sign, nf::ReceptorSign::excitatory);
  EXPECT_EQ(options.fanout, FanOut::learned);
}

TEST(ReceptorOptions, ResolvedConfigReadsBackToTheSameOptions) {
  auto options = read_receptor("receptor: {preset: M1, n: 3, learn: true}\n");
  const std::string yaml = "receptor:\n" + [&] {
    std::string text;
    std::istringstream lines(neuromod::config::to_yaml(options));
    for (std::string line; std::getline(lines, line);) text += "  " + line + "\n";
    return text;
  }();
  const auto again = read_receptor(yaml);
  EXPECT_EQ(neuromod::config::to_yaml(again), neuromod::config::to_yaml(options)) << yaml;
  EXPECT_EQ(again.n, 3.0);
  EXPECT_EQ(again.preset, "M1");
}

TEST(ReceptorOptions, UnknownPresetAndBadValuesAreConfigErrors) {
  try {
    read_receptor("receptor: {preset: D7}\n");
    ADD_FAILURE() << "expected ConfigError";
  } catch (const neuromod::config::ConfigError& error) {
    EXPECT_EQ(error.key(), "receptor.preset");
    EXPECT_NE(error.problem().find("D1 | D2"), std::string::npos) << error.problem();
  }
  EXPECT_THROW(read_receptor("receptor: {preset: D1, ec50: -1}\n"), neuromod::config::ConfigError);
  EXPECT_THROW(read_receptor("receptor: {preset: D1, fanout: maybe}\n"),
               neuromod::config::ConfigError);
}

TEST(Receptor, DeviationIsTheEffectLessItsOffset) {
  torch::manual_seed(5);
  for (const FanOut fanout : {FanOut::none, FanOut::learned}) {
    auto options = hill_options(0.8, 0.4, 2.0, 1.0);
    options.fanout = fanout;
    Receptor receptor(options, 3);
    receptor->to(torch::kDouble);
    for (const auto& level :
         {torch::rand({4, 1}, torch::kDouble), torch::rand({4, 3}, torch::kDouble)}) {
      EXPECT_TRUE(torch::allclose(receptor->deviation(level) + 1.0, receptor(level), 0, 1e-15));
    }
  }
}

TEST(Receptor, IdentityDeviationIsAViewOfTheLevelAndTheEffectATensorOfItsOwn) {
  Receptor receptor(ReceptorOptions{}, 3);
  const auto level = torch::tensor({{-0.5, 0.0, 2.0}}, torch::kDouble);
  EXPECT_TRUE(receptor->deviation(level).is_alias_of(level));
  EXPECT_FALSE(receptor(level).is_alias_of(level));
}
