#ifndef MYPROJECT_H_
#define MYPROJECT_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void myproject(
    input_t img[40*40*1],
    layer20_t layer20_out[32], layer21_t layer21_out[32], layer22_t layer22_out[20]
);

// hls-fpga-machine-learning insert emulator-defines


#endif
