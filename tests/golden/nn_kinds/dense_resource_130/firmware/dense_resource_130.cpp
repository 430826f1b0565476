#include "dense_resource_130.h"
#include "parameters.h"

void dense_resource_130(
    x_t x[N_X],
    d2_t d2[3],
    a0_t a0[4]
) {
    // hls-fpga-machine-learning insert layers
    d0_t d0[4];
    #pragma HLS ARRAY_PARTITION variable=d0 complete dim=0
    nnet::dense<x_t, d0_t, config0>(x, d0, w0, b0); // d0
    auto& a0_in = d0;
    nnet::relu<d0_t, a0_t, config1>(a0_in, a0); // a0
    d1_t d1[4];
    #pragma HLS ARRAY_PARTITION variable=d1 complete dim=0
    nnet::dense<a0_t, d1_t, config2>(a0, d1, w2, b2); // d1
    nnet::dense<d1_t, d2_t, config3>(d1, d2, w3, b3); // d2
}
