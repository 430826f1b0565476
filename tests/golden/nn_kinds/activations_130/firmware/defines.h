#ifndef DEFINES_H_
#define DEFINES_H_
#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_utils/nnet_types.h"
static const unsigned N_X = 8;
typedef ap_fixed<10,4,AP_RND,AP_SAT> x_t;
typedef ap_ufixed<8,3,AP_RND,AP_SAT> r_relu6_t;
typedef ap_ufixed<6,2> r_relumax_t;
typedef ap_fixed<9,4> r_thr_t;
typedef ap_fixed<8,2> r_thr_param_t;
typedef ap_fixed<10,4,AP_RND_CONV,AP_SAT> r_prelu_t;
typedef ap_fixed<6,1> r_prelu_param_t;
typedef ap_ufixed<8,1,AP_RND,AP_SAT> r_hsig_t;
typedef ap_ufixed<16,0> r_hsig_slope_t;
typedef ap_ufixed<2,0> r_hsig_shift_t;
typedef ap_fixed<8,2,AP_RND,AP_SAT> r_htanh_t;
typedef ap_ufixed<16,0> r_htanh_slope_t;
typedef ap_ufixed<2,0> r_htanh_shift_t;
typedef ap_fixed<12,5,AP_RND,AP_SAT> r_softplus_t;
typedef ap_fixed<10,2> r_softsign_t;
typedef ap_fixed<10,4,AP_RND,AP_SAT> r_elu_t;
typedef ap_ufixed<8,1> r_elu_param_t;
typedef ap_fixed<12,5,AP_RND_CONV,AP_SAT> r_selu_t;
typedef ap_fixed<3,2> r_ternary_t;
typedef ap_fixed<3,2> r_binary_t;
typedef ap_ufixed<10,0,AP_RND,AP_SAT> r_sm_stable_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT> r_sm_stable_exp_table_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT> r_sm_stable_inv_table_t;
typedef ap_fixed<18,10> r_sm_stable_accum_t;
typedef ap_fixed<18,10> r_sm_stable_inv_inp_t;
typedef ap_ufixed<14,6> r_sm_stable_inp_norm_t;
typedef ap_ufixed<10,0,AP_RND,AP_SAT> r_sm_latency_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT> r_sm_latency_exp_table_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT> r_sm_latency_inv_table_t;
typedef ap_fixed<18,10> r_sm_latency_accum_t;
typedef ap_fixed<18,10> r_sm_latency_inv_inp_t;
typedef ap_ufixed<14,6> r_sm_latency_inp_norm_t;
typedef ap_ufixed<10,0,AP_RND,AP_SAT> r_sm_legacy_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT> r_sm_legacy_exp_table_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT> r_sm_legacy_inv_table_t;
typedef ap_fixed<18,10> r_sm_legacy_accum_t;
typedef ap_fixed<18,10> r_sm_legacy_inv_inp_t;
typedef ap_ufixed<14,6> r_sm_legacy_inp_norm_t;
typedef ap_ufixed<10,0,AP_RND,AP_SAT> r_sm_argmax_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT> r_sm_argmax_exp_table_t;
typedef ap_fixed<18,8,AP_RND,AP_SAT> r_sm_argmax_inv_table_t;
typedef ap_fixed<18,10> r_sm_argmax_accum_t;
typedef ap_fixed<18,10> r_sm_argmax_inv_inp_t;
typedef ap_ufixed<14,6> r_sm_argmax_inp_norm_t;
#endif
