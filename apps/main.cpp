// The neuromod command-line tool: parses arguments and dispatches to library calls.

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <map>

#include "neuromod/app/catalogue.h"
#include "neuromod/app/run_command.h"
#include "neuromod/app/version_info.h"
#include "neuromod/report/compare_report.h"
#include "neuromod/report/run_report.h"

namespace {

std::string join_command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"neuromod: neuromodulation-aware deep networks on LibTorch"};
  app.require_subcommand(1);
  app.footer("Run `neuromod <command> --help` for a command's options and an example.");

  neuromod::RunRequest request;
  std::string config_path;
  std::vector<std::string> arguments;
  auto* run = app.add_subcommand("run", "Train a network described by a YAML config");
  run->add_option("config", arguments,
                  "CONFIG file, then key.path=value overrides (with --resume: overrides only)");
  run->add_option("--out", request.out, "directory in which the run directory is made")
      ->capture_default_str();
  run->add_option("--resume", request.resume,
                  "continue the run in RUN_DIR from its last checkpoint");
  run->add_flag("--quiet", request.quiet, "no progress line");
  run->add_flag("--print-config", request.print_config, "print the fully resolved config and exit");
  run->footer(
      "Example:\n"
      "  neuromod run examples/quickstart.yaml learning.steps=500 learning.lr=3e-4\n"
      "  neuromod run --resume runs/quickstart-20261203-101500");

  std::string category;
  auto* list =
      app.add_subcommand("list", "List what is available: tasks, layers, config keys, ...");
  bool markdown = false;
  list->add_option("category", category, "one category (tasks, layers, activations, config, ...)");
  list->add_flag("--markdown", markdown, "with `config`: the keys as a Markdown table");
  list->footer("Example:\n  neuromod list layers\n  neuromod list config");

  std::filesystem::path report_run;
  auto* report = app.add_subcommand(
      "report", "Rewrite a run's report.html and plots/ from what its directory holds");
  report->add_option("run", report_run, "the run directory")->required()->type_name("RUN_DIR");
  report->footer(
      "Example:\n"
      "  neuromod report runs/quickstart-20261203-101500\n"
      "Works on finished, interrupted and running runs; reads metrics.csv and recordings/.");

  neuromod::report::CompareOptions compare_options;
  auto* compare = app.add_subcommand(
      "compare", "Compare runs: their final metrics in one table, their learning curves overlaid");
  compare->add_option("runs", compare_options.runs, "the run directories to compare")
      ->required()
      ->type_name("RUN_DIR");
  compare
      ->add_option("--out", compare_options.out,
                   "directory for report.html and plots/ (default: runs/compare-<timestamp>)")
      ->type_name("DIR");
  compare
      ->add_option("--label", compare_options.labels,
                   "a label per run, repeated in the order of the runs (default: config names)")
      ->allow_extra_args(false)
      ->type_name("LABEL");
  compare->add_flag("--by-name", compare_options.group_by_name,
                    "label runs by their config name alone: runs of one name are replicates");
  compare
      ->add_option("--band", compare_options.band,
                   "how replicates (runs sharing a label) are drawn: median-iqr or mean-sem")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, neuromod::report::ReplicateBand>{
              {"median-iqr", neuromod::report::ReplicateBand::median_iqr},
              {"mean-sem", neuromod::report::ReplicateBand::mean_sem}},
          CLI::ignore_case))
      ->type_name("BAND");
  compare->footer(
      "Example:\n"
      "  neuromod compare runs/quickstart-20261203-101500 runs/quickstart-20261203-113000\n"
      "  neuromod compare runs/a runs/b --label \"lr 1e-3\" --label \"lr 3e-4\" --out runs/lr\n"
      "  neuromod compare runs/modul-* runs/rnn-* --by-name   # seeds: median and quartiles");

  auto* version = app.add_subcommand("version", "Versions, BLAS library and thread count");
  version->footer("Example:\n  neuromod version");

  CLI11_PARSE(app, argc, argv);

  try {
    if (run->parsed()) {
      // The first argument is the config unless resuming or it is an override.
      std::size_t first_override = 0;
      if (request.resume.empty()) {
        if (arguments.empty() || arguments[0].find('=') != std::string::npos) {
          std::cerr << "neuromod run: expected a CONFIG file (or --resume RUN_DIR)\n";
          return neuromod::kExitError;
        }
        request.config = arguments[0];
        first_override = 1;
      }
      request.overrides.assign(arguments.begin() + static_cast<long>(first_override),
                               arguments.end());
      request.command_line = join_command_line(argc, argv);
      return neuromod::run_command(request);
    }
    if (list->parsed()) {
      std::cout << (markdown && category == "config" ? neuromod::config_reference_markdown()
                                                     : neuromod::format_catalogue(category));
      return neuromod::kExitOk;
    }
    if (report->parsed()) {
      std::cout << "report: " << neuromod::report::write_run_report(report_run).string() << "\n";
      return neuromod::kExitOk;
    }
    if (compare->parsed()) {
      if (compare_options.out.empty()) {
        compare_options.out = neuromod::report::default_compare_dir();
      }
      const auto report = neuromod::report::write_compare_report(compare_options);
      std::cout << "report: " << report.string() << "\n";
      return neuromod::kExitOk;
    }
    if (version->parsed()) {
      std::cout << neuromod::format_version_info(neuromod::collect_version_info());
      return neuromod::kExitOk;
    }
  } catch (const std::exception& error) {
    std::cerr << "neuromod: error: " << error.what() << "\n";
    return neuromod::kExitError;
  }
  return neuromod::kExitOk;
}
