#ifndef TOP_H_
#define TOP_H_
#include "defines.h"
void dense_resource_old(
    x_t x[N_X],
    d2_t d2[2],
    a0_t a0[6]
);
#endif
