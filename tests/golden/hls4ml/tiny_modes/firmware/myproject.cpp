#include <iostream>

#include "myproject.h"
#include "parameters.h"

namespace l1t {

void myproject(
    hls::stream<input_t> &input_1,
    hls::stream<result_t> &layer6_out
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS INTERFACE axis port=input_1,layer6_out 
    #pragma HLS DATAFLOW

    // hls-fpga-machine-learning insert load weights

    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    hls::stream<layer2_t> layer2_out("layer2_out");
    #pragma HLS STREAM variable=layer2_out depth=1

    hls::stream<layer3_t> layer3_out("layer3_out");
    #pragma HLS STREAM variable=layer3_out depth=1

    hls::stream<layer4_t> layer4_out("layer4_out");
    #pragma HLS STREAM variable=layer4_out depth=1

    hls::stream<layer5_t> layer5_out("layer5_out");
    #pragma HLS STREAM variable=layer5_out depth=1

    nnet::dense<input_t, layer2_t, config2>(input_1, layer2_out, w2, b2); // _0

    nnet::leaky_relu<layer2_t, _1_param_t, layer3_t, leakyrelu_config3>(layer2_out, 0.5, layer3_out); // _1

    nnet::dense<layer3_t, layer4_t, config4>(layer3_out, layer4_out, w4, b4); // _2

    nnet::tanh<layer4_t, layer5_t, tanh_config5>(layer4_out, layer5_out); // _3

    nnet::dense<layer5_t, result_t, config6>(layer5_out, layer6_out, w6, b6); // _4

}

}
