/* SPDX-License-Identifier: MIT */
/*
 * daemon/config.h - the configuration file (l2tpd.conf(5)): a list of
 * l2tp(8) "add" commands, one per line, '#' comments, parsed with the CLI's
 * own grammar (cli/grammar.c). Static lines go through the API exactly as
 * the CLI's requests do; managed ones to the manager. SIGHUP re-reads the
 * file and applies the difference: an object whose line did not change is
 * not touched. "l2tp show config" prints the running state in the same
 * grammar (l2tpd_config_format).
 */
#ifndef L2TPD_CONFIG_H
#define L2TPD_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

struct l2tpd_api;
struct l2tpd_mgr;
struct l2tpd_registry;
struct l2tpd_datapath;

struct l2tpd_config_env {
	struct l2tpd_api *api;
	struct l2tpd_mgr *mgr;
	struct l2tpd_registry *reg;
	struct l2tpd_datapath *dp;
};

/*
 * Check |path| without applying it: each problem is one line
 * "FILE:LINE: problem" on |errf|. Returns the number of problems, or
 * -errno when the file cannot be read.
 */
int l2tpd_config_check(const char *path, FILE *errf);

/*
 * Read |path| and apply it (start-up: |reload| false; SIGHUP: true, the
 * difference). Problems in the file are logged as "FILE:LINE: problem" and
 * then nothing is applied; objects the system refuses (an address not on
 * this host, ...) are logged and the rest still applied. Returns 0, the
 * number of problems (> 0) when the file was refused, or -errno.
 */
int l2tpd_config_apply(const char *path, const struct l2tpd_config_env *env, bool reload);

/*
 * Every object in the grammar of the file, tunnels each followed by their
 * sessions; |secrets|: print shared secrets (else "secret ********", which
 * the grammar refuses to load). Calls |fn| per line (no newline); stops at its first
 * nonzero return and returns it.
 */
int l2tpd_config_format(const struct l2tpd_config_env *env, bool secrets,
			int (*fn)(void *arg, const char *line), void *arg);

#endif /* L2TPD_CONFIG_H */
