/* SPDX-License-Identifier: MIT */
#ifndef SHALE_VMM_VERSION_H
#define SHALE_VMM_VERSION_H

#define SHALE_VERSION_MAJOR 0
#define SHALE_VERSION_MINOR 1
#define SHALE_VERSION_STRING "0.1"

#endif
