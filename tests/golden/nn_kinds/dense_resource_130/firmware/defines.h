#ifndef DEFINES_H_
#define DEFINES_H_
#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_utils/nnet_types.h"
static const unsigned N_X = 6;
typedef ap_fixed<10,3> x_t;
typedef ap_fixed<10,4> d0_t;
typedef ap_fixed<12,4,AP_RND,AP_SAT> d0_accum_t;
typedef ap_fixed<6,2> d0_weight_t;
typedef ap_fixed<6,2> d0_bias_t;
typedef ap_ufixed<8,3,AP_RND,AP_SAT> a0_t;
typedef ap_fixed<10,3> d1_t;
typedef ap_fixed<10,3,AP_RND_CONV,AP_SAT> d1_accum_t;
typedef ap_fixed<6,2> d1_weight_t;
typedef ap_fixed<6,2> d1_bias_t;
typedef ap_fixed<12,5> d2_t;
typedef ap_fixed<11,4,AP_RND,AP_SAT> d2_accum_t;
typedef ap_fixed<6,2> d2_weight_t;
typedef ap_fixed<6,2> d2_bias_t;
#endif
