// The kept-channel DGC loops for baseline x86-64 (dgc_kept_tile.h): any CPU.
#define CHANLAB_ISA base
#include "dgc_kept_tile.h"
