#include <iostream>

#include "vstream.h"
#include "parameters.h"


void vstream(
    hls::stream<input_t> &input_1,
    hls::stream<result_t> &layer5_out
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS INTERFACE axis port=input_1,layer5_out 
    #pragma HLS DATAFLOW

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<_0_weight_t, 48>(w2, "w2.txt");
        nnet::load_weights_from_txt<_0_bias_t, 6>(b2, "b2.txt");
        nnet::load_weights_from_txt<_2_weight_t, 24>(w4, "w4.txt");
        nnet::load_weights_from_txt<_2_bias_t, 4>(b4, "b4.txt");
        loaded_weights = true;    }
#endif
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

    nnet::dense<input_t, layer2_t, config2>(input_1, layer2_out, w2, b2); // _0

    nnet::relu<layer2_t, layer3_t, relu_config3>(layer2_out, layer3_out); // _1

    nnet::dense<layer3_t, layer4_t, config4>(layer3_out, layer4_out, w4, b4); // _2

    nnet::sigmoid<layer4_t, result_t, sigmoid_config5>(layer4_out, layer5_out); // _3

}

