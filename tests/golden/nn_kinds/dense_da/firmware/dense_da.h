#ifndef TOP_H_
#define TOP_H_
#include "defines.h"
void dense_da(
    x_t x[N_X],
    y_t y[2],
    h_t h[3]
);
#endif
