// JPEG (libjpeg-turbo's libjpeg API) and PNG (libpng) decoding to RGB uint8 HWC, with the pixels Pillow 9.4's
// `Image.open(f).convert('RGB')` gives (what torchvision's ImageFolder loader returns), from the same libjpeg:
//  - JPEG: libjpeg's defaults as Pillow leaves them (JDCT_ISLOW, fancy upsampling, libjpeg's colour-space guess
//    from the JFIF/Adobe markers); 1 component → grey replicated; 3 → libjpeg's RGB output; 4 (CMYK, YCCK converted
//    to CMYK by libjpeg) → inverted as Pillow's "CMYK;I" rawmode always does ("assume adobe conventions"), then
//    Pillow's cmyk2rgb: v = CLIP8(nk − nk·c/255) with nk = 255 − k and Pillow's rounding MULDIV255.
//    A truncated file is an error (Pillow: "image file is truncated"); other libjpeg warnings are ignored as Pillow
//    ignores them.
//  - PNG: every colour type and bit depth, interlaced or not; alpha and tRNS dropped (convert('RGB') drops alpha),
//    palette looked up (entries past PLTE: Pillow's grey ramp), 1/2/4-bit grey scaled to 0..255, 16-bit samples → the
//    high byte, except 16-bit grey (Pillow's mode I), whose values are clipped to 255 as Pillow's i2rgb does. A bad
//    CRC in any chunk and truncated data are errors.
// Compiled only where jpeglib.h and png.h are found (native/detect-image.sh → binding.gyp defines CHANLAB_IMAGE and
// links libjpeg, libpng); errors are thrown with libjpeg's / libpng's message.
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "common.h"
#include "generated/kernels.h"

