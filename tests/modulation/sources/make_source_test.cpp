#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "neuromod/config/reader.h"
#include "neuromod/config/writer.h"
#include "neuromod/modulation/source.h"
#include "neuromod/modulation/sources/constant_source.h"
#include "neuromod/modulation/sources/learned_source.h"
#include "neuromod/modulation/sources/loss_change_source.h"
#include "neuromod/modulation/sources/meta_source.h"
#include "neuromod/modulation/sources/reward_source.h"
#include "neuromod/modulation/sources/rpe_source.h"
#include "neuromod/modulation/sources/schedule_source.h"
#include "neuromod/modulation/sources/uncertainty_source.h"

namespace neuromod {
namespace {

const std::map<std::string, int64_t> sizes{{"rnn", 6}, {"policy", 3}, {"context", 2}};

SourceOptions of_kind(SourceKind kind) {
  SourceOptions options;
  options.kind = kind;
  if (kind == SourceKind::learned) options.reads = {"rnn", "context"};
  if (kind == SourceKind::meta) options.value = 1.0;
  return options;
}

std::string error_of(const SourceOptions& options) {
  try {
    make_source(options, sizes);
  } catch (const std::invalid_argument& error) {
    return error.what();
  }
  return "no error";
}

template <class Impl>
bool is(const std::shared_ptr<Source>& source) {
  return std::dynamic_pointer_cast<Impl>(source) != nullptr;
}

TEST(MakeSource, BuildsEveryKind) {
  EXPECT_TRUE(is<LearnedSourceImpl>(make_source(of_kind(SourceKind::learned), sizes)));
  EXPECT_TRUE(is<RpeSourceImpl>(make_source(of_kind(SourceKind::rpe), sizes)));
  EXPECT_TRUE(is<RewardSourceImpl>(make_source(of_kind(SourceKind::reward), sizes)));
  EXPECT_TRUE(is<LossChangeSourceImpl>(make_source(of_kind(SourceKind::loss_change), sizes)));
  EXPECT_TRUE(is<UncertaintySourceImpl>(make_source(of_kind(SourceKind::uncertainty), sizes)));
  EXPECT_TRUE(is<ScheduleSourceImpl>(make_source(of_kind(SourceKind::schedule), sizes)));
  EXPECT_TRUE(is<MetaSourceImpl>(make_source(of_kind(SourceKind::meta), sizes)));
  EXPECT_TRUE(is<ConstantSourceImpl>(make_source(of_kind(SourceKind::constant), sizes)));
  for (const auto& entry : enum_names(SourceKind{})) {
    const auto source = make_source(of_kind(entry.value), sizes);
    EXPECT_EQ(source->differentiable(), entry.value == SourceKind::learned) << entry.name;
  }
}

TEST(MakeSource, LearnedReadsTheNamedSignalsInOrder) {
  const auto source = make_source(of_kind(SourceKind::learned), sizes);
  auto* learned = dynamic_cast<LearnedSourceImpl*>(source.get());
  ASSERT_NE(learned, nullptr);
  EXPECT_EQ(learned->readout()->weight.sizes(), (std::vector<int64_t>{1, 8}));
  SourceSignals signals;
  signals.batch = 2;
  signals.activity["rnn"] = torch::randn({2, 6});
  signals.context = torch::randn({2, 2});
  EXPECT_EQ(source->release(signals).sizes(), (std::vector<int64_t>{2, 1}));
}

TEST(MakeSource, ModuleCanBeRegisteredAsAChild) {
  const auto source = make_source(of_kind(SourceKind::learned), sizes);
  torch::nn::Module owner;
  owner.register_module("source", source->module().shared_from_this());
  EXPECT_EQ(owner.parameters().size(), 2u);
  EXPECT_TRUE(owner.named_parameters().contains("source.readout.weight"));
}

TEST(MakeSource, UnknownReadListsTheKnownSignals) {
  auto options = of_kind(SourceKind::learned);
  options.reads = {"rnm"};
  EXPECT_EQ(error_of(options),
            "source learned: reads names \"rnm\", which is not a readable signal; known: "
            "context, policy, rnn");
}

TEST(MakeSource, LearnedNeedsSomethingToRead) {
  auto options = of_kind(SourceKind::learned);
  options.reads.clear();
  EXPECT_NE(error_of(options).find("source learned: reads must name at least one signal"),
            std::string::npos);
}

TEST(MakeSource, OutOfRangeFieldsAreNamed) {
  auto options = of_kind(SourceKind::rpe);
  options.channels = 0;
  EXPECT_EQ(error_of(options), "source rpe: channels must be >= 1, got 0");
  options = of_kind(SourceKind::schedule);
  options.period = -2;
  EXPECT_EQ(error_of(options), "source schedule: period must be > 0, got -2");
}

TEST(MakeSource, MetaInitialValueMustSuitTheMapping) {
  auto options = of_kind(SourceKind::meta);
  options.mapping = MetaMapping::exp;
  options.value = 0.0;
  EXPECT_EQ(error_of(options),
            "source meta: value (the initial metaparameter) must be > 0 for mapping exp, got 0");
  options.mapping = MetaMapping::sigmoid;
  options.value = 1.5;
  EXPECT_NE(error_of(options).find("in (0, 1)"), std::string::npos);
}

struct WithSource {
  SourceOptions source;
  template <class V>
  void visit(V& v) {
    v("source", source, "a modulator's source");
  }
};

WithSource read(const std::string& yaml) {
  return config::read_options<WithSource>(config::Document::parse(yaml, "test.yaml"));
}

TEST(SourceOptions, ReadsTheDocumentedYamlExamples) {
  const auto learned = read("source: {kind: learned, reads: [rnn], out: tanh}").source;
  EXPECT_EQ(learned.kind, SourceKind::learned);
  EXPECT_EQ(learned.reads, std::vector<std::string>{"rnn"});
  EXPECT_EQ(learned.out, functional::Activation::tanh);
  EXPECT_EQ(learned.hidden, 0);

  const auto lr = read(
                      "source: {kind: schedule, schedule: exponential, clock: epoch, every: 10,\n"
                      "         value: 1.0e-5, factor: 0.1, period: 99, end: 1.0e-6}")
                      .source;
  EXPECT_EQ(lr.schedule, ScheduleKind::exponential);
  EXPECT_EQ(lr.clock, SourceClock::epoch);
  EXPECT_EQ(lr.every, 10);
  EXPECT_DOUBLE_EQ(lr.period, 99.0);

  const auto beta = read("source: {kind: meta, mapping: exp, value: 1, seed: 3}").source;
  EXPECT_EQ(beta.mapping, MetaMapping::exp);
  EXPECT_EQ(beta.seed, 3);
}

TEST(SourceOptions, AKindAloneIsShortForTheMapping) {
  const auto rpe = read("source: rpe").source;
  EXPECT_EQ(rpe.kind, SourceKind::rpe);
  EXPECT_DOUBLE_EQ(rpe.scale, 1.0);
}

TEST(SourceOptions, RejectsUnknownKindsAndKeys) {
  EXPECT_THROW(read("source: {kind: dopamine}"), config::ConfigError);
  EXPECT_THROW(read("source: {kind: rpe, scael: 2}"), config::ConfigError);
  EXPECT_THROW(read("source: {kind: rpe, channels: 0}"), config::ConfigError);
}

TEST(SourceOptions, WritesEveryDefaultAndReadsItBack) {
  WithSource original;
  original.source.kind = SourceKind::uncertainty;
  original.source.uncertainty = UncertaintyKind::unexpected;
  original.source.scale = 0.5;
  const auto again = config::read_options<WithSource>(
      config::Document::parse(config::to_yaml(original), "written.yaml"));
  EXPECT_EQ(again.source.kind, SourceKind::uncertainty);
  EXPECT_EQ(again.source.uncertainty, UncertaintyKind::unexpected);
  EXPECT_DOUBLE_EQ(again.source.scale, 0.5);
  EXPECT_EQ(again.source.resample_every, 100);
}

}  // namespace
}  // namespace neuromod
