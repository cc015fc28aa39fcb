// The kept-channel DGC loops for AVX2 + FMA (dgc_kept_tile.h), used when the CPU has both.
#pragma GCC target("avx2,fma")
#define CHANLAB_ISA avx2
#include "dgc_kept_tile.h"
