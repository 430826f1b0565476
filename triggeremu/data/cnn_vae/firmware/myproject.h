#ifndef MYPROJECT_H_
#define MYPROJECT_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void myproject(
    input_t inp[19*3*1],
    layer11_t layer11_out[8], layer12_t layer12_out[8]
);

// hls-fpga-machine-learning insert emulator-defines


#endif
