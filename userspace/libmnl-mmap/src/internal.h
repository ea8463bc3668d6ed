/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef _LIBMNL_MMAP_INTERNAL_H_
#define _LIBMNL_MMAP_INTERNAL_H_

#include "libmnl-mmap/libmnl-mmap.h"

#define EXPORT_SYMBOL __attribute__((visibility("default")))

#endif
