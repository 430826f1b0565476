#ifndef PARAMETERS_H_
#define PARAMETERS_H_
#include "defines.h"
#include "nnet_utils/nnet_helpers.h"
#include "nnet_utils/nnet_activation.h"
#include "nnet_utils/nnet_dense.h"
#include "nnet_utils/nnet_merge.h"
#include "weights.h"
struct config0 : nnet::merge_config {
    static const unsigned n_elem = 8;
    static const unsigned n_elem1 = 8;
    static const unsigned n_elem2 = 8;
    static const unsigned reuse_factor = 1;
};
struct config1 : nnet::merge_config {
    static const unsigned n_elem = 8;
    static const unsigned n_elem1 = 8;
    static const unsigned n_elem2 = 8;
    static const unsigned reuse_factor = 1;
};
struct config2 : nnet::merge_config {
    static const unsigned n_elem = 8;
    static const unsigned n_elem1 = 8;
    static const unsigned n_elem2 = 8;
    static const unsigned reuse_factor = 1;
};
struct config3 : nnet::merge_config {
    static const unsigned n_elem = 8;
    static const unsigned n_elem1 = 8;
    static const unsigned n_elem2 = 8;
    static const unsigned reuse_factor = 1;
};
struct config4 : nnet::merge_config {
    static const unsigned n_elem = 8;
    static const unsigned n_elem1 = 8;
    static const unsigned n_elem2 = 8;
    static const unsigned reuse_factor = 1;
};
struct config5 : nnet::merge_config {
    static const unsigned n_elem = 8;
    static const unsigned n_elem1 = 8;
    static const unsigned n_elem2 = 8;
    static const unsigned reuse_factor = 1;
};
struct config6 : nnet::merge_config {
    static const unsigned n_elem = 8;
    static const unsigned n_elem1 = 8;
    static const unsigned n_elem2 = 1;
    static const unsigned reuse_factor = 1;
};
struct config7 : nnet::concat_config {
    static const unsigned n_elem1_0 = 8;
    static const unsigned n_elem1_1 = 0;
    static const unsigned n_elem1_2 = 0;
    static const unsigned n_elem2_0 = 8;
    static const unsigned n_elem2_1 = 0;
    static const unsigned n_elem2_2 = 0;
    static const int axis = -1;
};
struct config8 : nnet::dot_config {
    static const unsigned n_in = N_A;
    static const unsigned n_out = 1;
    static const unsigned reuse_factor = 1;
    typedef r_dot_accum_t accum_t;
    template<class x_T, class y_T>
    using product = nnet::product::mult<x_T, y_T>;
};
#endif
