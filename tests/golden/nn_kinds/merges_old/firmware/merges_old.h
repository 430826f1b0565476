#ifndef TOP_H_
#define TOP_H_
#include "defines.h"
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
);
#endif
