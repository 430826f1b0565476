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
typedef nnet::array<ap_fixed<16,6>, 1*1> input_t;
typedef nnet::array<ap_fixed<16,6>, 1*1> layer2_t;
typedef nnet::array<ap_fixed<16,6>, 1*1> layer3_t;
typedef ap_fixed<12,4> bn_scale_t;
typedef ap_fixed<12,4> bn_bias_t;
typedef nnet::array<ap_fixed<16,6>, 1*1> layer14_t;
typedef ap_fixed<14,5,AP_RND,AP_SAT,0> conv1_accum_t;
typedef nnet::array<ap_fixed<16,6>, 16*1> layer4_t;
typedef ap_fixed<8,3> conv1_weight_t;
typedef ap_uint<1> bias4_t;
typedef nnet::array<ap_ufixed<12,6>, 16*1> layer5_t;
typedef ap_fixed<18,8> relu1_table_t;
typedef ap_ufixed<16,8> pool1_accum_t;
typedef nnet::array<ap_ufixed<12,6>, 16*1> layer6_t;
typedef nnet::array<ap_ufixed<12,6>, 16*1> layer15_t;
typedef ap_fixed<20,8> conv2_accum_t;
typedef nnet::array<ap_fixed<16,6>, 32*1> layer7_t;
typedef ap_fixed<8,3> conv2_weight_t;
typedef ap_uint<1> bias7_t;
typedef nnet::array<ap_ufixed<12,6>, 32*1> layer8_t;
typedef ap_fixed<18,8> relu2_table_t;
typedef ap_ufixed<12,8,AP_RND,AP_SAT,0> pool2_accum_t;
typedef nnet::array<ap_ufixed<12,6>, 32*1> layer9_t;
typedef ap_fixed<24,10> mu_accum_t;
typedef nnet::array<ap_fixed<16,6>, 8*1> layer11_t;
typedef ap_fixed<8,3> mu_weight_t;
typedef ap_fixed<8,3> mu_bias_t;
typedef ap_uint<1> layer11_index;
typedef ap_fixed<24,10> logvar_accum_t;
typedef nnet::array<ap_fixed<16,6>, 8*1> layer12_t;
typedef ap_fixed<8,3> logvar_weight_t;
typedef ap_fixed<8,3> logvar_bias_t;
typedef ap_uint<1> layer12_index;

// hls-fpga-machine-learning insert emulator-defines


#endif
