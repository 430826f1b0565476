#ifndef DEFINES_H_
#define DEFINES_H_
#include "ap_fixed.h"
#include "ap_int.h"
#include "nnet_utils/nnet_types.h"
static const unsigned N_X = 4;
typedef ap_fixed<8,3,AP_RND,AP_SAT> x_t;
typedef ap_fixed<10,4,AP_RND_CONV,AP_SAT> h_t;
typedef ap_ufixed<7,3,AP_RND,AP_SAT> hr_t;
typedef ap_fixed<9,4,AP_RND,AP_SAT> y_t;
#endif
