#include "html.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace neuromod::report::html {

const char* const kPageStyle = R"css(
:root { color-scheme: light; }
body { margin: 0; background: #f6f6f4; color: #222; font: 15px/1.5 system-ui, -apple-system,
  "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
nav a { margin-right: 1rem; }
a { color: #0064a0; }
.summary { color: #555; margin: 0 0 1rem; }
.badge { display: inline-block; padding: 0 .5em; border-radius: .6em; background: #e4e4e4;
  color: #222; font-weight: 600; }
.badge.ok { background: #cdeee2; color: #00573f; }
.badge.bad { background: #fbd9c6; color: #8a3200; }
.note { background: #fff6d6; border-left: 4px solid #e69f00; padding: .5rem .8rem; }
table { border-collapse: collapse; background: #fff; }
th, td { text-align: left; padding: .3rem .8rem; border-bottom: 1px solid #e6e6e6;
  vertical-align: top; }
th { background: #efefec; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.meta th { background: none; white-space: nowrap; }
pre, code { font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
pre { background: #fff; border: 1px solid #e2e2e2; padding: .7rem .9rem; overflow-x: auto;
  max-height: 32rem; }
figure { margin: 1rem 0 1.5rem; background: #fff; border: 1px solid #e2e2e2; padding: .5rem; }
figure svg { display: block; width: 100%; max-width: 720px; height: auto; margin: 0 auto; }
figcaption { font-size: .85rem; color: #555; text-align: center; }
ul.files { padding-left: 1.2rem; }
ul.files .size { color: #777; font-size: .85rem; }
)css";

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string href(const std::string& relative) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : relative) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return escape(out);
}

std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return buffer;
}

std::string file_stem(const std::string& group) {
  std::string stem;
  for (unsigned char c : group) {
    stem += std::isalnum(c) || c == '-' || c == '_' || c == '.' ? static_cast<char>(c) : '_';
  }
  if (stem.empty() || stem.front() == '.') stem.insert(0, "metric");
  return stem;
}

}  // namespace neuromod::report::html
