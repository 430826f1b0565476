#ifndef DEFINES_H_
#define DEFINES_H_

#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_utils/nnet_types.h"
#include <array>
#include <cstddef>
#include <cstdio>
#include <tuple>
#include <tuple>


// hls-fpga-machine-learning insert numbers

// hls-fpga-machine-learning insert layer-precision
typedef nnet::array<ap_fixed<12,4,AP_RND_CONV,AP_SAT,0>, 8*1> input_t;
typedef nnet::array<ap_fixed<12,4,AP_RND_CONV,AP_SAT,0>, 8*1> layer2_t;
typedef ap_fixed<12,4,AP_RND_CONV,AP_SAT,0> model_default_t;
typedef nnet::array<ap_fixed<12,4,AP_RND_CONV,AP_SAT,0>, 6*1> layer3_t;
typedef ap_uint<1> layer3_index;
typedef nnet::array<ap_fixed<12,4,AP_RND_CONV,AP_SAT,0>, 6*1> layer4_t;
typedef ap_fixed<18,8> _2_table_t;
typedef nnet::array<ap_fixed<12,4,AP_RND_CONV,AP_SAT,0>, 4*1> layer5_t;
typedef ap_uint<1> layer5_index;
typedef nnet::array<ap_fixed<12,4,AP_RND_CONV,AP_SAT,0>, 4*1> result_t;
typedef ap_fixed<18,8> _4_table_t;

// hls-fpga-machine-learning insert emulator-defines


#endif
