#include "neuromod/app/catalogue.h"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "neuromod/config/run_config.h"
#include "neuromod/config/suggest.h"
#include "neuromod/config/writer.h"
#include "neuromod/modulation/effect_target.h"
#include "neuromod/modulation/modulator_presets.h"
#include "neuromod/modulation/receptor_presets.h"
#include "neuromod/modulation/source_options.h"

namespace neuromod {

namespace {

template <class E>
std::vector<CatalogueEntry> enum_entries() {
  std::vector<CatalogueEntry> entries;
  for (const auto& entry : enum_names(E{})) entries.push_back({entry.name, entry.doc});
  return entries;
}

std::vector<CatalogueEntry> modulator_entries() {
  std::vector<CatalogueEntry> entries;
  for (const auto& preset : modulator_presets()) {
    entries.push_back({preset.name, preset.full_name + ": " + preset.role + " (tau " +
                                        config::format_number(preset.tau) + ", range [" +
                                        config::format_number(preset.lo) + ", " +
                                        config::format_number(preset.hi) + "]; " +
                                        preset.reference + ")"});
  }
  return entries;
}

std::vector<CatalogueEntry> receptor_entries() {
  std::vector<CatalogueEntry> entries;
  for (const auto& preset : receptor_presets()) {
    entries.push_back({preset.name, preset.modulator + ", " + config::enum_name(preset.sign) +
                                        ", " + config::enum_name(preset.compartment) + "." +
                                        config::enum_name(preset.effect) + ": " + preset.doc +
                                        " (" + preset.reference + ")"});
  }
  return entries;
}

std::vector<CatalogueEntry> effect_entries() {
  std::vector<CatalogueEntry> entries;
  for (const auto& entry : enum_names(functional::EffectKind{})) {
    const std::string scope = config::enum_name(functional::effect_scope(entry.value));
    entries.push_back({entry.name, entry.doc + " [" + scope + "]"});
  }
  return entries;
}

std::vector<CatalogueEntry> config_entries() {
  std::vector<CatalogueEntry> entries;
  for (const auto& field : config::describe_options<RunConfig>()) {
    std::string doc = field.doc + " — " + field.type;
    if (!field.default_value.empty()) doc += "; default " + field.default_value;
    entries.push_back({field.key, doc});
  }
  return entries;
}

const std::map<std::string, std::function<std::vector<CatalogueEntry>()>>& categories() {
  static const std::map<std::string, std::function<std::vector<CatalogueEntry>()>> table{
      {"tasks", enum_entries<TaskKind>},
      {"layers", enum_entries<LayerKind>},
      {"plasticity", enum_entries<PlasticityRule>},
      {"modulators", modulator_entries},
      {"sources", enum_entries<SourceKind>},
      {"receptors", receptor_entries},
      {"effects", effect_entries},
      {"compartments", enum_entries<Compartment>},
      {"activations", enum_entries<functional::Activation>},
      {"algorithms", enum_entries<Algorithm>},
      {"optimizers", enum_entries<Optimizer>},
      {"config", config_entries},
  };
  return table;
}

std::string format_entries(const std::vector<CatalogueEntry>& entries) {
  std::size_t width = 0;
  for (const auto& entry : entries) width = std::max(width, entry.name.size());
  std::string text;
  for (const auto& entry : entries) {
    text += fmt::format("  {:<{}}  {}\n", entry.name, width, entry.doc);
  }
  return text;
}

}  // namespace

std::vector<std::string> catalogue_categories() {
  std::vector<std::string> names;
  for (const auto& [name, entries] : categories()) names.push_back(name);
  return names;
}

std::vector<CatalogueEntry> catalogue(const std::string& category) {
  const auto found = categories().find(category);
  if (found == categories().end()) {
    std::string known;
    for (const auto& name : catalogue_categories()) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown list category \"" + category + "\"" +
                                config::did_you_mean(category, catalogue_categories()) +
                                "; expected one of: " + known);
  }
  return found->second();
}

std::string config_reference_markdown() {
  auto cell = [](std::string text) {
    std::string escaped;
    for (char c : text) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
    return escaped;
  };
  std::string text = "| key | meaning | type | default |\n|---|---|---|---|\n";
  for (const auto& field : config::describe_options<RunConfig>()) {
    const std::string value = field.default_value.empty() ? "" : "`" + field.default_value + "`";
    text += "| `" + field.key + "` | " + cell(field.doc) + " | " + cell(field.type) + " | " +
            cell(value) + " |\n";
  }
  return text;
}

std::string format_catalogue(const std::string& category) {
  if (!category.empty()) return format_entries(catalogue(category));
  std::string text;
  for (const auto& name : catalogue_categories()) {
    if (name == "config") continue;  // long; listed on request
    text += name + ":\n" + format_entries(catalogue(name));
  }
  text += "config: every key of a run's config, with type and default (neuromod list config)\n";
  return text;
}

}  // namespace neuromod
