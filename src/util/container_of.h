/* container_of.h: from the address of a member back to the struct that
 * embeds it. libev hands a callback its watcher, and drove embeds each
 * watcher in the struct that owns it (as libev's manual advises). */
#ifndef DROVE_CONTAINER_OF_H
#define DROVE_CONTAINER_OF_H

#include <stddef.h>

#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
