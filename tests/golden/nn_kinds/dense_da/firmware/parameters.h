#ifndef PARAMETERS_H_
#define PARAMETERS_H_
#include "defines.h"
#include "nnet_utils/nnet_function_stubs.h"
#include "nnet_utils/nnet_helpers.h"
#include "nnet_utils/nnet_activation.h"
#include "nnet_utils/nnet_dense.h"
#include "nnet_utils/nnet_merge.h"
#include "weights.h"
#include "code_gen.h"
struct config1 : nnet::activ_config {
    static const unsigned n_in = 3;
    static const unsigned table_size = 1024;
    static const unsigned io_type = nnet::io_parallel;
    static const unsigned reuse_factor = 1;
    typedef ap_fixed<18,8> table_t;
};
#endif
