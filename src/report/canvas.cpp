#include "canvas.h"

#include <cairo-svg.h>

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>

namespace neuromod::report::canvas {
namespace {

using SurfacePtr = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;
using ContextPtr = std::unique_ptr<cairo_t, decltype(&cairo_destroy)>;

void draw_on(cairo_surface_t* surface, const Draw& draw, int width, int height,
             const std::string& what) {
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(what + ": cannot create a Cairo surface: " +
                             cairo_status_to_string(cairo_surface_status(surface)));
  }
  ContextPtr cr(cairo_create(surface), &cairo_destroy);
  draw(cr.get(), width, height);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(what +
                             ": drawing failed: " + cairo_status_to_string(cairo_status(cr.get())));
  }
}

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Cairo draws an image pattern with the nearest-neighbour filter into a PNG, but (up to 1.16)
// writes no such hint into SVG, and browsers then blur a 3×3 accuracy matrix stretched over the
// plot into a smear. Every image of the kit is a grid of cells, so each <image> without a
// rendering hint of its own gets one: `pixelated` where supported, `optimizeSpeed` (nearest in
// Firefox and older engines) before it as the fallback.
void mark_images_pixelated(std::string& svg) {
  const std::string tag = "<image ";
  const std::string hint = "style=\"image-rendering:optimizeSpeed;image-rendering:pixelated\" ";
  for (auto at = svg.find(tag); at != std::string::npos; at = svg.find(tag, at + tag.size())) {
    const auto end = svg.find('>', at);
    const std::string element = svg.substr(at, end == std::string::npos ? end : end - at);
    if (element.find("style=") != std::string::npos ||
        element.find("image-rendering") != std::string::npos) {
      continue;
    }
    svg.insert(at + tag.size(), hint);
  }
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// `text` with the characters that XML reserves written as entities.
std::string xml_escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&apos;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

// Cairo writes text as glyph outlines, so the figure's words are nowhere in the SVG as text. A
// <title> element, the SVG's accessible name (and a browser's tooltip), gives the title back to
// screen readers and to searches in the page.
void add_title(std::string& svg, const std::string& title) {
  if (title.empty()) return;
  const auto open = svg.find("<svg");
  if (open == std::string::npos) return;
  const auto end = svg.find('>', open);
  if (end == std::string::npos) return;
  svg.insert(end + 1, "\n<title>" + xml_escape(title) + "</title>");
}

std::string svg_document(const Draw& draw, int width, int height, const std::string& what,
                         const std::string& title) {
  validate_size(width, height);
  std::string svg;
  {
    SurfacePtr surface(cairo_svg_surface_create_for_stream(&append_to_string, &svg, width, height),
                       &cairo_surface_destroy);
#if CAIRO_VERSION >= CAIRO_VERSION_ENCODE(1, 15, 10)
    // Pixels rather than Cairo's default points, so that width="720px" means what the caller asked.
    cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PX);
#endif
    draw_on(surface.get(), draw, width, height, what);
    cairo_surface_finish(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
      throw std::runtime_error(what + ": writing SVG failed: " +
                               cairo_status_to_string(cairo_surface_status(surface.get())));
    }
  }
  mark_images_pixelated(svg);
  add_title(svg, title);
  return svg;
}

}  // namespace

void set_color(cairo_t* cr, Rgb c, double alpha) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

void set_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

double cap_height(cairo_t* cr) {
  cairo_text_extents_t extents;
  cairo_text_extents(cr, "0", &extents);
  return extents.height;
}

double widest_text(cairo_t* cr, const std::vector<std::string>& texts) {
  double widest = 0.0;
  for (const auto& text : texts) widest = std::max(widest, text_width(cr, text));
  return widest;
}

void draw_text(cairo_t* cr, const std::string& text, double x, double y, Align align) {
  const double width = text_width(cr, text);
  const double dx = align == Align::start ? 0.0 : align == Align::middle ? -width / 2 : -width;
  cairo_move_to(cr, x + dx, y + cap_height(cr) / 2);
  cairo_show_text(cr, text.c_str());
}

