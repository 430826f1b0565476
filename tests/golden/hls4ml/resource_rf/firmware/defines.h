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
typedef ap_fixed<14,5> input_t;
typedef ap_fixed<29,11> _0_result_t;
typedef ap_fixed<14,5> _0_scale_t;
typedef ap_fixed<14,5> _0_bias_t;
typedef ap_fixed<14,5> _1_accum_t;
typedef ap_fixed<14,5> layer3_t;
typedef ap_fixed<14,5> _1_weight_t;
typedef ap_fixed<14,5> _1_bias_t;
typedef ap_uint<1> layer3_index;
typedef ap_fixed<14,5> layer4_t;
typedef ap_ufixed<8,-2> _2_param_t;
typedef ap_fixed<18,8> _2_table_t;
typedef ap_fixed<14,5> _3_accum_t;
typedef ap_fixed<14,5> layer5_t;
typedef ap_fixed<14,5> _3_weight_t;
typedef ap_fixed<14,5> _3_bias_t;
typedef ap_uint<1> layer5_index;
typedef ap_fixed<14,5> layer6_t;
typedef ap_fixed<18,8> _4_table_t;
typedef ap_fixed<16,6> _5_accum_t;
typedef ap_fixed<16,6> layer7_t;
typedef ap_fixed<14,5> _5_weight_t;
typedef ap_fixed<14,5> _5_bias_t;
typedef ap_uint<1> layer7_index;
typedef ap_fixed<14,5> layer8_t;
typedef ap_fixed<18,8> _6_table_t;
typedef ap_fixed<16,6> _7_accum_t;
typedef ap_fixed<16,6> result_t;
typedef ap_fixed<14,5> _7_weight_t;
typedef ap_fixed<14,5> _7_bias_t;
typedef ap_uint<1> layer9_index;

// hls-fpga-machine-learning insert emulator-defines


#endif
