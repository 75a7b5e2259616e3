#include "neuromod/learning/trainer.h"

#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "neuromod/core/interrupt.h"
#include "neuromod/record/tensorboard_writer.h"

namespace neuromod {

Trainer::Trainer(Experiment& experiment, TrainerSettings settings)
    : experiment_(experiment), settings_(std::move(settings)) {}

bool Trainer::is_log_step(int64_t step) const {
  return step % settings_.log.every == 0 || step == settings_.steps;
}
bool Trainer::is_eval_step(int64_t step) const {
  return step % settings_.log.eval_every == 0 || step == settings_.steps;
}
bool Trainer::is_checkpoint_step(int64_t step) const {
  return step % settings_.checkpoint.every == 0 || step == settings_.steps;
}

TrainingOutcome Trainer::run(TrainingProgress progress,
                             const std::function<void(const std::string&)>& log_line) {
  MetricsWriter metrics(settings_.metrics_csv, settings_.metrics_jsonl, experiment_.metric_names());
  std::optional<TensorBoardWriter> events;
  if (!settings_.tensorboard_dir.empty()) {
    events.emplace(settings_.tensorboard_dir);
    // A resumed run logs the steps after its checkpoint again; TensorBoard drops the older
    // files' values at steps >= a START's step, as metrics.csv was truncated after it.
    if (progress.step > 0) events->write_session_start(progress.step + 1);
  }
  Progress console(settings_.progress, progress.step, settings_.steps);
  TrainingOutcome outcome;
  const auto existing = list_checkpoints(settings_.checkpoint_dir);
  if (!existing.empty()) outcome.last_checkpoint = existing.back();

  auto checkpoint = [&] {
    outcome.last_checkpoint = save_checkpoint(settings_.checkpoint_dir, progress, experiment_,
                                              settings_.checkpoint.keep_last);
  };

  const std::string key_metric = experiment_.key_metric();
  double key_value = NAN;
  while (progress.step < settings_.steps) {
    const int64_t step = progress.step + 1;
    const MetricValues step_metrics = experiment_.train_step(step);
    const auto loss = step_metrics.find(experiment_.loss_metric());
    if (loss != step_metrics.end() && !std::isfinite(loss->second)) {
      console.finish();
      outcome.status = TrainingStatus::diverged;
      outcome.step = step;
      return outcome;
    }
    progress.window.add(step_metrics);
    progress.step = step;

    if (is_log_step(step)) {
      MetricValues row = progress.window.means();
      progress.window.clear();
      if (is_eval_step(step)) {
        for (const auto& [name, value] : experiment_.evaluate()) row[name] = value;
      }
      metrics.write(step, row);
      if (events) events->write_scalars(step, row);
      outcome.final_metrics = row;
      if (row.count(key_metric)) key_value = row[key_metric];
      if (is_eval_step(step)) {
        std::string line = fmt::format("step {}", step);
        for (const auto& name : experiment_.metric_names()) {
          if (row.count(name)) line += fmt::format("  {} {:.4f}", name, row[name]);
        }
        console.finish();
        log_line(line);
      }
    }
    if (is_checkpoint_step(step)) checkpoint();
    console.update(step, key_metric, key_value);

    if (interrupt_requested() && step < settings_.steps) {
      if (!is_checkpoint_step(step)) checkpoint();
      console.finish();
      outcome.status = TrainingStatus::interrupted;
      outcome.step = step;
      return outcome;
    }
  }
  console.finish();
  outcome.status = TrainingStatus::completed;
  outcome.step = progress.step;
  return outcome;
}

}  // namespace neuromod
