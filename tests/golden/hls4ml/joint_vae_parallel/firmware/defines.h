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
typedef ap_fixed<24,10> down_accum_t;
typedef ap_fixed<16,6> layer2_t;
typedef ap_fixed<24,10> stem_accum_t;
typedef ap_fixed<16,6> layer3_t;
typedef ap_fixed<8,3> stem_weight_t;
typedef ap_fixed<8,3> stem_bias_t;
typedef ap_ufixed<12,6> layer4_t;
typedef ap_fixed<18,8> stem_relu_table_t;
typedef ap_fixed<24,10> b1c1_accum_t;
typedef ap_fixed<16,6> layer5_t;
typedef ap_fixed<8,3> b1c1_weight_t;
typedef ap_fixed<8,3> b1c1_bias_t;
typedef ap_ufixed<12,6> layer6_t;
typedef ap_fixed<18,8> b1r1_table_t;
typedef ap_fixed<24,10> b1c2_accum_t;
typedef ap_fixed<16,6> layer7_t;
typedef ap_fixed<8,3> b1c2_weight_t;
typedef ap_fixed<8,3> b1c2_bias_t;
typedef ap_fixed<17,7> layer8_t;
typedef ap_ufixed<12,6> layer9_t;
typedef ap_fixed<18,8> b1out_table_t;
typedef ap_ufixed<12,6> pool_accum_t;
typedef ap_ufixed<12,6> layer10_t;
typedef ap_fixed<24,10> b2c1_accum_t;
typedef ap_fixed<16,6> layer11_t;
typedef ap_fixed<8,3> b2c1_weight_t;
typedef ap_fixed<8,3> b2c1_bias_t;
typedef ap_fixed<24,10> b2skip_accum_t;
typedef ap_fixed<16,6> layer12_t;
typedef ap_fixed<8,3> b2skip_weight_t;
typedef ap_fixed<8,3> b2skip_bias_t;
typedef ap_ufixed<12,6> layer13_t;
typedef ap_fixed<18,8> b2r1_table_t;
typedef ap_fixed<20,8> skippool_accum_t;
typedef ap_fixed<16,6> layer14_t;
typedef ap_fixed<24,10> b2c2_accum_t;
typedef ap_fixed<16,6> layer15_t;
typedef ap_fixed<8,3> b2c2_weight_t;
typedef ap_fixed<8,3> b2c2_bias_t;
typedef ap_fixed<17,7> layer16_t;
typedef ap_ufixed<12,6> layer17_t;
typedef ap_fixed<18,8> b2out_table_t;
typedef ap_fixed<24,10> cat_logits_accum_t;
typedef ap_fixed<16,6> layer19_t;
typedef ap_fixed<8,3> cat_logits_weight_t;
typedef ap_fixed<8,3> cat_logits_bias_t;
typedef ap_uint<1> layer19_index;
typedef ap_fixed<24,10> z_mean_accum_t;
typedef ap_fixed<16,6> layer20_t;
typedef ap_fixed<8,3> z_mean_weight_t;
typedef ap_fixed<8,3> z_mean_bias_t;
typedef ap_uint<1> layer20_index;
typedef ap_fixed<24,10> z_logvar_accum_t;
typedef ap_fixed<16,6> layer21_t;
typedef ap_fixed<8,3> z_logvar_weight_t;
typedef ap_fixed<8,3> z_logvar_bias_t;
typedef ap_uint<1> layer21_index;
typedef ap_fixed<18,8,AP_RND,AP_SAT,0> cat_accum_t;
typedef ap_fixed<16,6> layer22_t;
typedef ap_fixed<18,8> cat_table_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT,0> cat_exp_table_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT,0> cat_inv_table_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT,0> cat_inv_inp_t;

// hls-fpga-machine-learning insert emulator-defines


#endif
