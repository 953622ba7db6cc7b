#ifndef DOSECALC_CFFTW_SHIM_H
#define DOSECALC_CFFTW_SHIM_H
/* FFTW 3 (apt libfftw3-dev), double precision. */
#include <fftw3.h>
#endif
