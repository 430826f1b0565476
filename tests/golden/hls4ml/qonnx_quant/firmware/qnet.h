#ifndef QNET_H_
#define QNET_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void qnet(
    input_t global_in[8],
    result_t layer37_out[3]
);

// hls-fpga-machine-learning insert emulator-defines


#endif
