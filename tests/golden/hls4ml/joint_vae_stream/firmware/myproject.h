#ifndef MYPROJECT_H_
#define MYPROJECT_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "hls_stream.h"

#include "defines.h"


// Prototype of top level function for C-synthesis
void myproject(
    hls::stream<input_t> &img,
    hls::stream<layer19_t> &layer19_out, hls::stream<layer20_t> &layer20_out, hls::stream<layer21_t> &layer21_out
);

// hls-fpga-machine-learning insert emulator-defines


#endif
