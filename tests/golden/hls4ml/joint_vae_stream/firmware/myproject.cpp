#include <iostream>

#include "myproject.h"
#include "parameters.h"


void myproject(
    hls::stream<input_t> &img,
    hls::stream<layer19_t> &layer19_out, hls::stream<layer20_t> &layer20_out, hls::stream<layer21_t> &layer21_out
) {

    // hls-fpga-machine-learning insert IO
    #pragma HLS INTERFACE axis port=img,layer19_out,layer20_out,layer21_out 
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
        nnet::load_weights_from_txt<b2skip_weight_t, 128>(w13, "w13.txt");
        nnet::load_weights_from_txt<b2skip_bias_t, 16>(b13, "b13.txt");
        nnet::load_weights_from_txt<b2c2_weight_t, 2304>(w14, "w14.txt");
        nnet::load_weights_from_txt<b2c2_bias_t, 16>(b14, "b14.txt");
        nnet::load_weights_from_txt<cat_logits_weight_t, 2880>(w18, "w18.txt");
        nnet::load_weights_from_txt<cat_logits_bias_t, 20>(b18, "b18.txt");
        nnet::load_weights_from_txt<z_mean_weight_t, 4608>(w19, "w19.txt");
        nnet::load_weights_from_txt<z_mean_bias_t, 32>(b19, "b19.txt");
        nnet::load_weights_from_txt<z_logvar_weight_t, 4608>(w20, "w20.txt");
        nnet::load_weights_from_txt<z_logvar_bias_t, 32>(b20, "b20.txt");
        loaded_weights = true;    }
