#ifndef L1_ENCODER_H_
#define L1_ENCODER_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void l1_encoder(
    hls::stream<input_t> &input_1,
    hls::stream<result_t> &layer8_out
);

// hls-fpga-machine-learning insert emulator-defines


#endif
