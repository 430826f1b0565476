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
typedef ap_fixed<16,6> input_t;
typedef ap_fixed<20,8> _0_accum_t;
typedef ap_fixed<14,4,AP_RND,AP_SAT,0> layer2_t;
typedef ap_fixed<8,2,AP_RND_CONV,AP_SAT,0> _0_weight_t;
typedef ap_ufixed<8,2,AP_RND,AP_SAT,0> _0_bias_t;
typedef ap_uint<1> layer2_index;
typedef ap_fixed<10,2,AP_RND,AP_SAT,0> layer3_t;
typedef ap_fixed<18,8> _1_table_t;
typedef ap_fixed<12,4,AP_TRN,AP_SAT_SYM,0> _2_accum_t;
typedef ap_fixed<12,4> layer4_t;
typedef ap_fixed<16,6> _2_weight_t;
typedef ap_fixed<16,6> _2_bias_t;
typedef ap_uint<1> layer4_index;
typedef ap_ufixed<9,4,AP_RND,AP_SAT,0> layer5_t;
typedef ap_fixed<18,8> _3_table_t;
typedef ap_fixed<16,6,AP_RND_ZERO,AP_WRAP,0> _4_accum_t;
typedef ap_fixed<16,6> result_t;
typedef ap_fixed<16,6> _4_weight_t;
typedef ap_fixed<16,6> _4_bias_t;
typedef ap_uint<1> layer6_index;

// hls-fpga-machine-learning insert emulator-defines


#endif
