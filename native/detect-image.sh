#!/bin/sh
# Prints 1 when the headers of libjpeg (libjpeg-turbo) and libpng are found, else 0: binding.gyp then builds the
# addon's image decoder (src/image_decode.cc, defining CHANLAB_IMAGE and linking -ljpeg -lpng16). Without them the
# addon builds without it and chanlab decodes with jpeg-js and its own PNG decoder. CHANLAB_NATIVE_IMAGE=0 forces 0.
[ "${CHANLAB_NATIVE_IMAGE:-}" = 0 ] && { echo 0; exit 0; }
printf '#include <stdio.h>\n#include <jpeglib.h>\n#include <png.h>\n' | "${CXX:-c++}" -E -x c++ - >/dev/null 2>&1 && echo 1 || echo 0
