#include "neuromod/modulation/modulator_presets.h"

#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

using neuromod::find_modulator_preset;
using neuromod::modulator_presets;

TEST(ModulatorPreset, CatalogueIsTheFiveClassicalModulatorsInOrder) {
  EXPECT_EQ(neuromod::modulator_preset_names(),
            (std::vector<std::string>{"DA", "5HT", "NE", "ACh", "HA"}));
  for (const auto& preset : modulator_presets()) {
    EXPECT_EQ(find_modulator_preset(preset.name), &preset);
  }
  EXPECT_EQ(find_modulator_preset("dopamine"), nullptr);
  EXPECT_EQ(find_modulator_preset("da"), nullptr);
  EXPECT_EQ(find_modulator_preset("DA")->full_name, "dopamine");
  EXPECT_EQ(find_modulator_preset("5HT")->full_name, "serotonin");
  EXPECT_EQ(find_modulator_preset("NE")->full_name, "noradrenaline");
  EXPECT_EQ(find_modulator_preset("ACh")->full_name, "acetylcholine");
  EXPECT_EQ(find_modulator_preset("HA")->full_name, "histamine");
}

TEST(ModulatorPreset, DefaultsAreConsistent) {
  const std::set<std::string> sources{"learned",     "rpe",      "reward", "loss_change",
                                      "uncertainty", "schedule", "meta",   "constant"};
  const std::regex year("(19|20)[0-9]{2}");
  for (const auto& preset : modulator_presets()) {
    EXPECT_GE(preset.tau, 1.0) << preset.name;  // tau >= dt = 1 step
    EXPECT_LT(preset.lo, preset.hi) << preset.name;
    EXPECT_GE(preset.baseline, preset.lo) << preset.name;
    EXPECT_LE(preset.baseline, preset.hi) << preset.name;
    EXPECT_EQ(sources.count(preset.source), 1u) << preset.name << ": source " << preset.source;
    EXPECT_FALSE(preset.role.empty()) << preset.name;
    EXPECT_FALSE(preset.doc.empty()) << preset.name;
    EXPECT_TRUE(std::regex_search(preset.reference, year)) << preset.name;
  }
  // Dopamine is the signed, instantaneous prediction error; the others are concentrations.
  EXPECT_EQ(find_modulator_preset("DA")->tau, 1.0);
  EXPECT_EQ(find_modulator_preset("DA")->lo, -1.0);
  EXPECT_EQ(find_modulator_preset("DA")->source, "rpe");
  EXPECT_EQ(find_modulator_preset("NE")->lo, 0.0);
  EXPECT_GT(find_modulator_preset("5HT")->tau, find_modulator_preset("NE")->tau);
  EXPECT_GT(find_modulator_preset("HA")->tau, find_modulator_preset("5HT")->tau);
}

TEST(ModulatorPreset, RolesFollowDoya2002) {
  const auto mentions = [](const char* name, const char* words) {
    const auto* preset = find_modulator_preset(name);
    ASSERT_NE(preset, nullptr) << name;
    EXPECT_NE(preset->role.find(words), std::string::npos) << name << ": " << preset->role;
  };
  mentions("DA", "reward prediction error");
  mentions("5HT", "discount");
  mentions("NE", "inverse temperature");
  mentions("ACh", "learning rate");
  mentions("HA", "arousal");
  for (const char* name : {"DA", "5HT", "NE", "ACh"}) {
    EXPECT_NE(find_modulator_preset(name)->reference.find("Doya 2002"), std::string::npos) << name;
  }
}
