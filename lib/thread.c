/* Small-stack threads and malloc tuning: see thread.h. */
#include <malloc.h>
#include <unistd.h>

#include "lib/thread.h"

int thread_start(pthread_t *t, size_t stack_size, void *(*fn)(void *),
		 void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t min = (size_t)PTHREAD_STACK_MIN;
	pthread_attr_t a;
	int ret;

	if (stack_size < min)
		stack_size = min;
	stack_size = (stack_size + page - 1) & ~(page - 1);
	ret = pthread_attr_init(&a);
	if (ret)
		return ret;
	ret = pthread_attr_setstacksize(&a, stack_size);
	if (!ret)
		ret = pthread_attr_setguardsize(&a, page);
	if (!ret)
		ret = pthread_create(t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return ret;
}

int thread_malloc_tune(void)
{
	if (!mallopt(M_ARENA_MAX, 1) || !mallopt(M_MMAP_THRESHOLD, 128 * 1024))
		return -1;
	return 0;
}
