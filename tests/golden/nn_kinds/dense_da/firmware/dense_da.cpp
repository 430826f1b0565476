#include "dense_da.h"
#include "parameters.h"

void dense_da(
    x_t x[N_X],
    y_t y[2],
    h_t h[3]
) {
    // hls-fpga-machine-learning insert layers
    dense_da_code::dense_da_1<x_t, h_t>(x, h); // h
    hr_t hr[3];
    #pragma HLS ARRAY_PARTITION variable=hr complete dim=0
    nnet::relu<h_t, hr_t, config1>(h, hr); // hr
    dense_da_code::dense_da_2<hr_t, y_t>(hr, y); // y
}
