#include <iostream>

#include "onnxnet.h"
#include "parameters.h"


void onnxnet(
    input_t global_in[10],
    result_t layer21_out[4]
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS ARRAY_RESHAPE variable=global_in complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer21_out complete dim=0
    #pragma HLS INTERFACE ap_vld port=global_in,layer21_out 
    #pragma HLS DATAFLOW

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<model_default_t, 80>(w19, "w19.txt");
        nnet::load_weights_from_txt<model_default_t, 8>(b19, "b19.txt");
        nnet::load_weights_from_txt<model_default_t, 48>(w20, "w20.txt");
        nnet::load_weights_from_txt<model_default_t, 6>(b20, "b20.txt");
        nnet::load_weights_from_txt<model_default_t, 24>(w21, "w21.txt");
        nnet::load_weights_from_txt<model_default_t, 4>(b21, "b21.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    Dense_MatMul_0_result_t layer19_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer19_out complete dim=0

    layer10_t layer10_out[8];
    #pragma HLS ARRAY_PARTITION variable=layer10_out complete dim=0

    Dense_MatMul_1_result_t layer20_out[6];
    #pragma HLS ARRAY_PARTITION variable=layer20_out complete dim=0

    layer13_t layer13_out[6];
    #pragma HLS ARRAY_PARTITION variable=layer13_out complete dim=0

    nnet::dense<input_t, Dense_MatMul_0_result_t, config19>(global_in, layer19_out, w19, b19); // Dense_MatMul_0

    nnet::tanh<Dense_MatMul_0_result_t, layer10_t, tanh_config10>(layer19_out, layer10_out); // Tanh_0

    nnet::dense<layer10_t, Dense_MatMul_1_result_t, config20>(layer10_out, layer20_out, w20, b20); // Dense_MatMul_1

    nnet::relu<Dense_MatMul_1_result_t, layer13_t, ReLU_config13>(layer20_out, layer13_out); // Relu_0

    nnet::dense<layer13_t, result_t, config21>(layer13_out, layer21_out, w21, b21); // Dense_MatMul_2

}

