#ifndef DEFINES_H_
#define DEFINES_H_
#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_utils/nnet_types.h"
static const unsigned N_A = 8;
static const unsigned N_B = 8;
static const unsigned N_C = 1;
typedef ap_fixed<10,4,AP_RND,AP_SAT> a_t;
typedef ap_ufixed<9,3> b_t;
typedef ap_fixed<6,2> c_t;
typedef ap_fixed<9,3,AP_RND_CONV,AP_SAT> r_add_t;
typedef ap_fixed<12,5> r_sub_t;
typedef ap_fixed<10,4,AP_RND_ZERO,AP_SAT_SYM> r_mul_t;
typedef ap_fixed<8,3,AP_RND,AP_WRAP> r_avg_t;
typedef ap_fixed<8,2,AP_TRN,AP_SAT> r_max_t;
typedef ap_ufixed<7,3,AP_RND_INF,AP_SAT> r_min_t;
typedef ap_fixed<10,5> r_bcast_t;
typedef ap_fixed<12,5,AP_RND,AP_SAT> r_cat_t;
typedef ap_fixed<12,8> r_dot_t;
typedef ap_fixed<14,7,AP_RND,AP_SAT> r_dot_accum_t;
#endif
