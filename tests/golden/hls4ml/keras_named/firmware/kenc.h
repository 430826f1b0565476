#ifndef KENC_H_
#define KENC_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void kenc(
    input_t inp[10],
    result_t layer10_out[4]
);

// hls-fpga-machine-learning insert emulator-defines


#endif
