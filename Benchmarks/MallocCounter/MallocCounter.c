// Counts heap allocations by interposing glibc's allocation entry points in the benchmark executable and forwarding
// to glibc's own (`__libc_malloc` and friends), so that PeerBench can report allocations per operation the way Go's
// `-benchmem` does. The executable's definitions win over libc's for every shared library (ELF symbol interposition).
#include "MallocCounter.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#if defined(__linux__) && defined(__GLIBC__)

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static _Atomic long long total;

static void count(void) { atomic_fetch_add_explicit(&total, 1, memory_order_relaxed); }

void *malloc(size_t size) {
    count();
    return __libc_malloc(size);
}

void *calloc(size_t count_, size_t size) {
    count();
    return __libc_calloc(count_, size);
}

void *realloc(void *pointer, size_t size) {
    count();
    return __libc_realloc(pointer, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    count();
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}

void *aligned_alloc(size_t alignment, size_t size) {
    count();
    return __libc_memalign(alignment, size);
}

long long malloc_counter_total(void) { return atomic_load_explicit(&total, memory_order_relaxed); }
#else
long long malloc_counter_total(void) { return -1; }
#endif
