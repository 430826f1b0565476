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
typedef ap_fixed<37,17> _0_accum_t;
typedef ap_fixed<37,17> _0_result_t;
typedef ap_fixed<16,6> _0_weight_t;
typedef ap_fixed<16,6> _0_bias_t;
typedef ap_uint<1> layer2_index;
typedef ap_fixed<16,6> layer4_t;
typedef ap_fixed<18,8> _2_table_t;
typedef ap_fixed<38,18> _3_accum_t;
typedef ap_fixed<38,18> _3_result_t;
typedef ap_fixed<16,6> _3_weight_t;
typedef ap_fixed<16,6> _3_bias_t;
typedef ap_uint<1> layer5_index;
typedef ap_fixed<16,6> layer7_t;
typedef ap_ufixed<8,-1> _5_param_t;
typedef ap_fixed<18,8> _5_table_t;
typedef ap_fixed<37,17> _6_accum_t;
typedef ap_fixed<37,17> _6_result_t;
typedef ap_fixed<16,6> _6_weight_t;
typedef ap_fixed<16,6> _6_bias_t;
typedef ap_uint<1> layer8_index;
typedef ap_fixed<16,6> result_t;
typedef ap_fixed<18,8> _7_table_t;

// hls-fpga-machine-learning insert emulator-defines


#endif
