/* SPDX-License-Identifier: MIT */
/*
 * The Shale shell on the serial console (docs/debugging.md): Ctrl-A : opens
 * it; the guests keep running while it is open.
 */
#ifndef SHALE_VMM_SHELL_H
#define SHALE_VMM_SHELL_H

#include <stdbool.h>
#include <stdint.h>

struct boot_info;

void shell_init(const struct boot_info *bi);
void shell_open(void);
bool shell_is_open(void);
/* One typed byte while the shell is open. */
void shell_key(uint8_t c);
/* Run one command line, as if typed (also for tests). */
void shell_run(char *line);
/* Commands kept in files of their own. */
void shell_cmd_net(int argc, char **argv);

#endif