#endif
    // ****************************************
    // NETWORK INSTANTIATION
    // ****************************************

    // hls-fpga-machine-learning insert layers

    hls::stream<layer2_t> layer2_out("layer2_out");
    #pragma HLS STREAM variable=layer2_out depth=100

    hls::stream<layer25_t> layer25_out("layer25_out");
    #pragma HLS STREAM variable=layer25_out depth=144

    hls::stream<layer3_t> layer3_out("layer3_out");
    #pragma HLS STREAM variable=layer3_out depth=100

    hls::stream<layer4_t> layer4_out("layer4_out");
    #pragma HLS STREAM variable=layer4_out depth=100

    hls::stream<layer4_t> layer22_cpy1("layer22_cpy1");
    #pragma HLS STREAM variable=layer22_cpy1 depth=100

    hls::stream<layer4_t> layer22_cpy2("layer22_cpy2");
    #pragma HLS STREAM variable=layer22_cpy2 depth=100

    hls::stream<layer26_t> layer26_out("layer26_out");
    #pragma HLS STREAM variable=layer26_out depth=144

    hls::stream<layer5_t> layer5_out("layer5_out");
    #pragma HLS STREAM variable=layer5_out depth=100

    hls::stream<layer6_t> layer6_out("layer6_out");
    #pragma HLS STREAM variable=layer6_out depth=100

    hls::stream<layer27_t> layer27_out("layer27_out");
    #pragma HLS STREAM variable=layer27_out depth=144

    hls::stream<layer7_t> layer7_out("layer7_out");
    #pragma HLS STREAM variable=layer7_out depth=100

    hls::stream<layer8_t> layer8_out("layer8_out");
    #pragma HLS STREAM variable=layer8_out depth=100

    hls::stream<layer9_t> layer9_out("layer9_out");
    #pragma HLS STREAM variable=layer9_out depth=100

    hls::stream<layer10_t> layer10_out("layer10_out");
    #pragma HLS STREAM variable=layer10_out depth=25

    hls::stream<layer10_t> layer23_cpy1("layer23_cpy1");
    #pragma HLS STREAM variable=layer23_cpy1 depth=25

    hls::stream<layer10_t> layer23_cpy2("layer23_cpy2");
    #pragma HLS STREAM variable=layer23_cpy2 depth=25

    hls::stream<layer28_t> layer28_out("layer28_out");
    #pragma HLS STREAM variable=layer28_out depth=49

    hls::stream<layer11_t> layer11_out("layer11_out");
    #pragma HLS STREAM variable=layer11_out depth=25

    hls::stream<layer12_t> layer12_out("layer12_out");
    #pragma HLS STREAM variable=layer12_out depth=25

    hls::stream<layer29_t> layer29_out("layer29_out");
    #pragma HLS STREAM variable=layer29_out depth=49

    hls::stream<layer13_t> layer13_out("layer13_out");
    #pragma HLS STREAM variable=layer13_out depth=9

    hls::stream<layer14_t> layer14_out("layer14_out");
    #pragma HLS STREAM variable=layer14_out depth=9

    hls::stream<layer15_t> layer15_out("layer15_out");
    #pragma HLS STREAM variable=layer15_out depth=9

    hls::stream<layer16_t> layer16_out("layer16_out");
    #pragma HLS STREAM variable=layer16_out depth=9

    auto& layer17_out = layer16_out;
    hls::stream<layer16_t> layer24_cpy1("layer24_cpy1");
    #pragma HLS STREAM variable=layer24_cpy1 depth=1

    hls::stream<layer16_t> layer24_cpy2("layer24_cpy2");
    #pragma HLS STREAM variable=layer24_cpy2 depth=1

    hls::stream<layer16_t> layer24_cpy3("layer24_cpy3");
    #pragma HLS STREAM variable=layer24_cpy3 depth=1

    hls::stream<layer18_t> layer18_out("layer18_out");
    #pragma HLS STREAM variable=layer18_out depth=1

    nnet::pooling2d_cl<input_t, layer2_t, config2>(img, layer2_out); // down

    nnet::zeropad2d_cl<layer2_t, layer25_t, config25>(layer2_out, layer25_out); // zp2d_stem

    nnet::conv_2d_cl<layer25_t, layer3_t, config3>(layer25_out, layer3_out, w3, b3); // stem

    nnet::relu<layer3_t, layer4_t, relu_config4>(layer3_out, layer4_out); // stem_relu

    nnet::clone_stream<layer4_t, layer4_t, 800>(layer4_out, layer22_cpy1, layer22_cpy2); // clone_stem_relu

    nnet::zeropad2d_cl<layer4_t, layer26_t, config26>(layer22_cpy1, layer26_out); // zp2d_b1c1

    nnet::conv_2d_cl<layer26_t, layer5_t, config5>(layer26_out, layer5_out, w5, b5); // b1c1

    nnet::relu<layer5_t, layer6_t, relu_config6>(layer5_out, layer6_out); // b1r1

    nnet::zeropad2d_cl<layer6_t, layer27_t, config27>(layer6_out, layer27_out); // zp2d_b1c2

    nnet::conv_2d_cl<layer27_t, layer7_t, config7>(layer27_out, layer7_out, w7, b7); // b1c2

    nnet::add<layer4_t, layer7_t, layer8_t, config8>(layer22_cpy2, layer7_out, layer8_out); // b1add

    nnet::relu<layer8_t, layer9_t, relu_config9>(layer8_out, layer9_out); // b1out

    nnet::pooling2d_cl<layer9_t, layer10_t, config10>(layer9_out, layer10_out); // pool

    nnet::clone_stream<layer10_t, layer10_t, 200>(layer10_out, layer23_cpy1, layer23_cpy2); // clone_pool

    nnet::zeropad2d_cl<layer10_t, layer28_t, config28>(layer23_cpy1, layer28_out); // zp2d_b2c1

    nnet::conv_2d_cl<layer28_t, layer11_t, config11>(layer28_out, layer11_out, w11, b11); // b2c1

    nnet::relu<layer11_t, layer12_t, relu_config12>(layer11_out, layer12_out); // b2r1

    nnet::zeropad2d_cl<layer12_t, layer29_t, config29>(layer12_out, layer29_out); // zp2d_b2c2

    nnet::pointwise_conv_2d_cl<layer10_t, layer13_t, config30>(layer23_cpy2, layer13_out, w13, b13); // b2skip

    nnet::conv_2d_cl<layer29_t, layer14_t, config14>(layer29_out, layer14_out, w14, b14); // b2c2

    nnet::add<layer13_t, layer14_t, layer15_t, config15>(layer13_out, layer14_out, layer15_out); // b2add

    nnet::relu<layer15_t, layer16_t, relu_config16>(layer15_out, layer16_out); // b2out

    nnet::clone_stream<layer16_t, layer16_t, 144>(layer17_out, layer24_cpy1, layer24_cpy2, layer24_cpy3); // clone_flat

    nnet::dense<layer16_t, layer18_t, config18>(layer24_cpy1, layer18_out, w18, b18); // cat_logits

    nnet::dense<layer16_t, layer19_t, config19>(layer24_cpy2, layer19_out, w19, b19); // z_mean

    nnet::dense<layer16_t, layer20_t, config20>(layer24_cpy3, layer20_out, w20, b20); // z_logvar

    nnet::softmax<layer18_t, layer21_t, softmax_config21>(layer18_out, layer21_out); // cat

}

