#ifndef WEIGHTS_H_
#define WEIGHTS_H_
#include "defines.h"
r_prelu_param_t a3[8] = {-0.59375, 0.03125, 0.6875, 0.1875, 0.625, -0.0625, -0.59375, -0.59375};
#endif