void draw_text_upwards(cairo_t* cr, const std::string& text, double x, double y, Align align) {
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_rotate(cr, -kPi / 2);
  draw_text(cr, text, 0.0, 0.0, align);
  cairo_restore(cr);
}

void Range::add(double v) {
  if (!std::isfinite(v)) return;
  low = std::min(low, v);
  high = std::max(high, v);
}

Ticks axis_ticks(Range data, std::optional<double> fixed_low, std::optional<double> fixed_high,
                 int target) {
  if (data.empty()) data = Range{0.0, 1.0};
  double low = fixed_low.value_or(data.low);
  double high = fixed_high.value_or(data.high);
  if (fixed_low && !fixed_high && high <= low) high = low + 1.0;
  if (fixed_high && !fixed_low && low >= high) low = high - 1.0;
  Ticks ticks = nice_ticks(low, high, target);
  if (fixed_low) ticks.low = *fixed_low;
  if (fixed_high) ticks.high = *fixed_high;
  if (ticks.high <= ticks.low) ticks.high = ticks.low + 1.0;
  Ticks kept = ticks;
  kept.values.clear();
  kept.labels.clear();
  const double slack = 1e-9 * ticks.step;
  for (std::size_t i = 0; i < ticks.values.size(); ++i) {
    if (ticks.values[i] < ticks.low - slack || ticks.values[i] > ticks.high + slack) continue;
    kept.values.push_back(ticks.values[i]);
    kept.labels.push_back(ticks.labels[i]);
  }
  return kept;
}

Ticks fitted_x_ticks(cairo_t* cr, const Style& style, const Range& data, double plot_width,
                     std::optional<double> fixed_low, std::optional<double> fixed_high) {
  set_font(cr, style.tick_size());
  int target = std::clamp(static_cast<int>(plot_width / style.s(90.0)), 2, 10);
  for (;; --target) {
    Ticks ticks = axis_ticks(data, fixed_low, fixed_high, target);
    if (target <= 2 || ticks.values.size() < 2) return ticks;
    const double spacing = plot_width * ticks.step / (ticks.high - ticks.low);
    if (widest_text(cr, ticks.labels) + style.tick_size() <= spacing) return ticks;
  }
}

Ticks fit_x_axis(cairo_t* cr, const Style& style, const Range& data,
                 std::optional<double> fixed_low, std::optional<double> fixed_high, double width,
                 double extra_right, Box& area) {
  area.right = width - style.pad() - extra_right;
  const Ticks ticks = fitted_x_ticks(cr, style, data, area.width(), fixed_low, fixed_high);
  const double overhang = ticks.labels.empty() ? 0.0 : text_width(cr, ticks.labels.back()) / 2;
  area.right = width - std::max(style.pad(), overhang + style.s(4.0)) - extra_right;
  return fitted_x_ticks(cr, style, data, area.width(), fixed_low, fixed_high);
}

Ticks index_ticks(std::size_t count, int target) {
  const double last = count == 0 ? 0.0 : static_cast<double>(count - 1);
  Ticks ticks = nice_ticks(0.0, std::max(last, 1.0), target);
  if (ticks.step < 1.0) {
    ticks = Ticks{};
    ticks.step = 1.0;
    for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) {
      ticks.values.push_back(static_cast<double>(i));
      ticks.labels.push_back(std::to_string(i));
    }
  }
  Ticks kept = ticks;
  kept.values.clear();
  kept.labels.clear();
  for (std::size_t i = 0; i < ticks.values.size(); ++i) {
    if (ticks.values[i] < -1e-9 || ticks.values[i] > last + 1e-9) continue;
    kept.values.push_back(ticks.values[i]);
    kept.labels.push_back(ticks.labels[i]);
  }
  kept.low = 0.0;
  kept.high = last;
  return kept;
}

TextHeights measure_text(cairo_t* cr, const Style& style, const std::string& title) {
  TextHeights heights;
  set_font(cr, style.title_size(), true);
  heights.title = title.empty() ? 0.0 : cap_height(cr) + style.s(14.0);
  set_font(cr, style.label_size());
  heights.label = cap_height(cr);
  set_font(cr, style.tick_size());
  heights.tick_label = cap_height(cr);
  return heights;
}

