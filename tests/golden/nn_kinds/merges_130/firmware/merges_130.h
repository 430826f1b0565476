#ifndef TOP_H_
#define TOP_H_
#include "defines.h"
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
);
#endif
