#include <iostream>

#include "myproject.h"
#include "parameters.h"


void myproject(
    input_t img[40*40*1],
    layer20_t layer20_out[32], layer21_t layer21_out[32], layer22_t layer22_out[20]
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS ARRAY_RESHAPE variable=img complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer20_out complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer21_out complete dim=0
    #pragma HLS ARRAY_PARTITION variable=layer22_out complete dim=0
    #pragma HLS INTERFACE ap_vld port=img,layer20_out,layer21_out,layer22_out 
    #pragma HLS DATAFLOW

    // hls-fpga-machine-learning insert load weights
#ifndef __SYNTHESIS__
    static bool loaded_weights = false;
    if (!loaded_weights) {
        nnet::load_weights_from_txt<stem_weight_t, 72>(w3, "w3.txt");
        nnet::load_weights_from_txt<stem_bias_t, 8>(b3, "b3.txt");
        nnet::load_weights_from_txt<b1c1_weight_t, 576>(w5, "w5.txt");
        nnet::load_weights_from_txt<b1c1_bias_t, 8>(b5, "b5.txt");
        nnet::load_weights_from_txt<b1c2_weight_t, 576>(w7, "w7.txt");
        nnet::load_weights_from_txt<b1c2_bias_t, 8>(b7, "b7.txt");
        nnet::load_weights_from_txt<b2c1_weight_t, 1152>(w11, "w11.txt");
        nnet::load_weights_from_txt<b2c1_bias_t, 16>(b11, "b11.txt");
        nnet::load_weights_from_txt<b2skip_weight_t, 128>(w12, "w12.txt");
        nnet::load_weights_from_txt<b2skip_bias_t, 16>(b12, "b12.txt");
        nnet::load_weights_from_txt<b2c2_weight_t, 2304>(w15, "w15.txt");
        nnet::load_weights_from_txt<b2c2_bias_t, 16>(b15, "b15.txt");
        nnet::load_weights_from_txt<cat_logits_weight_t, 2880>(w19, "w19.txt");
        nnet::load_weights_from_txt<cat_logits_bias_t, 20>(b19, "b19.txt");
        nnet::load_weights_from_txt<z_mean_weight_t, 4608>(w20, "w20.txt");
        nnet::load_weights_from_txt<z_mean_bias_t, 32>(b20, "b20.txt");
        nnet::load_weights_from_txt<z_logvar_weight_t, 4608>(w21, "w21.txt");
        nnet::load_weights_from_txt<z_logvar_bias_t, 32>(b21, "b21.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    layer2_t layer2_out[10*10*1];
    #pragma HLS ARRAY_PARTITION variable=layer2_out complete dim=0

    layer3_t layer3_out[10*10*8];
    #pragma HLS ARRAY_PARTITION variable=layer3_out complete dim=0

    layer4_t layer4_out[10*10*8];
    #pragma HLS ARRAY_PARTITION variable=layer4_out complete dim=0

    layer5_t layer5_out[10*10*8];
    #pragma HLS ARRAY_PARTITION variable=layer5_out complete dim=0

    layer6_t layer6_out[10*10*8];
    #pragma HLS ARRAY_PARTITION variable=layer6_out complete dim=0

    layer7_t layer7_out[10*10*8];
    #pragma HLS ARRAY_PARTITION variable=layer7_out complete dim=0

    layer8_t layer8_out[10*10*8];
    #pragma HLS ARRAY_PARTITION variable=layer8_out complete dim=0

    layer9_t layer9_out[10*10*8];
    #pragma HLS ARRAY_PARTITION variable=layer9_out complete dim=0

    layer10_t layer10_out[5*5*8];
    #pragma HLS ARRAY_PARTITION variable=layer10_out complete dim=0

    layer11_t layer11_out[5*5*16];
    #pragma HLS ARRAY_PARTITION variable=layer11_out complete dim=0

    layer12_t layer12_out[5*5*16];
    #pragma HLS ARRAY_PARTITION variable=layer12_out complete dim=0

    layer13_t layer13_out[5*5*16];
    #pragma HLS ARRAY_PARTITION variable=layer13_out complete dim=0

    layer14_t layer14_out[3*3*16];
    #pragma HLS ARRAY_PARTITION variable=layer14_out complete dim=0

    layer15_t layer15_out[3*3*16];
    #pragma HLS ARRAY_PARTITION variable=layer15_out complete dim=0

    layer16_t layer16_out[3*3*16];
    #pragma HLS ARRAY_PARTITION variable=layer16_out complete dim=0

    layer17_t layer17_out[3*3*16];
    #pragma HLS ARRAY_PARTITION variable=layer17_out complete dim=0

    auto& layer18_out = layer17_out;
    layer19_t layer19_out[20];
    #pragma HLS ARRAY_PARTITION variable=layer19_out complete dim=0

    nnet::pooling2d_cl<input_t, layer2_t, config2>(img, layer2_out); // down
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer2_t>(layer2_out, "down", 10*10*1);
#endif

    nnet::conv_2d_cl<layer2_t, layer3_t, config3>(layer2_out, layer3_out, w3, b3); // stem
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer3_t>(layer3_out, "stem", 10*10*8);
#endif

    nnet::relu<layer3_t, layer4_t, relu_config4>(layer3_out, layer4_out); // stem_relu
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer4_t>(layer4_out, "stem_relu", 10*10*8);
#endif

    nnet::conv_2d_cl<layer4_t, layer5_t, config5>(layer4_out, layer5_out, w5, b5); // b1c1
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer5_t>(layer5_out, "b1c1", 10*10*8);
#endif

    nnet::relu<layer5_t, layer6_t, relu_config6>(layer5_out, layer6_out); // b1r1
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer6_t>(layer6_out, "b1r1", 10*10*8);
#endif

    nnet::conv_2d_cl<layer6_t, layer7_t, config7>(layer6_out, layer7_out, w7, b7); // b1c2
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer7_t>(layer7_out, "b1c2", 10*10*8);
#endif

    nnet::add<layer4_t, layer7_t, layer8_t, config8>(layer4_out, layer7_out, layer8_out); // b1add
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer8_t>(layer8_out, "b1add", 10*10*8);
#endif

    nnet::relu<layer8_t, layer9_t, relu_config9>(layer8_out, layer9_out); // b1out
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer9_t>(layer9_out, "b1out", 10*10*8);
#endif

    nnet::pooling2d_cl<layer9_t, layer10_t, config10>(layer9_out, layer10_out); // pool
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer10_t>(layer10_out, "pool", 5*5*8);
#endif

    nnet::conv_2d_cl<layer10_t, layer11_t, config11>(layer10_out, layer11_out, w11, b11); // b2c1
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer11_t>(layer11_out, "b2c1", 5*5*16);
#endif

    nnet::pointwise_conv_2d_cl<layer10_t, layer12_t, config23>(layer10_out, layer12_out, w12, b12); // b2skip
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer12_t>(layer12_out, "b2skip", 5*5*16);
#endif

    nnet::relu<layer11_t, layer13_t, relu_config13>(layer11_out, layer13_out); // b2r1
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer13_t>(layer13_out, "b2r1", 5*5*16);
#endif

    nnet::pooling2d_cl<layer12_t, layer14_t, config14>(layer12_out, layer14_out); // skippool
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer14_t>(layer14_out, "skippool", 3*3*16);
#endif

    nnet::conv_2d_cl<layer13_t, layer15_t, config15>(layer13_out, layer15_out, w15, b15); // b2c2
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer15_t>(layer15_out, "b2c2", 3*3*16);
#endif

    nnet::add<layer14_t, layer15_t, layer16_t, config16>(layer14_out, layer15_out, layer16_out); // b2add
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer16_t>(layer16_out, "b2add", 3*3*16);
#endif

    nnet::relu<layer16_t, layer17_t, relu_config17>(layer16_out, layer17_out); // b2out
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer17_t>(layer17_out, "b2out", 3*3*16);
#endif

    nnet::dense<layer17_t, layer19_t, config19>(layer18_out, layer19_out, w19, b19); // cat_logits
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer19_t>(layer19_out, "cat_logits", 20);
#endif

    nnet::dense<layer17_t, layer20_t, config20>(layer18_out, layer20_out, w20, b20); // z_mean
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer20_t>(layer20_out, "z_mean", 32);
#endif

    nnet::dense<layer17_t, layer21_t, config21>(layer18_out, layer21_out, w21, b21); // z_logvar
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer21_t>(layer21_out, "z_logvar", 32);
#endif

    nnet::softmax<layer19_t, layer22_t, softmax_config22>(layer19_out, layer22_out); // cat
#ifndef __SYNTHESIS__
    nnet::save_layer_output<layer22_t>(layer22_out, "cat", 20);
#endif

}