double area_top(const Style& style, const TextHeights& heights) {
  return style.pad() + heights.title + style.s(6.0);
}

double area_bottom(const Style& style, const TextHeights& heights, double height, bool x_label,
                   std::optional<double> tick_labels_height) {
  return height - style.pad() - tick_labels_height.value_or(heights.tick_label) -
         style.tick_length() - style.s(8.0) - (x_label ? heights.label + style.s(10.0) : 0.0);
}

double area_left(const Style& style, const TextHeights& heights, double tick_labels_width,
                 bool y_label) {
  return style.pad() + tick_labels_width + style.tick_length() + style.s(6.0) +
         (y_label ? heights.label + style.s(10.0) : 0.0);
}

void begin_figure(cairo_t* cr) {
  cairo_font_options_t* font_options = cairo_font_options_create();
  // Unhinted metrics: text has the same width in the PNG and the SVG, so both get one layout.
  cairo_font_options_set_hint_metrics(font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(font_options, CAIRO_ANTIALIAS_GRAY);
  cairo_set_font_options(cr, font_options);
  cairo_font_options_destroy(font_options);

  set_color(cr, kWhite);
  cairo_paint(cr);
}

void draw_grid(cairo_t* cr, const Style& style, const Box& area, const std::vector<double>& xs,
               const std::vector<double>& ys) {
  if (xs.empty() && ys.empty()) return;
  cairo_set_line_width(cr, style.s(1.0));
  set_color(cr, kGrid);
  for (double y : ys) {
    cairo_move_to(cr, area.left, y);
    cairo_line_to(cr, area.right, y);
  }
  for (double x : xs) {
    cairo_move_to(cr, x, area.top);
    cairo_line_to(cr, x, area.bottom);
  }
  cairo_stroke(cr);
}

void draw_left_axis(cairo_t* cr, const Style& style, const Box& area, const std::vector<double>& ys,
                    const std::vector<std::string>& labels) {
  set_color(cr, kAxis);
  cairo_set_line_width(cr, style.s(1.2));
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
  cairo_move_to(cr, area.left, area.top);
  cairo_line_to(cr, area.left, area.bottom);
  for (double y : ys) {
    cairo_move_to(cr, area.left - style.tick_length(), y);
    cairo_line_to(cr, area.left, y);
  }
  cairo_stroke(cr);
  if (labels.empty()) return;
  set_color(cr, kInk);
  set_font(cr, style.tick_size());
  for (std::size_t i = 0; i < ys.size() && i < labels.size(); ++i) {
    draw_text(cr, labels[i], area.left - style.tick_length() - style.s(5.0), ys[i], Align::end);
  }
}

double x_tick_labels_middle(const Style& style, const Box& area, const TextHeights& heights) {
  return area.bottom + style.tick_length() + style.s(5.0) + heights.tick_label / 2;
}

void draw_bottom_axis(cairo_t* cr, const Style& style, const Box& area,
                      const std::vector<double>& xs, const std::vector<std::string>& labels,
                      const TextHeights& heights) {
  set_color(cr, kAxis);
  cairo_set_line_width(cr, style.s(1.2));
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
  cairo_move_to(cr, area.left, area.bottom);
  cairo_line_to(cr, area.right, area.bottom);
  for (double x : xs) {
    cairo_move_to(cr, x, area.bottom);
    cairo_line_to(cr, x, area.bottom + style.tick_length());
  }
  cairo_stroke(cr);
  if (labels.empty()) return;
  set_color(cr, kInk);
  set_font(cr, style.tick_size());
  const double middle = x_tick_labels_middle(style, area, heights);
  for (std::size_t i = 0; i < xs.size() && i < labels.size(); ++i) {
    draw_text(cr, labels[i], xs[i], middle, Align::middle);
  }
}

void draw_x_label(cairo_t* cr, const Style& style, const Box& area, const TextHeights& heights,
                  const std::string& text, std::optional<double> tick_labels_height) {
  if (text.empty()) return;
  set_color(cr, kInk);
  set_font(cr, style.label_size());
  const double y = area.bottom + style.tick_length() + style.s(5.0) +
                   tick_labels_height.value_or(heights.tick_label) + style.s(10.0) +
                   heights.label / 2;
  draw_text(cr, text, (area.left + area.right) / 2, y, Align::middle);
}

void draw_y_label(cairo_t* cr, const Style& style, const Box& area, const TextHeights& heights,
                  const std::string& text) {
  if (text.empty()) return;
  set_color(cr, kInk);
  set_font(cr, style.label_size());
  draw_text_upwards(cr, text, style.pad() + heights.label / 2, (area.top + area.bottom) / 2,
                    Align::middle);
}

void draw_title(cairo_t* cr, const Style& style, const Box& area, const TextHeights& heights,
                const std::string& title) {
  if (title.empty()) return;
  set_color(cr, kInk);
  set_font(cr, style.title_size(), true);
  draw_text(cr, title, (area.left + area.right) / 2,
            style.pad() + (heights.title - style.s(14.0)) / 2, Align::middle);
}

void draw_no_data(cairo_t* cr, const Style& style, const Box& area) {
  set_font(cr, style.label_size());
  set_color(cr, kAxis);
  draw_text(cr, "no data", (area.left + area.right) / 2, (area.top + area.bottom) / 2,
            Align::middle);
}

Legend measure_legend(cairo_t* cr, const Style& style, const std::vector<std::string>& names) {
  Legend legend;
  set_font(cr, style.legend_size());
  legend.row_height = style.legend_size() * 1.45;
  legend.swatch = style.s(22.0);
  legend.width =
      style.s(10.0) + legend.swatch + style.s(7.0) + widest_text(cr, names) + style.s(10.0);
  legend.height = names.size() * legend.row_height + style.s(10.0);
  return legend;
}

void draw_legend(cairo_t* cr, const Style& style, const Legend& legend, const Box& box,
                 const std::vector<std::string>& names, bool card,
                 const std::function<void(std::size_t, double, double)>& swatch) {
  if (card) {
    set_color(cr, kWhite, 0.88);
    cairo_rectangle(cr, box.left, box.top, legend.width, legend.height);
    cairo_fill_preserve(cr);
    set_color(cr, kGrid);
    cairo_set_line_width(cr, style.s(1.0));
    cairo_stroke(cr);
  }
  for (std::size_t row = 0; row < names.size(); ++row) {
    const double middle = box.top + style.s(5.0) + (row + 0.5) * legend.row_height;
    const double x0 = box.left + style.s(10.0);
    swatch(row, x0, middle);
    set_color(cr, kInk);
    set_font(cr, style.legend_size());
    draw_text(cr, names[row], x0 + legend.swatch + style.s(7.0), middle, Align::start);
  }
}

std::vector<std::vector<Point>> polylines(const std::vector<double>& xs,
                                          const std::vector<double>& ys, const Transform& to_px) {
  std::vector<std::vector<Point>> lines;
  std::vector<Point> line;
  std::array<std::size_t, 4> bucket{};  // first, lowest, highest, last index in the column
  long long column = 0;
  bool open = false;
  const auto flush = [&] {
    if (!open) return;
    std::array<std::size_t, 4> order = bucket;
    std::sort(order.begin(), order.end());
    const auto end = std::unique(order.begin(), order.end());
    for (auto it = order.begin(); it != end; ++it) line.push_back(to_px(xs[*it], ys[*it]));
    open = false;
  };
  for (std::size_t i = 0; i < ys.size(); ++i) {
    if (!std::isfinite(xs[i]) || !std::isfinite(ys[i])) {
      flush();
      if (!line.empty()) lines.push_back(std::move(line));
      line.clear();
      continue;
    }
    const auto col = static_cast<long long>(std::floor(to_px(xs[i], ys[i]).x));
    if (open && col == column) {
      if (ys[i] < ys[bucket[1]]) bucket[1] = i;
      if (ys[i] > ys[bucket[2]]) bucket[2] = i;
      bucket[3] = i;
      continue;
    }
    flush();
    bucket = {i, i, i, i};
    column = col;
    open = true;
  }
  flush();
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

void add_series_extent(const std::vector<Series>& series_list, Range& x, Range& y) {
  for (const Series& series : series_list) {
    const bool band = !series.band_low.empty();
    for (std::size_t i = 0; i < series.y.size(); ++i) {
      if (!std::isfinite(series.x[i])) continue;
      const bool any =
          std::isfinite(series.y[i]) ||
          (band && (std::isfinite(series.band_low[i]) || std::isfinite(series.band_high[i])));
      if (!any) continue;
      x.add(series.x[i]);
      y.add(series.y[i]);
      if (band) {
        y.add(series.band_low[i]);
        y.add(series.band_high[i]);
      }
    }
  }
}

void draw_series(cairo_t* cr, const Style& style, const Box& area, const Transform& to_px,
                 const std::vector<Series>& series_list,
                 const std::vector<std::vector<std::vector<Point>>>& lines,
                 std::size_t first_color) {
  cairo_save(cr);
  const double bleed = style.s(3.0);
  cairo_rectangle(cr, area.left - bleed, area.top - bleed, area.width() + 2 * bleed,
                  area.height() + 2 * bleed);
  cairo_clip(cr);
  for (std::size_t s = 0; s < series_list.size(); ++s) {
    const Series& series = series_list[s];
    if (series.band_low.empty()) continue;
    set_color(cr, series.color.value_or(series_color(first_color + s)), 0.2);
    // Thinned to about two points per pixel column; a band is a soft shape, exactness is moot.
    const std::size_t stride =
        std::max<std::size_t>(1, series.y.size() / std::max(1.0, 2 * area.width()));
    std::vector<std::size_t> run;
    const auto fill_run = [&] {
      if (run.size() >= 2) {
        for (std::size_t k = 0; k < run.size(); ++k) {
          const Point p = to_px(series.x[run[k]], series.band_high[run[k]]);
          k == 0 ? cairo_move_to(cr, p.x, p.y) : cairo_line_to(cr, p.x, p.y);
        }
        for (std::size_t k = run.size(); k-- > 0;) {
          const Point p = to_px(series.x[run[k]], series.band_low[run[k]]);
          cairo_line_to(cr, p.x, p.y);
        }
        cairo_close_path(cr);
        cairo_fill(cr);
      }
      run.clear();
    };
    for (std::size_t i = 0; i < series.y.size(); ++i) {
      const bool ok = std::isfinite(series.x[i]) && std::isfinite(series.band_low[i]) &&
                      std::isfinite(series.band_high[i]);
      if (!ok) {
        fill_run();
        continue;
      }
      const bool last_of_run = i + 1 == series.y.size() || !std::isfinite(series.x[i + 1]) ||
                               !std::isfinite(series.band_low[i + 1]) ||
                               !std::isfinite(series.band_high[i + 1]);
      if (run.empty() || i % stride == 0 || last_of_run) run.push_back(i);
    }
    fill_run();
  }
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_width(cr, style.line_width());
  for (std::size_t s = 0; s < series_list.size(); ++s) {
    const Series& series = series_list[s];
    set_color(cr, series.color.value_or(series_color(first_color + s)));
    for (const auto& line : lines[s]) {
      for (std::size_t k = 0; k < line.size(); ++k) {
        k == 0 ? cairo_move_to(cr, line[k].x, line[k].y) : cairo_line_to(cr, line[k].x, line[k].y);
      }
      cairo_stroke(cr);
      if (line.size() == 1 || series.markers) {
        for (const Point& p : line) {
          cairo_new_sub_path(cr);
          cairo_arc(cr, p.x, p.y, style.s(2.8), 0.0, 2 * kPi);
        }
        cairo_fill(cr);
      }
    }
  }
  cairo_restore(cr);
}

void draw_series_swatch(cairo_t* cr, const Style& style, const Legend& legend, const Series& series,
                        Rgb color, double x, double middle) {
  if (!series.band_low.empty()) {
    set_color(cr, color, 0.2);
    cairo_rectangle(cr, x, middle - legend.row_height * 0.3, legend.swatch,
                    legend.row_height * 0.6);
    cairo_fill(cr);
  }
  set_color(cr, color);
  cairo_set_line_width(cr, style.line_width() * 1.2);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  cairo_move_to(cr, x, middle);
  cairo_line_to(cr, x + legend.swatch, middle);
  cairo_stroke(cr);
  if (series.markers) {
    cairo_arc(cr, x + legend.swatch / 2, middle, style.s(2.8), 0.0, 2 * kPi);
    cairo_fill(cr);
  }
}

std::string format_value(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

void validate_limits(const std::string& where, const std::string& low_name,
                     std::optional<double> low, const std::string& high_name,
                     std::optional<double> high) {
  for (const auto& [name, bound] : {std::pair{&low_name, low}, std::pair{&high_name, high}}) {
    if (bound && !std::isfinite(*bound)) {
      throw std::invalid_argument(where + *name + " must be finite, got " + format_value(*bound));
    }
  }
  if (low && high && !(*low < *high)) {
    throw std::invalid_argument(where + low_name + " must be below " + high_name + ", got " +
                                format_value(*low) + " and " + format_value(*high));
  }
}

void validate_series(const std::string& where, const Series& series) {
  const auto n = series.y.size();
  const auto prefix = where + "series \"" + series.name + "\": ";
  if (series.x.size() != n) {
    throw std::invalid_argument(prefix + "x has " + std::to_string(series.x.size()) +
                                " values but y has " + std::to_string(n));
  }
  const bool has_band = !series.band_low.empty() || !series.band_high.empty();
  if (has_band && (series.band_low.size() != n || series.band_high.size() != n)) {
    throw std::invalid_argument(prefix + "band_low and band_high must both be empty or have " +
                                std::to_string(n) + " values, got " +
                                std::to_string(series.band_low.size()) + " and " +
                                std::to_string(series.band_high.size()));
  }
}

void validate_size(int width, int height) {
  if (width < 1 || width > kMaxSide || height < 1 || height > kMaxSide) {
    throw std::invalid_argument("plot size must be within 1.." + std::to_string(kMaxSide) +
                                " pixels, got " + std::to_string(width) + "x" +
                                std::to_string(height));
  }
}

void validate_id_prefix(const std::string& id_prefix) {
  for (char c : id_prefix) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      throw std::invalid_argument(
          "render_svg_string: id_prefix may hold only letters, digits, '-' and '_', got \"" +
          id_prefix + "\"");
    }
  }
}

void write_png_file(const Draw& draw, const std::filesystem::path& path, int width, int height) {
  validate_size(width, height);
  // RGB24: the figure is opaque, and a PNG without alpha is smaller.
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height),
                     &cairo_surface_destroy);
  draw_on(surface.get(), draw, width, height, "plot " + path.string());
  const cairo_status_t status = cairo_surface_write_to_png(surface.get(), path.c_str());
  if (status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error("cannot write PNG " + path.string() + ": " +
                             cairo_status_to_string(status));
  }
}

void write_svg_file(const Draw& draw, const std::filesystem::path& path, int width, int height,
                    const std::string& title) {
  const std::string svg = svg_document(draw, width, height, "plot " + path.string(), title);
  std::ofstream out(path, std::ios::binary);
  out << svg;
  out.close();
  if (!out) throw std::runtime_error("cannot write SVG " + path.string());
}

std::string inline_svg(const Draw& draw, int width, int height, const std::string& id_prefix,
                       const std::string& title) {
  validate_id_prefix(id_prefix);
  std::string svg = svg_document(draw, width, height, "plot \"" + title + "\"", title);
  // The XML declaration is not allowed inside an HTML document.
  svg.erase(0, svg.find("<svg"));
  if (!id_prefix.empty()) {
    // Cairo writes ids for glyphs, clip paths, masks, images and patterns and refers to them only
    // as id="…", href="#…" (xlink:href too) and url(#…).
    replace_all(svg, " id=\"", " id=\"" + id_prefix);
    replace_all(svg, "href=\"#", "href=\"#" + id_prefix);
    replace_all(svg, "url(#", "url(#" + id_prefix);
  }
  return svg;
}

}  // namespace neuromod::report::canvas