namespace chanlab {

namespace {

struct ImageDecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ImageSize {
  int height;
  int width;
};

constexpr uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

bool isPng(const uint8_t* p, size_t n) { return n >= 8 && std::memcmp(p, kPngSignature, 8) == 0; }
bool isJpeg(const uint8_t* p, size_t n) { return n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff; }

// ---- JPEG ----------------------------------------------------------------------------------------------------------

struct JpegError {
  jpeg_error_mgr mgr;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpegErrorExit(j_common_ptr cinfo) {
  auto* e = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, e->message);
  longjmp(e->jump, 1);
}

// Warnings are ignored (as Pillow's decoder does), except the end of the data: libjpeg then pads the image with a
// fake EOI, while Pillow raises "image file is truncated".
void jpegMessage(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpegErrorExit(cinfo);
}

struct JpegDecoder {
  jpeg_decompress_struct cinfo;
  JpegError err;
};

// Reads the header; returns false (message in err.message) on failure. Leaves `d` ready for jpeg_start_decompress.
bool jpegHeader(JpegDecoder& d, const uint8_t* data, size_t size) {
  d.cinfo.err = jpeg_std_error(&d.err.mgr);
  d.err.mgr.error_exit = jpegErrorExit;
  d.err.mgr.emit_message = jpegMessage;
  d.err.message[0] = 0;
  jpeg_create_decompress(&d.cinfo);
  if (setjmp(d.err.jump)) return false;
  jpeg_mem_src(&d.cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&d.cinfo, TRUE);
  const int nc = d.cinfo.num_components;
  if (nc != 1 && nc != 3 && nc != 4) {
    std::snprintf(d.err.message, sizeof d.err.message, "cannot handle %d-component JPEGs (expected 1, 3 or 4)", nc);
    return false;
  }
  d.cinfo.out_color_space = nc == 1 ? JCS_GRAYSCALE : nc == 3 ? JCS_RGB : JCS_CMYK;
  return true;
}

inline uint8_t clip8(int v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); }
// Pillow's MULDIV255(a, b): a·b/255 rounded with its two shifts.
inline int mulDiv255(int a, int b) {
  const int t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

// Decodes into out (height·width·3); returns false with the message in d.err.message.
bool jpegDecode(JpegDecoder& d, uint8_t* out) {
  std::vector<uint8_t> row;  // before setjmp: a longjmp must not skip a destructor
  const size_t w = d.cinfo.image_width;
  const int nc = d.cinfo.num_components;
  row.resize(w * static_cast<size_t>(nc));
  if (setjmp(d.err.jump)) return false;
  jpeg_start_decompress(&d.cinfo);
  while (d.cinfo.output_scanline < d.cinfo.output_height) {
    uint8_t* dst = out + static_cast<size_t>(d.cinfo.output_scanline) * w * 3;
    if (nc == 3) {
      JSAMPROW r = dst;
      jpeg_read_scanlines(&d.cinfo, &r, 1);
      continue;
    }
    JSAMPROW r = row.data();
    jpeg_read_scanlines(&d.cinfo, &r, 1);
    if (nc == 1) {
      for (size_t x = 0; x < w; x++) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = row[x];
    } else {
      for (size_t x = 0; x < w; x++) {
        const uint8_t* s = &row[4 * x];
        const int nk = s[3];  // 255 − (255 − k): the "CMYK;I" inversion, then cmyk2rgb's 255 − k
        for (int c = 0; c < 3; c++) dst[3 * x + c] = clip8(nk - mulDiv255(255 - s[c], nk));
      }
    }
  }
  jpeg_finish_decompress(&d.cinfo);
  return true;
}

// ---- PNG -----------------------------------------------------------------------------------------------------------

struct PngSource {
  const uint8_t* data;
  size_t size;
  size_t pos;
};

struct PngError {
  jmp_buf jump;
  char message[256];
};

void pngError(png_structp png, png_const_charp msg) {
  auto* e = static_cast<PngError*>(png_get_error_ptr(png));
  std::snprintf(e->message, sizeof e->message, "%s", msg);
  longjmp(e->jump, 1);
}

void pngWarning(png_structp, png_const_charp) {}

void pngRead(png_structp png, png_bytep out, size_t n) {
  auto* s = static_cast<PngSource*>(png_get_io_ptr(png));
  if (s->size - s->pos < n) png_error(png, "truncated file (read past its end)");
  std::memcpy(out, s->data + s->pos, n);
  s->pos += n;
}

struct PngDecoder {
  png_structp png = nullptr;
  png_infop info = nullptr;
  PngSource src{};
  PngError err{};
  ~PngDecoder() { png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr); }
};

bool pngHeader(PngDecoder& d, const uint8_t* data, size_t size) {
  d.src = {data, size, 0};
  d.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &d.err, pngError, pngWarning);
  if (d.png == nullptr) return std::snprintf(d.err.message, sizeof d.err.message, "out of memory"), false;
  d.info = png_create_info_struct(d.png);
  if (d.info == nullptr) return std::snprintf(d.err.message, sizeof d.err.message, "out of memory"), false;
  if (setjmp(d.err.jump)) return false;
  png_set_read_fn(d.png, &d.src, pngRead);
  png_set_crc_action(d.png, PNG_CRC_DEFAULT, PNG_CRC_ERROR_QUIT);  // a bad CRC in any chunk is an error
  png_set_user_limits(d.png, 1u << 20, 1u << 20);
  png_read_info(d.png, d.info);
  return true;
}

