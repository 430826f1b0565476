#ifndef DEFINES_H_
#define DEFINES_H_
#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_utils/nnet_types.h"
static const unsigned N_P = 6;
static const unsigned N_Q = 8;
static const unsigned N_R = 6;
static const unsigned N_U = 12;
static const unsigned N_V = 12;
typedef ap_fixed<8,3> p_t;
typedef ap_fixed<9,4,AP_RND,AP_SAT> q_t;
typedef ap_ufixed<7,2> r_t;
typedef ap_fixed<8,3> u_t;
typedef ap_fixed<6,4,AP_RND,AP_SAT> v_t;
typedef ap_fixed<10,5> c2_last_t;
typedef ap_fixed<9,4> c2_first_t;
typedef ap_fixed<9,4> c3_last_t;
typedef ap_fixed<9,4> c3_mid_t;
typedef ap_fixed<7,3,AP_RND,AP_SAT> c3_first_t;
#endif
