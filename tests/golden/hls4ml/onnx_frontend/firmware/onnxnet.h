#ifndef ONNXNET_H_
#define ONNXNET_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void onnxnet(
    input_t global_in[10],
    result_t layer21_out[4]
);

// hls-fpga-machine-learning insert emulator-defines


#endif