bool pngDecode(PngDecoder& d, uint8_t* out) {
  std::vector<uint8_t> px;
  std::vector<png_bytep> rows;
  const size_t w = png_get_image_width(d.png, d.info), h = png_get_image_height(d.png, d.info);
  const int depth = png_get_bit_depth(d.png, d.info), ctype = png_get_color_type(d.png, d.info);
  const int channels = png_get_channels(d.png, d.info);  // samples per pixel as stored (palette: 1)
  const size_t bytesPer = depth == 16 ? 2 : 1;
  px.resize(w * h * static_cast<size_t>(channels) * bytesPer);
  rows.resize(h);
  for (size_t y = 0; y < h; y++) rows[y] = px.data() + y * w * channels * bytesPer;
  if (setjmp(d.err.jump)) return false;
  if (depth < 8) png_set_packing(d.png);  // one byte per sample, unscaled (palette indices, grey levels)
  png_set_interlace_handling(d.png);
  png_read_update_info(d.png, d.info);
  png_read_image(d.png, rows.data());
  png_read_end(d.png, nullptr);
  // palette: PLTE entries, the rest of the 256 Pillow's initial grey ramp
  uint8_t lut[256][3];
  for (int i = 0; i < 256; i++) lut[i][0] = lut[i][1] = lut[i][2] = static_cast<uint8_t>(i);
  if (ctype == PNG_COLOR_TYPE_PALETTE) {
    png_colorp pal = nullptr;
    int n = 0;
    png_get_PLTE(d.png, d.info, &pal, &n);
    for (int i = 0; i < n && i < 256; i++) lut[i][0] = pal[i].red, lut[i][1] = pal[i].green, lut[i][2] = pal[i].blue;
  }
  const int greyScale = depth == 1 ? 255 : depth == 2 ? 85 : depth == 4 ? 17 : 1;
  const size_t n = w * h;
  const uint8_t* s = px.data();
  for (size_t i = 0; i < n; i++) {
    uint8_t* o = out + 3 * i;
    const uint8_t* p = s + i * channels * bytesPer;
    if (ctype == PNG_COLOR_TYPE_PALETTE) {
      o[0] = lut[p[0]][0], o[1] = lut[p[0]][1], o[2] = lut[p[0]][2];
    } else if (ctype == PNG_COLOR_TYPE_GRAY && depth == 16) {
      const int v = (p[0] << 8) | p[1];
      o[0] = o[1] = o[2] = static_cast<uint8_t>(v > 255 ? 255 : v);
    } else if (ctype == PNG_COLOR_TYPE_GRAY || ctype == PNG_COLOR_TYPE_GRAY_ALPHA) {
      o[0] = o[1] = o[2] = static_cast<uint8_t>(p[0] * greyScale);
    } else {
      o[0] = p[0], o[1] = p[bytesPer], o[2] = p[2 * bytesPer];
    }
  }
  return true;
}

// The size of a JPEG or PNG (header only); throws for anything else or a broken header.
ImageSize headerSize(const uint8_t* data, size_t size) {
  if (isJpeg(data, size)) {
    JpegDecoder d;
    const bool ok = jpegHeader(d, data, size);
    const ImageSize r{static_cast<int>(d.cinfo.image_height), static_cast<int>(d.cinfo.image_width)};
    const std::string msg = d.err.message;
    jpeg_destroy_decompress(&d.cinfo);
    if (!ok) throw ImageDecodeError("cannot decode JPEG (" + msg + ")");
    return r;
  }
  if (isPng(data, size)) {
    PngDecoder d;
    if (!pngHeader(d, data, size)) throw ImageDecodeError(std::string("cannot decode PNG (") + d.err.message + ")");
    return {static_cast<int>(png_get_image_height(d.png, d.info)), static_cast<int>(png_get_image_width(d.png, d.info))};
  }
  throw ImageDecodeError(size == 0 ? "empty file (0 bytes); expected a JPEG or PNG image" : "not a JPEG or PNG file");
}

}  // namespace

void imageSize(U8 bytes, I32 size) {
  expectCount(size, "size", 2);
  const ImageSize s = headerSize(bytes.data, bytes.size);
  size[0] = s.height;
  size[1] = s.width;
}

void decodeImage(U8 bytes, U8 out) {
  const uint8_t* data = bytes.data;
  const ImageSize s = headerSize(data, bytes.size);
  const size_t need = static_cast<size_t>(s.height) * static_cast<size_t>(s.width) * 3;
  if (out.size != need) {
    throw ArgError("out: expected " + std::to_string(need) + " bytes (" + std::to_string(s.height) + "×" +
                   std::to_string(s.width) + "×3), got " + std::to_string(out.size));
  }
  if (isJpeg(data, bytes.size)) {
    JpegDecoder d;
    const bool ok = jpegHeader(d, data, bytes.size) && jpegDecode(d, out.data);
    const std::string msg = d.err.message;
    jpeg_destroy_decompress(&d.cinfo);
    if (!ok) throw ImageDecodeError("cannot decode JPEG (" + msg + ")");
    return;
  }
  PngDecoder d;
  if (!(pngHeader(d, data, bytes.size) && pngDecode(d, out.data))) {
    throw ImageDecodeError(std::string("cannot decode PNG (") + d.err.message + ")");
  }
}

}  // namespace chanlab
