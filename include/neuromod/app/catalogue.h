#pragma once
/// `neuromod list`: what neuromod offers, one line of documentation each.

#include <string>
#include <vector>

namespace neuromod {

/// One listed item.
struct CatalogueEntry {
  std::string name;
  std::string doc;
};

/// The categories `neuromod list` knows, e.g. "tasks", "layers", "config".
std::vector<std::string> catalogue_categories();

/// The entries of one category ("config" lists every config key with its type and default).
/// Throws std::invalid_argument naming the category and the known ones.
std::vector<CatalogueEntry> catalogue(const std::string& category);

/// The text `neuromod list [category]` prints; an empty category lists them all.
std::string format_catalogue(const std::string& category);

/// The config keys as a Markdown table (key, meaning, type, default): the generated part of
/// docs/config.md, printed by `neuromod list config --markdown`.
std::string config_reference_markdown();

}  // namespace neuromod
