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
typedef ap_fixed<37,17> fc1_accum_t;
typedef ap_fixed<37,17> fc1_result_t;
typedef ap_fixed<16,6> fc1_weight_t;
typedef ap_fixed<16,6> fc1_bias_t;
typedef ap_uint<1> layer2_index;
typedef ap_fixed<16,6> layer3_t;
typedef ap_fixed<18,8> fc1_relu_table_t;
typedef ap_fixed<33,13> bn_mid_result_t;
typedef ap_fixed<16,6> bn_mid_scale_t;
typedef ap_fixed<16,6> bn_mid_bias_t;
typedef ap_fixed<54,24> fc2_accum_t;
typedef ap_fixed<14,5,AP_RND,AP_SAT,0> layer5_t;
typedef ap_fixed<16,6> fc2_weight_t;
typedef ap_fixed<16,6> fc2_bias_t;
typedef ap_uint<1> layer5_index;
typedef ap_fixed<12,4> layer6_t;
typedef ap_ufixed<8,-2> lrelu_param_t;
typedef ap_fixed<18,8> lrelu_table_t;
typedef ap_fixed<10,3,AP_RND_CONV,AP_SAT,0> layer7_t;
typedef ap_fixed<18,8> lin_table_t;
typedef ap_fixed<30,13> fc3_accum_t;
typedef ap_fixed<30,13> fc3_result_t;
typedef ap_fixed<16,6> fc3_weight_t;
typedef ap_fixed<16,6> fc3_bias_t;
typedef ap_uint<1> layer8_index;
typedef ap_fixed<16,6> layer9_t;
typedef ap_fixed<18,8> fc3_tanh_table_t;
typedef ap_fixed<16,6> result_t;
typedef ap_fixed<18,8> sig_table_t;

// hls-fpga-machine-learning insert emulator-defines


#endif
