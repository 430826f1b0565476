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
typedef nnet::array<ap_fixed<16,6>, 10*1> input_t;
typedef ap_fixed<37,17> enc_fc1_accum_t;
typedef nnet::array<ap_fixed<37,17>, 12*1> enc_fc1_result_t;
typedef ap_fixed<16,6> enc_fc1_weight_t;
typedef ap_fixed<16,6> enc_fc1_bias_t;
typedef ap_uint<1> layer2_index;
typedef nnet::array<ap_fixed<16,6>, 12*1> layer3_t;
typedef ap_fixed<18,8> act_in_table_t;
typedef nnet::array<ap_fixed<14,5,AP_RND_CONV,AP_SAT_SYM,0>, 12*1> layer4_t;
typedef ap_fixed<12,3,AP_RND,AP_SAT,0> bn_free_scale_t;
typedef ap_fixed<10,4> bn_free_bias_t;
typedef ap_fixed<35,16> enc_fc2_accum_t;
typedef nnet::array<ap_fixed<35,16>, 8*1> enc_fc2_result_t;
typedef ap_fixed<16,6> enc_fc2_weight_t;
typedef ap_fixed<16,6> enc_fc2_bias_t;
typedef ap_uint<1> layer5_index;
typedef nnet::array<ap_fixed<12,4,AP_RND,AP_SAT,0>, 8*1> layer6_t;
typedef ap_ufixed<8,-2> lrelu_odd_param_t;
typedef ap_fixed<18,8> lrelu_odd_table_t;
typedef ap_fixed<18,6,AP_RND_CONV,AP_SAT,0> enc_fc3_accum_t;
typedef nnet::array<ap_fixed<16,6,AP_RND,AP_SAT,0>, 6*1> layer7_t;
typedef ap_fixed<16,6> enc_fc3_weight_t;
typedef ap_fixed<16,6> enc_fc3_bias_t;
typedef ap_uint<1> layer7_index;
typedef ap_ufixed<10,0,AP_RND_CONV,AP_SAT,0> sig_out_table_t;
typedef nnet::array<ap_ufixed<8,0,AP_RND,AP_SAT,0>, 6*1> result_t;

// hls-fpga-machine-learning insert emulator-defines


#endif
