#include "merges_old.h"
#include "parameters.h"

void merges_old(
    a_t a[N_A],
    b_t b[N_B],
    d_t d[N_D],
    r_add_t r_add[8],
    r_sub_t r_sub[8],
    r_mul_t r_mul[8],
    r_avg_t r_avg[8],
    r_avg2_t r_avg2[8],
    r_max_t r_max[8],
    r_min_t r_min[8],
    r_dot_t r_dot[1]
) {
    // hls-fpga-machine-learning insert layers
    nnet::add<a_t, d_t, r_add_t, config0>(a, d, r_add); // r_add
    nnet::subtract<a_t, d_t, r_sub_t, config1>(a, d, r_sub); // r_sub
    nnet::multiply<a_t, d_t, r_mul_t, config2>(a, d, r_mul); // r_mul
    nnet::average<a_t, d_t, r_avg_t, config3>(a, d, r_avg); // r_avg
    nnet::average<a_t, b_t, r_avg2_t, config4>(a, b, r_avg2); // r_avg2
    nnet::maximum<a_t, b_t, r_max_t, config5>(a, b, r_max); // r_max
    nnet::minimum<a_t, b_t, r_min_t, config6>(a, b, r_min); // r_min
    nnet::dot1d<a_t, d_t, r_dot_t, config7>(a, d, r_dot); // r_dot
}
