#ifndef TRIG_NN_H_
#define TRIG_NN_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void trig_nn(
    input_t input_1[10],
    result_t layer6_out[4]
);

// hls-fpga-machine-learning insert emulator-defines


#endif
