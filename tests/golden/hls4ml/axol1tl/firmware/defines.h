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
typedef ap_fixed<8,6,AP_RND_CONV,AP_SAT,0> input_t;
typedef ap_fixed<20,9> _0_accum_t;
typedef ap_fixed<20,9> layer2_t;
typedef ap_fixed<6,3> _0_weight_t;
typedef ap_fixed<6,3> _0_bias_t;
typedef ap_uint<1> layer2_index;
typedef ap_ufixed<10,6,AP_RND_CONV,AP_SAT,0> layer3_t;
typedef ap_fixed<18,8> _1_table_t;
typedef ap_fixed<17,10> _2_accum_t;
typedef ap_fixed<17,10> layer4_t;
typedef ap_fixed<6,3> _2_weight_t;
typedef ap_fixed<6,3> _2_bias_t;
typedef ap_uint<1> layer4_index;
typedef ap_ufixed<10,6,AP_RND_CONV,AP_SAT,0> layer5_t;
typedef ap_fixed<18,8> _3_table_t;
typedef ap_fixed<16,9> _4_accum_t;
typedef ap_fixed<16,9,AP_RND_CONV,AP_SAT,0> result_t;
typedef ap_fixed<6,3> _4_weight_t;
typedef ap_fixed<6,3> _4_bias_t;
typedef ap_uint<1> layer6_index;

// hls-fpga-machine-learning insert emulator-defines


#endif
