// Image decoding for the data pipeline (image_decode.cc): JPEG and PNG bytes → RGB uint8 HWC as Pillow gives them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace chanlab {

struct ImageDecodeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ImageSize {
  int height;
  int width;
};

// The size of a JPEG or PNG (header only). Throws ImageDecodeError for anything else or a broken header.
ImageSize imageSize(const uint8_t* data, size_t size);

// Decodes into out, which must hold exactly height·width·3 bytes. Throws ImageDecodeError.
void decodeImageRgb(const uint8_t* data, size_t size, uint8_t* out, size_t outSize);

}  // namespace chanlab
