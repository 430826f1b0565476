#ifndef TOP_H_
#define TOP_H_
#include "defines.h"
void concat_nd(
    p_t p[N_P],
    q_t q[N_Q],
    r_t r[N_R],
    u_t u[N_U],
    v_t v[N_V],
    c2_last_t c2_last[14],
    c2_first_t c2_first[12],
    c3_last_t c3_last[24],
    c3_mid_t c3_mid[24],
    c3_first_t c3_first[24]
);
#endif
