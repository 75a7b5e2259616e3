#include "neuromod/modulation/receptor_presets.h"

#include <regex>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "neuromod/modulation/modulator_presets.h"
#include "neuromod/modulation/receptor.h"

namespace nf = neuromod::functional;
using neuromod::Compartment;
using neuromod::find_receptor_preset;
using neuromod::receptor_presets;
using neuromod::ReceptorOptions;

namespace {

double ec50_of(const char* name) {
  const auto* preset = find_receptor_preset(name);
  EXPECT_NE(preset, nullptr) << name;
  return preset == nullptr ? 0.0 : preset->ec50;
}

}  // namespace

TEST(ReceptorPreset, CatalogueHasTheRequiredReceptors) {
  for (const char* name : {"D1", "D2", "M1", "M2", "nicotinic", "alpha1", "alpha2", "beta",
                           "5-HT1A", "5-HT2A", "H1", "H3"}) {
    EXPECT_NE(find_receptor_preset(name), nullptr) << name;
  }
  EXPECT_EQ(find_receptor_preset("D7"), nullptr);
  EXPECT_EQ(find_receptor_preset("d1"), nullptr);  // names are exact
  EXPECT_EQ(find_receptor_preset(""), nullptr);
}

TEST(ReceptorPreset, NamesAreUniqueAndListedInOrder) {
  std::set<std::string> seen;
  const auto names = neuromod::receptor_preset_names();
  ASSERT_EQ(names.size(), receptor_presets().size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(names[i], receptor_presets()[i].name);
    EXPECT_TRUE(seen.insert(names[i]).second) << "duplicate " << names[i];
  }
}

TEST(ReceptorPreset, EveryPresetResolvesAndBuildsAReceptor) {
  for (const auto& preset : receptor_presets()) {
    EXPECT_EQ(find_receptor_preset(preset.name), &preset);
    const auto options = ReceptorOptions::from_preset(preset.name);
    EXPECT_EQ(options.preset, preset.name);
    EXPECT_EQ(options.kind, preset.kind);
    EXPECT_EQ(options.sign, preset.sign);
    EXPECT_EQ(options.e_max, preset.e_max);
    EXPECT_EQ(options.ec50, preset.ec50);
    EXPECT_EQ(options.n, preset.n);
    EXPECT_EQ(options.offset, preset.offset);
    EXPECT_NO_THROW(neuromod::check_receptor_options(options)) << preset.name;
    neuromod::Receptor receptor(options, 3);
    const auto effect = receptor(torch::tensor({0.0, 1.0}, torch::kDouble));
    // Zero level: the neutral value; full level: moved in the direction of the sign.
    EXPECT_EQ(effect[0][0].item<double>(), preset.offset) << preset.name;
    const double moved = effect[1][0].item<double>() - preset.offset;
    EXPECT_GT(moved * nf::sign_value(preset.sign), 0.0) << preset.name;
  }
}

TEST(ReceptorPreset, EveryPresetHasADocAndAReference) {
  const std::regex year("(19|20)[0-9]{2}");
  for (const auto& preset : receptor_presets()) {
    EXPECT_FALSE(preset.doc.empty()) << preset.name;
    EXPECT_TRUE(std::regex_search(preset.reference, year))
        << preset.name << ": reference without a year: " << preset.reference;
  }
}

TEST(ReceptorPreset, EveryPresetHasAValidDefaultEffect) {
  for (const auto& preset : receptor_presets()) {
    // A unit-level effect whose neutral value is the preset's offset.
    EXPECT_EQ(nf::effect_scope(preset.effect), nf::EffectScope::unit) << preset.name;
    const auto neutral = nf::neutral_value(nf::combine_rule(preset.effect));
    ASSERT_TRUE(neutral.has_value()) << preset.name;
    EXPECT_EQ(*neutral, preset.offset) << preset.name;
    // A compartment that carries the effect.
    switch (preset.effect) {
      case nf::EffectKind::gain:
      case nf::EffectKind::bias:
      case nf::EffectKind::threshold:
      case nf::EffectKind::noise:
        EXPECT_EQ(preset.compartment, Compartment::soma) << preset.name;
        break;
      case nf::EffectKind::coupling:
        EXPECT_TRUE(preset.compartment == Compartment::apical ||
                    preset.compartment == Compartment::basal)
            << preset.name;
        break;
      case nf::EffectKind::plasticity:
        EXPECT_EQ(preset.compartment, Compartment::synapse) << preset.name;
        break;
      default:
        ADD_FAILURE() << preset.name << ": unexpected default effect";
    }
  }
}

TEST(ReceptorPreset, EveryPresetBindsACatalogueModulator) {
  for (const auto& preset : receptor_presets()) {
    EXPECT_NE(neuromod::find_modulator_preset(preset.modulator), nullptr)
        << preset.name << " binds " << preset.modulator;
  }
  EXPECT_EQ(find_receptor_preset("D1")->modulator, "DA");
  EXPECT_EQ(find_receptor_preset("M1")->modulator, "ACh");
  EXPECT_EQ(find_receptor_preset("alpha2")->modulator, "NE");
  EXPECT_EQ(find_receptor_preset("5-HT1A")->modulator, "5HT");
  EXPECT_EQ(find_receptor_preset("H3")->modulator, "HA");
}

TEST(ReceptorPreset, SignsAndFamiliesFollowTheLiterature) {
  using neuromod::ReceptorFamily;
  const auto check = [](const char* name, nf::ReceptorSign sign, ReceptorFamily family) {
    const auto* preset = find_receptor_preset(name);
    ASSERT_NE(preset, nullptr) << name;
    EXPECT_EQ(preset->sign, sign) << name;
    EXPECT_EQ(preset->family, family) << name;
  };
  check("D1", nf::ReceptorSign::excitatory, ReceptorFamily::gs);
  check("D2", nf::ReceptorSign::inhibitory, ReceptorFamily::gi);
  check("M1", nf::ReceptorSign::excitatory, ReceptorFamily::gq);
  check("nicotinic", nf::ReceptorSign::excitatory, ReceptorFamily::ionotropic);
  check("alpha2", nf::ReceptorSign::excitatory, ReceptorFamily::gi);  // Wang et al. 2007
  check("5-HT1A", nf::ReceptorSign::inhibitory, ReceptorFamily::gi);
  check("5-HT2A", nf::ReceptorSign::excitatory, ReceptorFamily::gq);
  check("H1", nf::ReceptorSign::excitatory, ReceptorFamily::gq);
  check("H3", nf::ReceptorSign::inhibitory, ReceptorFamily::gi);
  EXPECT_EQ(find_receptor_preset("M1")->compartment, Compartment::apical);
}

TEST(ReceptorPreset, SensitivityOrderingFollowsTheCitedAffinities) {
  EXPECT_LT(ec50_of("D2"), ec50_of("D1"));
  EXPECT_LT(ec50_of("alpha2"), ec50_of("beta"));
  EXPECT_LT(ec50_of("beta"), ec50_of("alpha1"));
  EXPECT_LT(ec50_of("5-HT1A"), ec50_of("5-HT2A"));
  EXPECT_LT(ec50_of("H3"), ec50_of("H1"));
}

TEST(ReceptorPreset, FamilyNamesRoundTrip) {
  for (const auto& entry : enum_names(neuromod::ReceptorFamily{})) {
    EXPECT_EQ(neuromod::config::enum_from_name<neuromod::ReceptorFamily>(entry.name), entry.value);
    EXPECT_FALSE(entry.doc.empty());
  }
}
