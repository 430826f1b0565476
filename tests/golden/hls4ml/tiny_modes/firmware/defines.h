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

namespace l1t {

// hls-fpga-machine-learning insert numbers

// hls-fpga-machine-learning insert layer-precision
typedef nnet::array<ap_fixed<4,2>, 6*1> input_t;
typedef ap_fixed<8,3,AP_RND_CONV,AP_SAT_ZERO,0> _0_accum_t;
typedef nnet::array<ap_fixed<6,2,AP_RND,AP_SAT_SYM,0>, 5*1> layer2_t;
typedef ap_fixed<3,1,AP_RND,AP_WRAP,0> _0_weight_t;
typedef ap_fixed<6,3> _0_bias_t;
typedef ap_uint<1> layer2_index;
typedef nnet::array<ap_fixed<4,1,AP_RND_INF,AP_SAT,0>, 5*1> layer3_t;
typedef ap_ufixed<2,0> _1_param_t;
typedef ap_fixed<18,8> _1_table_t;
typedef ap_fixed<7,3,AP_TRN_ZERO,AP_SAT,0> _2_accum_t;
typedef nnet::array<ap_ufixed<5,2,AP_RND_MIN_INF,AP_SAT,0>, 4*1> layer4_t;
typedef ap_fixed<6,3> _2_weight_t;
typedef ap_fixed<6,3> _2_bias_t;
typedef ap_uint<1> layer4_index;
typedef nnet::array<ap_fixed<6,3>, 4*1> layer5_t;
typedef ap_fixed<18,8> _3_table_t;
typedef ap_fixed<9,3,AP_RND,AP_WRAP,0> _4_accum_t;
typedef nnet::array<ap_fixed<6,3>, 3*1> result_t;
typedef ap_fixed<6,3> _4_weight_t;
typedef ap_fixed<6,3> _4_bias_t;
typedef ap_uint<1> layer6_index;

// hls-fpga-machine-learning insert emulator-defines

}

#endif
