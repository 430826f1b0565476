#ifndef PARAMETERS_H_
#define PARAMETERS_H_
#include "defines.h"
#include "nnet_utils/nnet_helpers.h"
#include "nnet_utils/nnet_activation.h"
#include "nnet_utils/nnet_dense.h"
#include "nnet_utils/nnet_merge.h"
#include "weights.h"
struct config0 : nnet::concat_config {
    static const unsigned n_elem1_0 = 2;
    static const unsigned n_elem1_1 = 3;
    static const unsigned n_elem1_2 = 0;
    static const unsigned n_elem2_0 = 2;
    static const unsigned n_elem2_1 = 4;
    static const unsigned n_elem2_2 = 0;
    static const int axis = -1;
};
struct config1 : nnet::concat_config {
    static const unsigned n_elem1_0 = 2;
    static const unsigned n_elem1_1 = 3;
    static const unsigned n_elem1_2 = 0;
    static const unsigned n_elem2_0 = 2;
    static const unsigned n_elem2_1 = 3;
    static const unsigned n_elem2_2 = 0;
    static const int axis = 1;
};
struct config2 : nnet::concat_config {
    static const unsigned n_elem1_0 = 2;
    static const unsigned n_elem1_1 = 3;
    static const unsigned n_elem1_2 = 2;
    static const unsigned n_elem2_0 = 2;
    static const unsigned n_elem2_1 = 3;
    static const unsigned n_elem2_2 = 2;
    static const int axis = -1;
};
struct config3 : nnet::concat_config {
    static const unsigned n_elem1_0 = 2;
    static const unsigned n_elem1_1 = 3;
    static const unsigned n_elem1_2 = 2;
    static const unsigned n_elem2_0 = 2;
    static const unsigned n_elem2_1 = 3;
    static const unsigned n_elem2_2 = 2;
    static const int axis = 2;
};
struct config4 : nnet::concat_config {
    static const unsigned n_elem1_0 = 2;
    static const unsigned n_elem1_1 = 3;
    static const unsigned n_elem1_2 = 2;
    static const unsigned n_elem2_0 = 2;
    static const unsigned n_elem2_1 = 3;
    static const unsigned n_elem2_2 = 2;
    static const int axis = 1;
};
#endif
