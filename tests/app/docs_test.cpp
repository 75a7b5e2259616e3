// The documentation stays in step with the code: every config key is in docs/config.md.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "neuromod/build_info.h"
#include "neuromod/config/run_config.h"
#include "neuromod/config/writer.h"

namespace neuromod {
namespace {

TEST(ConfigDocs, EveryKeyIsDocumented) {
  std::ifstream in(std::string(NEUROMOD_SOURCE_DIR) + "/docs/config.md");
  ASSERT_TRUE(in) << "docs/config.md is missing";
  std::ostringstream text;
  text << in.rdbuf();
  for (const auto& field : config::describe_options<RunConfig>()) {
    if (field.type == "a mapping" || field.type.rfind("a list of mappings", 0) == 0) continue;
    EXPECT_NE(text.str().find("`" + field.key + "`"), std::string::npos)
        << field.key << " is not in docs/config.md";
  }
}

}  // namespace
}  // namespace neuromod
