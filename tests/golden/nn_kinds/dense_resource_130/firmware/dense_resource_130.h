#ifndef TOP_H_
#define TOP_H_
#include "defines.h"
void dense_resource_130(
    x_t x[N_X],
    d2_t d2[3],
    a0_t a0[4]
);
#endif
