#include "neuromod/app/run_command.h"

#include <chrono>
#include <csignal>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "neuromod/app/experiment_factory.h"
#include "neuromod/app/run_metadata.h"
#include "neuromod/config/document.h"
#include "neuromod/config/run_config.h"
#include "neuromod/core/atomic_file.h"
#include "neuromod/core/interrupt.h"
#include "neuromod/core/run_directory.h"
#include "neuromod/core/run_log.h"
#include "neuromod/learning/checkpoint.h"
#include "neuromod/learning/trainer.h"
#include "neuromod/record/recorder.h"
#include "neuromod/report/run_report.h"

namespace neuromod {

namespace {

std::string overrides_text(const std::vector<std::string>& overrides) {
  std::string text;
  for (const auto& line : overrides) text += line + "\n";
  return text;
}

std::string signal_name(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "a stop request";
  }
}

// Everything a run needs before anything is written: the resolved config, the experiment
// (data loaded), and for a resumed run its directory and the restored checkpoint.
struct PreparedRun {
  RunConfig config;
  std::unique_ptr<Experiment> experiment;
  std::optional<RunDirectory> directory;
  TrainingProgress start;
};

PreparedRun prepare(const RunRequest& request) {
  PreparedRun prepared;
  const bool resuming = !request.resume.empty();
  if (resuming) prepared.directory = RunDirectory::open(request.resume);
  config::Document document =
      config::Document::load_file(resuming ? prepared.directory->config() : request.config);
  for (const auto& assignment : request.overrides) document.apply_override(assignment);
  prepared.config = load_run_config(document);
  if (request.print_config) return prepared;

  prepared.experiment = make_experiment(prepared.config);
  if (resuming) {
    const auto checkpoints = list_checkpoints(prepared.directory->checkpoints());
    if (checkpoints.empty()) {
      throw CheckpointError("nothing to resume: " + prepared.directory->checkpoints().string() +
                            " holds no checkpoint");
    }
    prepared.start = load_checkpoint(checkpoints.back(), *prepared.experiment);
  }
  return prepared;
}

}  // namespace

int run_command(const RunRequest& request) {
  PreparedRun prepared = prepare(request);
  const RunConfig& config = prepared.config;
  if (request.print_config) {
    std::cout << run_config_yaml(config);
    return kExitOk;
  }

  // Only now, with config, data and checkpoint known good, does anything get written.
  const bool resuming = prepared.directory.has_value();
  nlohmann::json meta;
  if (resuming) {
    const RunDirectory& run = *prepared.directory;
    truncate_metrics_after(run.metrics_csv(), run.metrics_jsonl(), prepared.start.step);
    if (!request.overrides.empty()) {
      write_file_atomically(run.config(), run_config_yaml(config));
      std::string previous;
      std::error_code error;
      if (std::filesystem::exists(run.overrides(), error))
        previous = read_text_file(run.overrides());
      write_file_atomically(run.overrides(), previous + overrides_text(request.overrides));
    }
    meta = read_run_metadata(run.meta(), new_run_metadata(config, request.command_line));
    record_resumption(meta, prepared.start.step, request.command_line);
  } else {
    prepared.directory = RunDirectory::create(request.out, config.name);
    const RunDirectory& run = *prepared.directory;
    write_file_atomically(run.config(), run_config_yaml(config));
    write_file_atomically(run.overrides(), overrides_text(request.overrides));
    meta = new_run_metadata(config, request.command_line);
  }
  const RunDirectory& run = *prepared.directory;
  write_run_metadata(run.meta(), meta);

  RunLog log(run.log(), true);
  log.info(resuming
               ? fmt::format("resuming {} from step {}", run.path().string(), prepared.start.step)
               : fmt::format("run {}", run.path().string()));
  for (const auto& note : prepared.experiment->notes()) log.info(note);

  TrainerSettings settings;
  settings.steps = config.learning.steps;
  settings.log = config.log;
  settings.checkpoint = config.checkpoint;
  settings.checkpoint_dir = run.checkpoints();
  settings.metrics_csv = run.metrics_csv();
  settings.metrics_jsonl = run.metrics_jsonl();
  settings.tensorboard_dir = run.tb();
  settings.progress = detect_progress_mode(request.quiet);

  install_interrupt_handlers();
  const auto started = std::chrono::steady_clock::now();
  Recorder recorder(config.record, run.recordings(), config.learning.steps,
                    resuming ? std::optional<int64_t>(prepared.start.step) : std::nullopt);
  prepared.experiment->set_recorder(&recorder);
  Trainer trainer(*prepared.experiment, settings);
  const TrainingOutcome outcome =
      trainer.run(prepared.start, [&](const std::string& line) { log.info(line); });
  recorder.flush();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int exit_code = kExitOk;
  std::string status = "completed";
  if (outcome.status == TrainingStatus::interrupted) {
    status = "interrupted";
    exit_code = interrupt_signal() > 0 ? 128 + interrupt_signal() : kExitInterrupted;
    log.warn(
        fmt::format("stopped by {} after step {}; checkpoint {} written. Resume with: "
                    "neuromod run --resume {}",
                    signal_name(interrupt_signal()), outcome.step, outcome.last_checkpoint.string(),
                    run.path().string()));
  } else if (outcome.status == TrainingStatus::diverged) {
    status = "diverged";
    exit_code = kExitDiverged;
    log.warn(fmt::format(
        "the loss became NaN or infinite at step {}; the run stopped. Last good checkpoint: {}. "
        "Try a smaller learning.lr or learning.clip_grad, e.g. neuromod run --resume {} "
        "learning.lr=...",
        outcome.step, outcome.last_checkpoint.empty() ? "none" : outcome.last_checkpoint.string(),
        run.path().string()));
  } else {
    log.info(fmt::format("completed {} steps in {:.1f}s", outcome.step, wall));
  }
  record_ending(meta, status, outcome.step, wall);
  write_run_metadata(run.meta(), meta);

  const auto report = report::write_run_report(run.path());
  std::cout << "run directory: " << run.path().string() << "\n"
            << "report: " << report.string() << std::endl;
  return exit_code;
}

}  // namespace neuromod
