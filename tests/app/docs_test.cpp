// The documentation stays in step with the code.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "neuromod/app/catalogue.h"
#include "neuromod/build_info.h"

namespace neuromod {
namespace {

std::string read_doc(const std::string& name) {
  std::ifstream in(std::string(NEUROMOD_SOURCE_DIR) + "/docs/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ConfigDocs, KeysTableMatchesTheCode) {
  const std::string doc = read_doc("config.md");
  const std::string begin = "<!-- BEGIN neuromod list config --markdown -->\n";
  const std::string end = "\n<!-- END neuromod list config --markdown -->";
  const auto start = doc.find(begin);
  const auto stop = doc.find(end);
  ASSERT_NE(start, std::string::npos) << "docs/config.md lost its generated block";
  ASSERT_NE(stop, std::string::npos);
  const std::string table = doc.substr(start + begin.size(), stop - start - begin.size());
  EXPECT_EQ(table + "\n", config_reference_markdown())
      << "docs/config.md is out of date: run scripts/update-docs.sh";
}

TEST(ModulationDocs, EveryCatalogueEntryIsDocumented) {
  const std::string doc = read_doc("modulation.md") + read_doc("modulation/receptors.md") +
                          read_doc("modulation/sources.md");
  for (const char* category :
       {"modulators", "sources", "receptors", "effects", "compartments", "layers", "plasticity"}) {
    for (const auto& entry : catalogue(category)) {
      EXPECT_NE(doc.find("`" + entry.name + "`"), std::string::npos)
          << category << " " << entry.name << " is not in docs/modulation*.md";
    }
  }
}

}  // namespace
}  // namespace neuromod
