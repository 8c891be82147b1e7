// LOLWUT [VERSION v] [args...]: computer art and the Redis version, as
// redis-server 7.0 prints it.
//
// grabkv reports Redis 7.0.15 compatibility, so the default output is the
// one line Redis 7.0 prints ("Redis ver. 7.0.15"). VERSION 5 draws Georg
// Nees' "Schotter" (squares that tumble more the lower they are) in braille
// characters; VERSION 6 draws an 8-bit skyline with terminal colours. The
// drawing follows Redis's geometry exactly, float rounding included, so the
// parts that do not depend on random numbers (Schotter's first two rows,
// the canvas sizes, the captions) are byte-identical to Redis's.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/util.h"
#include "server/core/version.h"

namespace grabkv::server {

namespace {

// A grid of small colour values; drawing outside it is ignored.
class Canvas {
 public:
  Canvas(int width, int height, uint8_t bg)
      : width_(width), height_(height), pixels_(static_cast<size_t>(width) * height, bg) {}
  int width() const { return width_; }
  int height() const { return height_; }
  void Set(int x, int y, uint8_t color) {
    if (x >= 0 && x < width_ && y >= 0 && y < height_) pixels_[x + static_cast<size_t>(y) * width_] = color;
  }
  uint8_t Get(int x, int y) const {
    if (x < 0 || x >= width_ || y < 0 || y >= height_) return 0;
    return pixels_[x + static_cast<size_t>(y) * width_];
  }

  // Bresenham's line from (x0, y0) to (x1, y1), both ends included.
  void Line(int x0, int y0, int x1, int y1, uint8_t color) {
    const int dx = std::abs(x1 - x0), dy = std::abs(y1 - y0);
    const int step_x = x0 < x1 ? 1 : -1, step_y = y0 < y1 ? 1 : -1;
    int err = dx - dy;
    for (;;) {
      Set(x0, y0, color);
      if (x0 == x1 && y0 == y1) return;
      const int twice = err * 2;
      if (twice > -dy) {
        err -= dy;
        x0 += step_x;
      }
      if (twice < dx) {
        err += dx;
        y0 += step_y;
      }
    }
  }

  // A square of side `side` centred on (cx, cy), turned by `angle`: its
  // corners lie on a circle, a quarter turn apart.
  void Square(int cx, int cy, float side, float angle, uint8_t color) {
    int px[4], py[4];
    float radius = side;
    radius /= 1.4142135623;
    radius = std::round(radius);
    float k = M_PI / 4 + angle;
    for (int j = 0; j < 4; ++j) {
      // In double, as C's sin() computes it (not the float overload).
      const double kd = k, rd = radius;
      px[j] = static_cast<int>(std::round(std::sin(kd) * rd + cx));
      py[j] = static_cast<int>(std::round(std::cos(kd) * rd + cy));
      k += M_PI / 2;
    }
    for (int j = 0; j < 4; ++j) Line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], color);
  }

 private:
  int width_, height_;
  std::vector<uint8_t> pixels_;
};

// Random numbers in [0, RAND_MAX] like C's rand(), from a local generator.
class Rand {
 public:
  Rand() : gen_(std::random_device{}()) {}
  int Next() { return static_cast<int>(gen_() & 0x7fffffff); }
  static constexpr int kMax = 0x7fffffff;

 private:
  std::mt19937 gen_;
};

// ---------------------------------------------------------------------------
// Version 5: Schotter.

