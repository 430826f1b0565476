#include "merges_130.h"
#include "parameters.h"

void merges_130(
    a_t a[N_A],
    b_t b[N_B],
    c_t c[N_C],
    r_add_t r_add[8],
    r_sub_t r_sub[8],
    r_mul_t r_mul[8],
    r_avg_t r_avg[8],
    r_max_t r_max[8],
    r_min_t r_min[8],
    r_bcast_t r_bcast[8],
    r_cat_t r_cat[16],
    r_dot_t r_dot[1]
) {
    // hls-fpga-machine-learning insert layers
    nnet::add<a_t, b_t, r_add_t, config0>(a, b, r_add); // r_add
    nnet::subtract<b_t, a_t, r_sub_t, config1>(b, a, r_sub); // r_sub
    nnet::multiply<a_t, b_t, r_mul_t, config2>(a, b, r_mul); // r_mul
    nnet::average<a_t, b_t, r_avg_t, config3>(a, b, r_avg); // r_avg
    nnet::maximum<a_t, b_t, r_max_t, config4>(a, b, r_max); // r_max
    nnet::minimum<a_t, b_t, r_min_t, config5>(a, b, r_min); // r_min
    nnet::add<a_t, c_t, r_bcast_t, config6>(a, c, r_bcast); // r_bcast
    nnet::concatenate1d<a_t, b_t, r_cat_t, config7>(a, b, r_cat); // r_cat
    nnet::dot1d<a_t, a_t, r_dot_t, config8>(a, a, r_dot); // r_dot
}
