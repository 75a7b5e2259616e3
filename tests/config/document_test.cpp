#include "neuromod/config/document.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace neuromod::config {
namespace {

TEST(Document, MissingFileNamesTheFile) {
  try {
    Document::load_file("/nonexistent/neuromod.yaml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/neuromod.yaml"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("not found"), std::string::npos);
  }
}

TEST(Document, MalformedYamlNamesFileAndLine) {
  testing::TempDir dir;
  const auto path = dir / "bad.yaml";
  std::ofstream(path) << "name: x\nlearning:\n  lr: [1, 2\n  steps: 3\n";
  try {
    Document::load_file(path);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path.string() + ":"), std::string::npos) << message;
    EXPECT_NE(message.find("malformed YAML"), std::string::npos) << message;
    EXPECT_GT(error.origin().line, 0);
  }
}

TEST(Document, TopLevelMustBeAMapping) {
  EXPECT_THROW(Document::parse("- a\n- b\n", "list.yaml"), ConfigError);
  EXPECT_NO_THROW(Document::parse("", "empty.yaml"));
}

TEST(Document, OverrideSetsNestedValueAndCreatesSections) {
  Document document = Document::parse("learning:\n  lr: 0.1\n", "c.yaml");
  document.apply_override("learning.lr=3e-4");
  document.apply_override("log.every=7");
  EXPECT_DOUBLE_EQ(document.root()["learning"]["lr"].as<double>(), 3e-4);
  EXPECT_EQ(document.root()["log"]["every"].as<int>(), 7);
  EXPECT_EQ(document.overrides().size(), 2u);
}

TEST(Document, OverrideIndexesLists) {
  Document document = Document::parse("layers:\n  - {name: a, size: 3}\n  - {name: b}\n", "c.yaml");
  document.apply_override("layers.1.size=64");
  document.apply_override("layers.0=[1, 2]");
  EXPECT_EQ(document.root()["layers"][1]["size"].as<int>(), 64);
  EXPECT_TRUE(document.root()["layers"][0].IsSequence());
  EXPECT_THROW(document.apply_override("layers.5.size=1"), ConfigError);
  EXPECT_THROW(document.apply_override("layers.x.size=1"), ConfigError);
}

TEST(Document, MalformedOverridesAreRejected) {
  Document document = Document::parse("a: 1\n", "c.yaml");
  for (const std::string bad : {"noequals", "=3", "a.=3", "a..b=3", "a="}) {
    EXPECT_THROW(document.apply_override(bad), ConfigError) << bad;
  }
  try {
    document.apply_override("a.b=1");  // a is a plain value
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.origin().override_text, "a.b=1");
  }
}

TEST(Document, OriginPrefersOverrideThenFileLine) {
  Document document = Document::parse("name: x\nlearning:\n  lr: 0.1\n", "c.yaml");
  document.apply_override("learning.steps=5");
  const auto learning = document.root()["learning"];
  EXPECT_EQ(document.origin_of("learning.lr", learning["lr"]).describe(), "c.yaml:3");
  EXPECT_EQ(document.origin_of("learning.steps", learning["steps"]).describe(),
            "override 'learning.steps=5'");
}

}  // namespace
}  // namespace neuromod::config
