#pragma once

/// \file
/// Helpers shared by the report pages (run_report.cpp, compare_report.cpp): escaping, links,
/// number formatting, the page style and plot file names. Private to src/report.

#include <string>

namespace neuromod::report::html {

/// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities, safe in element text and in
/// attribute values. Example: escape("a<b") == "a&lt;b".
std::string escape(const std::string& text);

/// A relative path (with '/' separators) as an href attribute value: characters outside the
/// URL-safe set are %-encoded, so a '#' or '?' in a file name does not cut the link short.
/// Example: href("plots/my plot.png") == "plots/my%20plot.png".
std::string href(const std::string& relative);

/// A metric value as shown in tables: 6 significant digits; "nan", "inf" and "-inf" as such.
/// Example: format_number(0.123456789) == "0.123457".
std::string format_number(double value);

/// The current time as "YYYY-mm-dd HH:MM:SS UTC", to say when a page was written.
std::string utc_now();

/// A metric group as a file stem under plots/: letters, digits, '.', '-' and '_' are kept,
/// anything else becomes '_', and a stem that is empty or would be hidden gets a "metric" prefix.
/// Example: file_stem("loss/ce") == "loss_ce".
std::string file_stem(const std::string& group);

/// The CSS every report page starts from (the content of its `<style>` element).
extern const char* const kPageStyle;

}  // namespace neuromod::report::html
