// How a PlayedEpisode is collected: through a network's own steps (PlayedEpisodeRecorder) or
// by playing the layer's steps here, as plastic_episode's forward plays them
// (PlasticEpisodePlayer).

#include <algorithm>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "functional/episode_view.h"
#include "functional/trace_buffers.h"
#include "neuromod/config/enum_names.h"
#include "neuromod/functional/plastic_episode.h"

namespace neuromod::functional {
namespace {

namespace fk = fused_kernels;
using torch::Tensor;

// An episode's buffers at `plastic_episode_stride`: the snapshots on recycled trace buffers and
// H uninitialised, the levels zeros (an unmodulated episode's).
PlayedEpisode empty_played_episode(FusedUpdate update, int64_t steps, int64_t batch, int64_t n,
                                   torch::Dtype dtype) {
  PlayedEpisode played;
  const auto kernel = detail::kernel_update(update);
  played.stride = plastic_episode_stride(update, steps, n, dtype);
  const int64_t kept = (steps + played.stride - 1) / played.stride;
  const auto options = torch::TensorOptions().dtype(dtype);
  auto& buffers = detail::TraceBuffers::instance();
  if (fk::writes_plastic(kernel)) played.plastic = buffers.empty({kept, batch, n, n}, options);
  if (fk::has_eligibility(kernel)) played.eligibility = buffers.empty({kept, batch, n, n}, options);
  played.levels = torch::zeros({steps, batch}, options);
  played.hidden = torch::empty({steps, batch, n}, options);
  return played;
}

}  // namespace

PlayedEpisodeRecorder::PlayedEpisodeRecorder(FusedUpdate update, int64_t steps, int64_t batch,
                                             int64_t n, torch::Dtype dtype)
    : steps_(steps) {
  TORCH_CHECK(steps > 0 && batch > 0 && n > 0, "PlayedEpisodeRecorder: sizes must be > 0");
  played_ = empty_played_episode(update, steps, batch, n, dtype);
}

void PlayedEpisodeRecorder::before_step(int64_t t, const Tensor& plastic, const Tensor& eligibility,
                                        const Tensor& level) {
  TORCH_CHECK(t == seen_ && t < steps_, "PlayedEpisodeRecorder: step ", t, " out of order");
  torch::NoGradGuard no_grad;
  if (t % played_.stride == 0) {
    const int64_t slot = t / played_.stride;
    if (played_.plastic.defined()) played_.plastic[slot].copy_(plastic);
    if (played_.eligibility.defined()) played_.eligibility[slot].copy_(eligibility);
  }
  if (level.defined()) played_.levels[t].copy_(level.reshape({-1}));
}

void PlayedEpisodeRecorder::after_step(int64_t t, const Tensor& h) {
  TORCH_CHECK(t == seen_ && t < steps_, "PlayedEpisodeRecorder: step ", t, " out of order");
  torch::NoGradGuard no_grad;
  played_.hidden[t].copy_(h);
  ++seen_;
}

PlayedEpisode PlayedEpisodeRecorder::finish() {
  TORCH_CHECK(seen_ == steps_, "PlayedEpisodeRecorder: ", seen_, " of ", steps_, " steps recorded");
  return played_;
}

PlasticEpisodePlayer::PlasticEpisodePlayer(const PlasticEpisodeInputs& parameters,
                                           const PlasticEpisodeOptions& options, int64_t steps,
                                           int64_t batch)
    : options_(options), steps_(steps), batch_(batch) {
  TORCH_CHECK(steps > 0 && batch > 0, "PlasticEpisodePlayer: steps and batch must be > 0, got ",
              steps, " and ", batch);
  TORCH_CHECK(parameters.w.defined() && parameters.w.dim() == 2,
              "PlasticEpisodePlayer: w must be (N, N)");
  n_ = parameters.w.size(0);
  parameters_ = map_inputs(parameters, [](const Tensor& x) { return x.detach().contiguous(); });
  parameters_.drive = Tensor();
  // The checks of the episode operation, on a drive of one step of this shape.
  PlasticEpisodeInputs probe = parameters_;
  probe.drive = torch::empty({1, batch, n_}, parameters_.w.options());
  const std::string why = plastic_episode_unsupported(probe, options);
  TORCH_CHECK(why.empty(), "PlasticEpisodePlayer (", config::enum_name(options.update()),
              "): ", why);
  const auto dtype = parameters_.w.scalar_type();
  played_ = empty_played_episode(options.update(), steps, batch, n_, dtype);
  auto& buffers = detail::TraceBuffers::instance();
  const auto kernel = detail::kernel_update(options.update());
  const auto like = parameters_.w.options();
  // P is read by every update (an update that never writes it reads its zeros), E only by those
  // that have it.
  plastic_ = buffers.empty({batch, n_, n_}, like).zero_();
  if (fk::has_eligibility(kernel)) eligibility_ = buffers.empty({batch, n_, n_}, like).zero_();
}

Tensor PlasticEpisodePlayer::step(const Tensor& drive) {
  TORCH_CHECK(t_ < steps_, "PlasticEpisodePlayer: all ", steps_, " steps have been played");
  TORCH_CHECK(drive.dim() == 2 && drive.size(0) == batch_ && drive.size(1) == n_ &&
                  drive.scalar_type() == parameters_.w.scalar_type() && drive.device().is_cpu(),
              "PlasticEpisodePlayer: the drive must be (", batch_, ", ", n_,
              ") of the parameters' dtype on the CPU, got ", drive.sizes(), " ",
              drive.scalar_type());
  const int64_t t = t_;
  // z_t = drive_t + h_{t−1} w for the whole batch in one product; each sample's traces then add
  // their plastic input; f on the whole batch at once (vectorised, where a loop per sample would
  // call the scalar tanh).
  Tensor z = t == 0 ? drive.detach().clone(at::MemoryFormat::Contiguous)
                    : torch::addmm(drive.detach(), played_.hidden[t - 1], parameters_.w);
  const detail::EpisodeConfig config{options_.update(), options_.activation(),
                                     options_.nucleus_activation(), options_.clip(),
                                     played_.stride};
  AT_DISPATCH_FLOATING_TYPES(z.scalar_type(), "plastic_episode_player", [&] {
    using T = scalar_t;
    const PlasticEpisodeInputs& p = parameters_;
    const detail::EpisodeView<T> view(config, steps_, batch_, p.w, p.alpha, p.rate,
                                      p.modulation_base, p.modulation_slope, p.nucleus_weight,
                                      p.nucleus_bias);
    const auto pointer = [](const Tensor& x) { return x.defined() ? x.data_ptr<T>() : nullptr; };
    T* plastic = pointer(plastic_);
    T* eligibility = pointer(eligibility_);
    T* snap_p = pointer(played_.plastic);
    T* snap_e = pointer(played_.eligibility);
    T* z_rows = z.data_ptr<T>();
    const T* hidden = played_.hidden.data_ptr<T>();
    T* levels = played_.levels.data_ptr<T>();
    const int64_t square = n_ * n_;
    at::parallel_for(0, batch_, 1, [&](int64_t begin, int64_t end) {
      detail::SampleStepper<T> stepper(view);
      for (int64_t b = begin; b < end; ++b) {
        const T* recurrent = stepper.update_traces(b, t, hidden, levels, plastic + b * square,
                                                   eligibility ? eligibility + b * square : nullptr,
                                                   snap_p, snap_e, played_.stride);
        T* z_row = z_rows + b * n_;
        for (int64_t j = 0; j < n_; ++j) z_row[j] += recurrent[j];
      }
    });
  });
  Tensor h = played_.hidden[t];
  h.copy_(activate(z, options_.activation()));
  ++t_;
  return h;
}

PlayedEpisode PlasticEpisodePlayer::finish() {
  TORCH_CHECK(t_ == steps_, "PlasticEpisodePlayer: ", t_, " of ", steps_, " steps played");
  plastic_ = eligibility_ = Tensor();  // back to the trace buffers
  return played_;
}

}  // namespace neuromod::functional
