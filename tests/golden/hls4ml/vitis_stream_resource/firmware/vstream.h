#ifndef VSTREAM_H_
#define VSTREAM_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void vstream(
    hls::stream<input_t> &input_1,
    hls::stream<result_t> &layer5_out
);

// hls-fpga-machine-learning insert emulator-defines


#endif
