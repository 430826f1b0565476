#include "concat_nd.h"
#include "parameters.h"

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
) {
    // hls-fpga-machine-learning insert layers
    nnet::concatenate2d<p_t, q_t, c2_last_t, config0>(p, q, c2_last); // c2_last
    nnet::concatenate2d<p_t, r_t, c2_first_t, config1>(p, r, c2_first); // c2_first
    nnet::concatenate3d<u_t, v_t, c3_last_t, config2>(u, v, c3_last); // c3_last
    nnet::concatenate3d<u_t, v_t, c3_mid_t, config3>(u, v, c3_mid); // c3_mid
    nnet::concatenate3d<u_t, v_t, c3_first_t, config4>(u, v, c3_first); // c3_first
}
