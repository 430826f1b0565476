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
typedef ap_fixed<16,6,AP_RND_CONV,AP_SAT,0> input_t;
typedef ap_fixed<16,6,AP_RND_CONV,AP_SAT,0> layer2_t;
typedef ap_fixed<16,6> layer3_t;
typedef ap_fixed<12,4> bn_scale_t;
typedef ap_fixed<12,4> bn_bias_t;
typedef ap_fixed<20,8> conv1_accum_t;
typedef ap_fixed<16,6> layer4_t;
typedef ap_fixed<8,3> conv1_weight_t;
typedef ap_uint<1> bias4_t;
typedef ap_ufixed<12,6> layer5_t;
typedef ap_fixed<18,8> relu1_table_t;
typedef ap_ufixed<16,8> pool1_accum_t;
typedef ap_ufixed<12,6> layer6_t;
typedef ap_fixed<20,8> conv2_accum_t;
typedef ap_fixed<16,6> layer7_t;
typedef ap_fixed<8,3> conv2_weight_t;
typedef ap_uint<1> bias7_t;
typedef ap_ufixed<12,6> layer8_t;
typedef ap_fixed<18,8> relu2_table_t;
typedef ap_ufixed<16,8> pool2_accum_t;
typedef ap_ufixed<12,6> layer9_t;
typedef ap_fixed<24,10> mu_accum_t;
typedef ap_fixed<16,6,AP_RND_CONV,AP_SAT,0> layer11_t;
typedef ap_fixed<8,3> mu_weight_t;
typedef ap_fixed<8,3> mu_bias_t;
typedef ap_uint<1> layer11_index;
typedef ap_fixed<24,10> logvar_accum_t;
typedef ap_fixed<16,6,AP_RND_CONV,AP_SAT,0> layer12_t;
typedef ap_fixed<8,3> logvar_weight_t;
typedef ap_fixed<8,3> logvar_bias_t;
typedef ap_uint<1> layer12_index;

// hls-fpga-machine-learning insert emulator-defines


#endif
