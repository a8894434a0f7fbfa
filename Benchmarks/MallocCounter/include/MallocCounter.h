#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H

/// The number of heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc) made by this process so
/// far, or -1 where they cannot be counted (only glibc's allocator is interposed).
long long malloc_counter_total(void);

#endif
