/* stats: order statistics for the load generator's latency samples. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

/* Sorts v[0..n) in place and returns its q-quantile (0 <= q <= 1), linearly
 * interpolated between the two nearest ranks; 0 when n is 0. */
double stats_quantile(double *v, size_t n, double q);

#endif
