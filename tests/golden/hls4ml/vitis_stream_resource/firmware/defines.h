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
typedef nnet::array<ap_fixed<14,5>, 8*1> input_t;
typedef ap_fixed<12,4,AP_RND_CONV,AP_SAT,0> _0_accum_t;
typedef nnet::array<ap_fixed<12,4,AP_RND,AP_SAT,0>, 6*1> layer2_t;
typedef ap_fixed<14,5> _0_weight_t;
typedef ap_fixed<14,5> _0_bias_t;
typedef ap_uint<1> layer2_index;
typedef nnet::array<ap_fixed<14,5>, 6*1> layer3_t;
typedef ap_fixed<18,8> _1_table_t;
typedef ap_fixed<11,3,AP_RND,AP_SAT_SYM,0> _2_accum_t;
typedef nnet::array<ap_fixed<11,3>, 4*1> layer4_t;
typedef ap_fixed<14,5> _2_weight_t;
typedef ap_fixed<14,5> _2_bias_t;
typedef ap_uint<1> layer4_index;
typedef nnet::array<ap_fixed<14,5>, 4*1> result_t;
typedef ap_fixed<18,8> _3_table_t;

// hls-fpga-machine-learning insert emulator-defines


#endif
