#pragma once
// Helpers shared by the report tests: a scratch run directory, file reading and the links a
// page makes.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <string>
#include <vector>

namespace neuromod::testing {

namespace fs = std::filesystem;

// A fresh run directory under the system's temp dir, removed with everything in it at scope exit.
class TempRunDir {
 public:
  TempRunDir() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("neuromod_report_test_" + std::string(test->name()) + "_" +
                                         std::to_string(std::random_device{}()));
    fs::create_directories(path_);
  }
  ~TempRunDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  void write(const std::string& relative, const std::string& text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Every href and src of the page, except links within the page (#...).
inline std::vector<std::string> outgoing_links(const std::string& html) {
  std::vector<std::string> links;
  const std::regex pattern("(?:href|src)=\"([^\"]*)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), pattern), end; it != end; ++it) {
    const std::string link = (*it)[1];
    if (!link.empty() && link.front() != '#') links.push_back(link);
  }
  return links;
}

}  // namespace neuromod::testing
