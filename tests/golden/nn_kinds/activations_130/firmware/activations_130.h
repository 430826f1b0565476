#ifndef TOP_H_
#define TOP_H_
#include "defines.h"
void activations_130(
    x_t x[N_X],
    r_relu6_t r_relu6[8],
    r_relumax_t r_relumax[8],
    r_thr_t r_thr[8],
    r_prelu_t r_prelu[8],
    r_hsig_t r_hsig[8],
    r_htanh_t r_htanh[8],
    r_softplus_t r_softplus[8],
    r_softsign_t r_softsign[8],
    r_elu_t r_elu[8],
    r_selu_t r_selu[8],
    r_ternary_t r_ternary[8],
    r_binary_t r_binary[8],
    r_sm_stable_t r_sm_stable[8],
    r_sm_latency_t r_sm_latency[8],
    r_sm_legacy_t r_sm_legacy[8],
    r_sm_argmax_t r_sm_argmax[8]
);
#endif