Canvas DrawSchotter(int cols, int per_row, int per_col, Rand& rnd) {
  const int width = cols * 2;
  const int pad = width > 4 ? 2 : 0;
  const float side = static_cast<float>(width - pad * 2) / per_row;
  const int height = static_cast<int>(side * per_col + pad * 2);
  Canvas canvas(width, height, 0);
  for (int y = 0; y < per_col; ++y) {
    for (int x = 0; x < per_row; ++x) {
      int cx = static_cast<int>(x * side + side / 2 + pad);
      int cy = static_cast<int>(y * side + side / 2 + pad);
      float angle = 0;
      // The first two rows stand still; below, the disorder grows.
      if (y > 1) {
        float r[3];
        for (float& v : r) v = static_cast<float>(rnd.Next()) / static_cast<float>(Rand::kMax) / per_col * y;
        for (float& v : r) {
          if (rnd.Next() % 2) v = -v;
        }
        angle = r[0];
        cx += r[1] * side / 3;
        cy += r[2] * side / 3;
      }
      canvas.Square(cx, cy, side, angle, 1);
    }
  }
  return canvas;
}

// One braille character per 2x4 block of pixels (U+2800 + dot bits).
std::string RenderBraille(const Canvas& c) {
  std::string out;
  for (int y = 0; y < c.height(); y += 4) {
    for (int x = 0; x < c.width(); x += 2) {
      // Dots 1-2-3 and 4-5-6 run down the two columns; 7 and 8 are the
      // bottom row.
      int dots = 0;
      for (int i = 0; i < 3; ++i) {
        if (c.Get(x, y + i)) dots |= 1 << i;
        if (c.Get(x + 1, y + i)) dots |= 1 << (3 + i);
      }
      if (c.Get(x, y + 3)) dots |= 1 << 6;
      if (c.Get(x + 1, y + 3)) dots |= 1 << 7;
      const int code = 0x2800 + dots;
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
    if (y != c.height() - 1) out += '\n';
  }
  return out;
}

// ---------------------------------------------------------------------------
// Version 6: a skyline.

struct Building {
  int x, width, height;
  bool windows;
  uint8_t color;
};

void DrawBuilding(Canvas& c, const Building& b, Rand& rnd) {
  const int bottom = c.height() - 1;
  const int top = bottom - b.height + 1;
  for (int y = bottom; y >= top; --y) {
    for (int x = b.x; x < b.x + b.width; ++x) {
      // The roof is two pixels narrower on each side.
      if (y == top && (x <= b.x + 1 || x >= b.x + b.width - 2)) continue;
      uint8_t color = b.color;
      const bool inner = x > b.x + 1 && x < b.x + b.width - 2 && y > top + 1 && y < bottom - 1;
      if (b.windows && inner) {
        const int rx = x - (b.x + 1), ry = y - (top + 1);
        // Windows two pixels wide and one tall, in one of the two greys.
        if ((rx / 2) % 2 && ry % 2) {
          do {
            color = static_cast<uint8_t>(1 + rnd.Next() % 2);
          } while (color == b.color);
          if (rx % 2) color = c.Get(x - 1, y);
        }
      }
      c.Set(x, y, color);
    }
  }
}

void DrawSkyline(Canvas& c, Rand& rnd) {
  // Two rows of windowless buildings behind (the lighter grey furthest).
  for (int color = 2; color >= 1; --color) {
    for (int x = -10; x < c.width();) {
      x += rnd.Next() % 8;
      Building b{x, 10 + rnd.Next() % 9, 0, false, static_cast<uint8_t>(color)};
      const int r = rnd.Next();
      b.height = c.height() / 2 + (color == 2 ? r % c.height() / 2 : r % c.height() / 3);
      DrawBuilding(c, b, rnd);
      x += color == 2 ? b.width / 2 : b.width + 1;
    }
  }
  // Black buildings with lit windows in front.
  for (int x = -10; x < c.width();) {
    x += rnd.Next() % 8;
    Building b{x, 5 + rnd.Next() % 14, 0, true, 0};
    if (b.width % 4) b.width += b.width % 3;
    b.height = c.height() / 3 + rnd.Next() % c.height() / 2;
    DrawBuilding(c, b, rnd);
    x += b.width + 5;
  }
}

// Four greys of a colour terminal, foreground and background alike.
std::string RenderColors(const Canvas& c) {
  static const char* const kEscapes[] = {"0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"};
  std::string out;
  for (int y = 0; y < c.height(); ++y) {
    for (int x = 0; x < c.width(); ++x) {
      const uint8_t color = c.Get(x, y);
      out += "\033[";
      out += kEscapes[color < 4 ? color : 0];
      out += " \033[0m";
    }
    if (y != c.height() - 1) out += '\n';
  }
  return out;
}

// ---------------------------------------------------------------------------

int64_t Clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

// Parses up to `n` numeric arguments from args[first...] into vals (their
// defaults kept when absent); false after replying the error.
bool ParseArt(CommandContext& ctx, size_t first, std::initializer_list<int64_t*> vals) {
  size_t i = first;
  for (int64_t* v : vals) {
    if (i >= ctx.argc()) break;
    if (!ParseInt64(ctx.arg(i++), v)) {
      ctx.reply.Error(errors::kNotInteger);
      return false;
    }
  }
  return true;
}

void Schotter(CommandContext& ctx, size_t first) {
  int64_t cols = 66, per_row = 8, per_col = 12;
  if (!ParseArt(ctx, first, {&cols, &per_row, &per_col})) return;
  Rand rnd;
  Canvas c = DrawSchotter(static_cast<int>(Clamp(cols, 1, 1000)), static_cast<int>(Clamp(per_row, 1, 200)),
                          static_cast<int>(Clamp(per_col, 1, 200)), rnd);
  std::string text = RenderBraille(c);
  text += "\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ";
  text += kRedisCompatVersion;
  text += '\n';
  ctx.reply.Verbatim(text);
}

void Skyline(CommandContext& ctx, size_t first) {
  int64_t cols = 80, rows = 20;
  if (!ParseArt(ctx, first, {&cols, &rows})) return;
  Rand rnd;
  Canvas c(static_cast<int>(Clamp(cols, 1, 1000)), static_cast<int>(Clamp(rows, 1, 1000)), 3);
  DrawSkyline(c, rnd);
  std::string text = RenderColors(c);
  text +=
      "\nDedicated to the 8 bit game developers of past and present.\n"
      "Original 8 bit image from Plaguemon by hikikomori. Redis ver. ";
  text += kRedisCompatVersion;
  text += '\n';
  ctx.reply.Verbatim(text);
}

void CmdLolwut(CommandContext& ctx) {
  std::string version = kRedisCompatVersion;
  size_t first = 1;
  if (ctx.argc() >= 3 && EqualsIgnoreCase(ctx.arg(1), "version")) {
    int64_t v;
    if (!ParseInt64(ctx.arg(2), &v)) return ctx.reply.Error(errors::kNotInteger);
    // Redis prints the number as an unsigned int.
    version = std::to_string(static_cast<unsigned int>(v)) + ".0.0";
    first = 3;
  }
  const char v0 = version[0], v2 = version.size() > 2 ? version[2] : '\0';
  const bool dot = version.size() > 1 && version[1] == '.';
  if ((v0 == '5' && dot && v2 != '9') || (v0 == '4' && dot && v2 == '9')) return Schotter(ctx, first);
  if ((v0 == '6' && dot && v2 != '9') || (v0 == '5' && dot && v2 == '9')) return Skyline(ctx, first);
  std::string text = "Redis ver. ";
  text += kRedisCompatVersion;
  text += '\n';
  ctx.reply.Verbatim(text);
}

}  // namespace

// Row checked against redis-server 7.0.15 COMMAND INFO / COMMAND DOCS.
void RegisterLolwut(CommandTable& t) {
  CommandFamily f(t, "server");
  f.Add({.name = "lolwut", .arity = -1, .flags = kReadonly | kFast, .handler = CmdLolwut,
         .summary = "Display some computer art and the Redis version", .since = "5.0.0"});
}

}  // namespace grabkv::server
